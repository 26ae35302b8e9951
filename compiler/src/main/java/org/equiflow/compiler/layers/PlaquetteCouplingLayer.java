package org.equiflow.compiler.layers;

import java.util.List;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.ir.PlaquetteMasks;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.symmetry.Finding;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.NetSymmetry;
import org.equiflow.compiler.symmetry.Status;

/**
 * The gauge-equivariant plaquette coupling of arXiv:2003.06413 (the MIT notebook's second
 * model) on a 2D U(1) link field held as angles [B, 2, L0, L1]:
 *
 * <ol>
 *   <li>plaquette angles P(x) = θ₀(x) + θ₁(x+ê₀) − θ₀(x+ê₁) − θ₁(x), gauge invariant;</li>
 *   <li>the net reads (cos P, sin P) of the frozen plaquettes only (zero angle elsewhere);</li>
 *   <li>the transform maps every active plaquette P ↦ P′, an invertible map of the circle;</li>
 *   <li>each updated link θ_μ(x) is the one link of the active plaquette P(x) that the layer
 *       changes, with sign +1 for μ = 0 and −1 for μ = 1, so θ_μ ↦ θ_μ ± (P′ − P) makes
 *       exactly P ↦ P′: the link form of U′ = P′P⁻¹U.</li>
 * </ol>
 *
 * Masks follow the notebook: updated links θ_μ(x) and active plaquettes on the rows
 * x_ν ≡ offset (mod 4), ν = 1 − μ; frozen plaquettes on the rows offset + 1 and offset + 2; the
 * rest passive — repaired at the wrap-around where 4 does not divide the (even) size across
 * ({@link PlaquetteMasks}).
 *
 * Postcondition: the links output has the input's type; log|det J| = Σ over active plaquettes
 * of log P′′(P), independent of every other link, since no frozen plaquette contains an updated
 * link and each active plaquette contains exactly one.
 */
final class PlaquetteCouplingLayer implements CouplingLayer<LayerSpec.PlaquetteCoupling> {

    @Override
    public String name() { return "plaquette_coupling"; }

    @Override
    public Class<LayerSpec.PlaquetteCoupling> spec() { return LayerSpec.PlaquetteCoupling.class; }

    @Override
    public String describe(LayerSpec.PlaquetteCoupling p) { return "plaquette_coupling links=" + p.mask() + " transform=" + p.transform(); }

    @Override
    public List<NetSpec> nets(LayerSpec.PlaquetteCoupling p) { return List.of(p.net()); }

    // ---- lowering -------------------------------------------------------------------------------

    /** What forward and inverse share: the masks, the links, the plaquettes and the conditioner's output on the frozen ones. */
    private record SetUp(int mu, int active, int theta0, int theta1, int plaquette, int params) {}

    private static SetUp setUp(FunctionBuilder b, int links, LayerSpec.PlaquetteCoupling p, Lattice lattice, int index) {
        String prefix = SiteCoupling.prefix(index);
        PlaquetteRows masks = PlaquetteRows.lower(b, p.mask(), lattice, prefix);
        int mu = masks.mu(), active = masks.active(), frozen = masks.frozen();

        int theta0 = b.slice(links, 0, 1), theta1 = b.slice(links, 1, 2);
        // roll by −1 along an axis reads the neighbour in the + direction: out[x] = in[x + ê]
        int plaquette = b.sub(b.add(theta0, b.roll(theta1, 0, -1)), b.add(b.roll(theta0, 1, -1), theta1));

        // No frozen plaquette contains an updated link, so the inverse's conditioner reads what the forward pass's did.
        int frozenPlaquette = b.mul(plaquette, frozen);
        int invariants = b.concat(List.of(b.unary(Op.UnaryFn.COS, frozenPlaquette), b.unary(Op.UnaryFn.SIN, frozenPlaquette)));
        int params = Lowering.net(b, invariants, p.net(), lattice, prefix + ".net", p.span());
        return new SetUp(mu, active, theta0, theta1, plaquette, params);
    }

    @Override
    public Lowered forward(FunctionBuilder b, int links, LayerSpec.PlaquetteCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        Transformed t = switch (p.transform().name()) {
            case "ncp_mixture" -> ncpMixture(b, u.plaquette(), u.params(), ((Number) p.transform().arguments().get("components")).intValue());
            case "circular_spline" -> circularSpline(b, u.plaquette(), u.params(), bins(p), learnsEndSlope(p), u.active());
            default -> throw new LoweringException("the circle transform `" + p.transform().name() + "` is not implemented in the runtime yet",
                    p.span(), "use `transform = ncp_mixture(components = 2)`");
        };

        // The change of P is an angle: wrapping it keeps link angles bounded over many layers.
        int change = b.mul(u.active(), b.unary(Op.UnaryFn.WRAP_ANGLE, b.sub(t.plaquette(), u.plaquette())));
        int updated = u.mu() == 0 ? b.add(u.theta0(), change) : b.sub(u.theta1(), change);
        int out = b.concat(u.mu() == 0 ? List.of(updated, u.theta1()) : List.of(u.theta0(), updated));
        int logdet = b.sumSites(b.mul(u.active(), t.logDerivative()));
        return new Lowered(out, logdet);
    }

    private static int bins(LayerSpec.PlaquetteCoupling p) { return ((Number) p.transform().arguments().get("bins")).intValue(); }

    /** {@code circular_spline(learn_end_derivative = true)}; the checker leaves the argument out when false. */
    private static boolean learnsEndSlope(LayerSpec.PlaquetteCoupling p) {
        return Boolean.TRUE.equals(p.transform().arguments().get("learn_end_derivative"));
    }

    /** Raw spline parameters per plaquette: 3·bins − 1, one more for a learned end slope; the rotation follows them. */
    private static int splineChannels(int bins, boolean learnedEnds) {
        return 3 * bins - 1 + (learnedEnds ? 1 : 0);
    }

    private record Transformed(int plaquette, int logDerivative) {}

    /**
     * The mixture of K non-compact projections plus a shift (the notebook's NCP): with net outputs
     * s₁ … s_K, t per plaquette,
     * P′ = (1/K) Σ_k 2·atan(e^{s_k} tan(P/2)) + t and
     * dP′/dP = (1/K) Σ_k 1 / (e^{−s_k} cos²(P/2) + e^{s_k} sin²(P/2)).
     * tan is taken of the principal value of P/2, so every component jumps by 2π at the same
     * P ≡ π and the mean stays a bijection of the circle; cos² and sin² of P/2 are written with
     * cos P, which is periodic in P itself.
     */
    private static Transformed ncpMixture(FunctionBuilder b, int plaquette, int params, int components) {
        int halfTan = b.unary(Op.UnaryFn.TAN, b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.unary(Op.UnaryFn.WRAP_ANGLE, plaquette)));
        int cosP = b.unary(Op.UnaryFn.COS, plaquette);
        int cosSquared = b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.unary(Op.UnaryFn.ADD_SCALAR, 1.0, cosP));
        int sinSquared = b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.unary(Op.UnaryFn.ADD_SCALAR, 1.0, b.unary(Op.UnaryFn.NEG, cosP)));
        int angles = -1, derivatives = -1;
        for (int k = 0; k < components; k++) {
            int s = b.slice(params, k, k + 1);
            int expS = b.unary(Op.UnaryFn.EXP, s), expMinusS = b.unary(Op.UnaryFn.EXP, b.unary(Op.UnaryFn.NEG, s));
            int angle = b.unary(Op.UnaryFn.ATAN, b.mul(expS, halfTan));
            int derivative = b.unary(Op.UnaryFn.POW_INT, -1, b.add(b.mul(expMinusS, cosSquared), b.mul(expS, sinSquared)));
            angles = angles < 0 ? angle : b.add(angles, angle);
            derivatives = derivatives < 0 ? derivative : b.add(derivatives, derivative);
        }
        int shift = b.slice(params, components, components + 1);
        int mean = components == 2 ? angles : b.unary(Op.UnaryFn.MUL_SCALAR, 2.0 / components, angles);
        int transformed = b.add(mean, shift);
        int logDerivative = b.unary(Op.UnaryFn.LOG, b.unary(Op.UnaryFn.MUL_SCALAR, 1.0 / components, derivatives));
        return new Transformed(transformed, logDerivative);
    }

    /**
     * A circular rational-quadratic spline (Durkan et al. 2019 on the circle, as in Rezende et al.
     * 2020) followed by a rotation: the 3·bins parameters per plaquette are the 3·bins − 1 raw
     * widths, heights and interior derivatives of the spline on [−π, π] — whose end derivatives
     * are 1, so the map is C¹ across ±π and a diffeomorphism of the circle — and the rotation t:
     * P′ = spline(arg P) + t, dP′/dP = spline′(arg P). With {@code learnedEnds} (Rezende et al.'s
     * 3K + 1 parameters) the slope at ±π is one more raw parameter, before t, shared by both
     * ends, so the map stays C¹ across ±π with a slope there the net chooses. The spline is
     * evaluated on the {@code active} plaquettes only, the only ones the layer changes, value and
     * log-derivative in one op.
     */
    private static Transformed circularSpline(FunctionBuilder b, int plaquette, int params, int bins, boolean learnedEnds, int active) {
        int channels = splineChannels(bins, learnedEnds);
        int angle = b.unary(Op.UnaryFn.WRAP_ANGLE, plaquette);
        int raw = b.slice(params, 0, channels);
        int rotation = b.slice(params, channels, channels + 1);
        int pair = b.splineWithLogDerivative(angle, raw, bins, Math.PI, learnedEnds, active);
        return new Transformed(b.add(b.slice(pair, 0, 1), rotation), b.slice(pair, 1, 2));
    }


    @Override
    public String noInverse(LayerSpec.PlaquetteCoupling layer) {
        return layer.transform().name().equals("circular_spline") ? null
                : "the circle transform `" + layer.transform().name() + "` has no closed-form inverse: a mean of non-compact"
                        + " projections would need a root search per plaquette (`circular_spline` has one)";
    }

    /**
     * The inverse for the circular spline: the plaquettes Q of the output links are P′ up to 2π
     * on the active rows (each holds exactly one updated link) and unchanged elsewhere, so
     * arg P = spline⁻¹(wrap(Q − t)); the links move back by ∓wrap(Q − arg P) = ∓wrap(P′ − P);
     * log|det| = −Σ over active plaquettes of log spline′(arg P).
     */
    @Override
    public Lowered inverse(FunctionBuilder b, int links, LayerSpec.PlaquetteCoupling p, Lattice lattice, int index) {
        SetUp u = setUp(b, links, p, lattice, index);
        int bins = bins(p);
        boolean learnedEnds = learnsEndSlope(p);
        int channels = splineChannels(bins, learnedEnds);
        int raw = b.slice(u.params(), 0, channels);
        int rotation = b.slice(u.params(), channels, channels + 1);
        int original = b.splineInverse(b.unary(Op.UnaryFn.WRAP_ANGLE, b.sub(u.plaquette(), rotation)), raw, bins, Math.PI, learnedEnds);
        int logDerivative = b.splineLogDerivative(original, raw, bins, Math.PI, learnedEnds, u.active());
        int change = b.mul(u.active(), b.unary(Op.UnaryFn.WRAP_ANGLE, b.sub(u.plaquette(), original)));
        int restored = u.mu() == 0 ? b.sub(u.theta0(), change) : b.add(u.theta1(), change);
        int out = b.concat(u.mu() == 0 ? List.of(restored, u.theta1()) : List.of(u.theta0(), restored));
        int logdet = b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, b.sumSites(b.mul(u.active(), logDerivative)));
        return new Lowered(out, logdet);
    }

    // ---- symmetry -------------------------------------------------------------------------------

    @Override
    public Judgement z2(LayerSpec.PlaquetteCoupling p) {
        return FlowSymmetry.z2(List.of(Finding.breaks("a plaquette coupling updates links, on which z2 does not act", p.span(), List.of(), List.of())));
    }

    @Override
    public Judgement translation(LayerSpec.PlaquetteCoupling p, Lattice lattice) {
        return FlowSymmetry.maskedTranslation(p.mask(), List.of(NetSymmetry.translation(p.net(), "net")), lattice);
    }

    /** Gauge invariance is what this layer is built for. */
    @Override
    public Judgement gauge(LayerSpec.PlaquetteCoupling p) {
        return new Judgement("gauge", Status.HOLDS, List.of(
                Finding.holds("the net reads cos P and sin P of frozen plaquettes, which are gauge invariant"),
                Finding.holds("links change only through their plaquettes, U′ = P′P⁻¹U, which is gauge covariant"),
                Finding.holds("the log-det is a function of plaquettes, hence gauge invariant")), List.of());
    }
}
