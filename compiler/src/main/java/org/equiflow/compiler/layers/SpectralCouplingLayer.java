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
 * The spectral (conjugation-equivariant) plaquette coupling of Boyda et al. (arXiv:2008.05456) on
 * a 2D SU(2) link field, packed as [B, 2·8, L0, L1] (channel μ·8 + 2(2i + j) + part):
 *
 * <ol>
 *   <li>the untraced plaquette through the updated link U = U_μ(x), starting with it:
 *       P = P₀₁(x) = U₀(x)U₁(x+ê₀)U₀(x+ê₁)†U₁(x)† for μ = 0 and P₁₀(x) = P₀₁(x)† for μ = 1;</li>
 *   <li>its eigen-angle θ ∈ [0, π], P = cos θ·1 + i sin θ·n̂·σ: cos θ = ½ Re tr P and
 *       sin θ = |(Im P₀₀, P₀₁)| ≥ 0 (exact for SU(2), no arccos needed); both are class functions,
 *       so gauge invariant;</li>
 *   <li>x = θ − π/2 = −atan(cos θ / sin θ) ∈ (−π/2, π/2) goes through a rational-quadratic spline on
 *       [−π/2, π/2] (end derivatives 1, so 0 and π are fixed), conditioned by a net on
 *       (cos θ, sin θ) of the frozen plaquettes: θ′ = spline(x) + π/2;</li>
 *   <li>P′ = cos θ′·1 + i sin θ′·n̂·σ keeps the axis; with r = sin θ′/sin θ,
 *       P′ = r·P + (cos θ′ − r cos θ)·1, so the link update U′ = P′P†U is
 *       U′ = r·U + (cos θ′ − r cos θ)·P†U, products and sums of existing IR ops only.</li>
 * </ol>
 *
 * Masks are the plaquette coupling's ({@link PlaquetteMasks}): no frozen plaquette holds an
 * updated link, each active one exactly one. Log-det with respect to the Haar measure (in the
 * coordinates U → exp(Σ εₐ iσₐ/2)U, where it is flat): the map P ↦ P′ with P = U·R, R fixed, has
 * the Jacobian of a class-function map, and Haar on SU(2) is ∝ sin²θ dθ dΩ(n̂), so
 * log|det| = Σ_active [log dθ′/dθ + 2 log(sin θ′/sin θ)]. SU(3) links (two splines on the Weyl
 * alcove of eigenphases) are lowered by {@link SuThreeSpectralCoupling}; larger groups and other
 * dimensions are refused by lowering (E0800 at check).
 */
final class SpectralCouplingLayer implements CouplingLayer<LayerSpec.SpectralCoupling> {
    /** SU(2): 2N² = 8 real channels per link. */
    private static final int MATRIX = 8;
    private static final double HALF_PI = Math.PI / 2;

    @Override
    public String name() { return "spectral_coupling"; }

    @Override
    public Class<LayerSpec.SpectralCoupling> spec() { return LayerSpec.SpectralCoupling.class; }

    @Override
    public String describe(LayerSpec.SpectralCoupling p) { return "spectral_coupling links=" + p.mask() + " bins=" + p.bins(); }

    @Override
    public List<NetSpec> nets(LayerSpec.SpectralCoupling p) { return p.nets(); }

    // ---- lowering -------------------------------------------------------------------------------

    /**
     * What forward and inverse share: the updated link U, the other direction, P†U, the active
     * plaquette's cos θ, log sin θ and x = θ − π/2, and the spline parameters.
     */
    private record SetUp(int mu, int active, int link, int other, int adjointPlaquetteTimesLink,
                         int cosTheta, int logSinTheta, int centredTheta, int params) {}

    /** SU(2) or SU(3) links in 2D: the groups and the dimension the plaquette masks and class maps are built for. */
    private static boolean supported(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice) {
        int channels = b.type(links).channels();
        if (lattice.dimensions() != 2 || (channels != 2 * MATRIX && channels != 2 * SuThreeSpectralCoupling.MATRIX)) {
            throw new LoweringException("the spectral coupling is implemented for SU(2) and SU(3) links in 2D only, not SU("
                    + Math.round(Math.sqrt(channels / (2.0 * lattice.dimensions()))) + ") in " + lattice.dimensions() + "D", p.span(),
                    "sample other groups and dimensions with `prior haar` alone or with HMC");
        }
        return channels == 2 * MATRIX;
    }

    private static SetUp setUp(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        supported(b, links, p, lattice);
        String prefix = SiteCoupling.prefix(index);
        PlaquetteRows masks = PlaquetteRows.lower(b, p.mask(), lattice, prefix);
        int mu = masks.mu(), active = masks.active(), frozen = masks.frozen();

        int u0 = b.slice(links, 0, MATRIX), u1 = b.slice(links, MATRIX, 2 * MATRIX);
        // roll by −1 along an axis reads the neighbour in the + direction: out[x] = in[x + ê]
        int plaquette = b.complexMatMul(2, b.complexMatMul(2, b.complexMatMul(2, u0, b.roll(u1, 0, -1), false, false),
                b.roll(u0, 1, -1), false, true), u1, false, true);
        int link = mu == 0 ? u0 : u1, other = mu == 0 ? u1 : u0;
        // P†U: P₀₁†U₀ for μ = 0; for μ = 1, P = P₀₁† so P†U₁ = P₀₁U₁.
        int adjointPlaquetteTimesLink = mu == 0 ? b.complexMatMul(2, plaquette, u0, true, false) : b.complexMatMul(2, plaquette, u1, false, false);

        // P₀₁ and P₁₀ = P₀₁† share cos θ and sin θ.
        int cosTheta = b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.slice(b.complexTrace(2, plaquette), 0, 1));
        int sinSquared = b.add(b.unary(Op.UnaryFn.SQUARE, b.slice(plaquette, 1, 2)), b.add(
                b.unary(Op.UnaryFn.SQUARE, b.slice(plaquette, 2, 3)), b.unary(Op.UnaryFn.SQUARE, b.slice(plaquette, 3, 4))));
        int logSinTheta = b.unary(Op.UnaryFn.MUL_SCALAR, 0.5, b.unary(Op.UnaryFn.LOG, sinSquared));
        int sinTheta = b.unary(Op.UnaryFn.EXP, logSinTheta);
        int centredTheta = b.unary(Op.UnaryFn.NEG, b.unary(Op.UnaryFn.ATAN, b.div(cosTheta, sinTheta)));

        // No frozen plaquette contains an updated link, so the inverse's conditioner reads what the forward pass's did.
        int invariants = b.concat(List.of(b.mul(cosTheta, frozen), b.mul(sinTheta, frozen)));
        int params = Lowering.net(b, invariants, p.net(), lattice, prefix + ".net", p.span());
        return new SetUp(mu, active, link, other, adjointPlaquetteTimesLink, cosTheta, logSinTheta, centredTheta, params);
    }

    /**
     * The link moved so that its plaquette's eigen-angle goes from θ to θ′ (given as x′ = θ′ − π/2,
     * so cos θ′ = −sin x′): U′ = r·U + (cos θ′ − r cos θ)·P†U with r = sin θ′/sin θ; the other
     * direction and the inactive sites unchanged.
     */
    private static int moved(FunctionBuilder b, SetUp u, int centredTarget, int logRatio) {
        int ratio = b.unary(Op.UnaryFn.EXP, logRatio);
        int cosTarget = b.unary(Op.UnaryFn.NEG, b.unary(Op.UnaryFn.SIN, centredTarget));
        int identityPart = b.sub(cosTarget, b.mul(ratio, u.cosTheta()));
        int updated = b.add(b.mul(ratio, u.link()), b.mul(identityPart, u.adjointPlaquetteTimesLink()));
        int link = b.add(u.link(), b.mul(u.active(), b.sub(updated, u.link())));
        return b.concat(u.mu() == 0 ? List.of(link, u.other()) : List.of(u.other(), link));
    }

    @Override
    public Lowered forward(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        if (!supported(b, links, p, lattice)) return SuThreeSpectralCoupling.forward(b, links, p, lattice, index);
        SetUp u = setUp(b, links, p, lattice, index);
        int target = b.splineTransform(u.centredTheta(), u.params(), p.bins(), HALF_PI);
        int logDerivative = b.splineLogDerivative(u.centredTheta(), u.params(), p.bins(), HALF_PI);
        // sin θ′ = cos x′
        int logRatio = b.sub(b.unary(Op.UnaryFn.LOG, b.unary(Op.UnaryFn.COS, target)), u.logSinTheta());
        int out = moved(b, u, target, logRatio);
        int logdet = b.sumSites(b.mul(u.active(), b.add(logDerivative, b.unary(Op.UnaryFn.MUL_SCALAR, 2.0, logRatio))));
        return new Lowered(out, logdet);
    }

    @Override
    public String noInverse(LayerSpec.SpectralCoupling layer) { return null; }

    /**
     * The exact inverse: the active plaquettes of the output links are P′ (the frozen ones and the
     * conditioner's input unchanged), so x = spline⁻¹(x′) and the same update with θ′ → θ restores
     * U = P P′†U′; log|det| is minus the forward one at x.
     */
    @Override
    public Lowered inverse(FunctionBuilder b, int links, LayerSpec.SpectralCoupling p, Lattice lattice, int index) {
        if (!supported(b, links, p, lattice)) return SuThreeSpectralCoupling.inverse(b, links, p, lattice, index);
        SetUp u = setUp(b, links, p, lattice, index);
        int original = b.splineInverse(u.centredTheta(), u.params(), p.bins(), HALF_PI);
        int logDerivative = b.splineLogDerivative(original, u.params(), p.bins(), HALF_PI);
        int logRatio = b.sub(b.unary(Op.UnaryFn.LOG, b.unary(Op.UnaryFn.COS, original)), u.logSinTheta());
        int out = moved(b, u, original, logRatio);
        // forward log-det at the original: log spline′(x) + 2 log(sin θ′/sin θ) = log spline′(x) − 2·logRatio
        int logdet = b.unary(Op.UnaryFn.MUL_SCALAR, -1.0,
                b.sumSites(b.mul(u.active(), b.sub(logDerivative, b.unary(Op.UnaryFn.MUL_SCALAR, 2.0, logRatio)))));
        return new Lowered(out, logdet);
    }

    // ---- symmetry -------------------------------------------------------------------------------

    @Override
    public Judgement z2(LayerSpec.SpectralCoupling p) {
        return FlowSymmetry.z2(List.of(Finding.breaks("a spectral coupling updates links, on which z2 does not act", p.span(), List.of(), List.of())));
    }

    @Override
    public Judgement translation(LayerSpec.SpectralCoupling p, Lattice lattice) {
        return FlowSymmetry.maskedTranslation(p.mask(), p.nets().stream().map(n -> NetSymmetry.translation(n, "net")).toList(), lattice);
    }

    /** Gauge covariance is what this layer is built for. */
    @Override
    public Judgement gauge(LayerSpec.SpectralCoupling p) {
        return new Judgement("gauge", Status.HOLDS, List.of(
                Finding.holds("the nets read class functions of plaquettes (SU(2): cos θ, sin θ of frozen ones; SU(3): tr P of frozen ones and the"
                        + " active ones' new first alcove coordinate), hence gauge invariant"),
                Finding.holds("links change only through their plaquettes, U′ = P′P†U with P′ a class-function map of P (same eigenvectors;"
                        + " SU(3): a polynomial c₀ + c₁P + c₂P²), which commutes with conjugation, hence gauge covariant"),
                Finding.holds("the log-det is a function of eigen-angles, hence gauge invariant")), List.of());
    }
}
