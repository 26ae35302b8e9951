package org.equiflow.compiler.layers;

import java.util.List;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.symmetry.Finding;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.NetSymmetry;

/**
 * The rational-quadratic spline coupling (Durkan et al. 2019): y = m·x + (1−m)·spline(x) on
 * [−bound, bound] (identity outside), the 3·bins − 1 raw knot parameters per site from the
 * conditioner on the frozen sites m·x; log|det J| = Σ over updated sites of log spline′(x).
 * Inverse: x = m·y + (1−m)·spline⁻¹(y), the root of a quadratic in each bin.
 */
final class SplineLayer implements CouplingLayer<LayerSpec.Spline> {

    @Override
    public String name() { return "spline"; }

    @Override
    public Class<LayerSpec.Spline> spec() { return LayerSpec.Spline.class; }

    @Override
    public String describe(LayerSpec.Spline s) { return "spline mask=" + s.mask(); }

    @Override
    public List<NetSpec> nets(LayerSpec.Spline s) { return List.of(s.net()); }

    // ---- lowering -------------------------------------------------------------------------------

    @Override
    public Lowered forward(FunctionBuilder b, int x, LayerSpec.Spline s, Lattice lattice, int index) {
        // As for affine couplings, the conditioner sees only frozen sites.
        SiteCoupling c = SiteCoupling.of(b, x, s.mask(), lattice, index);
        int params = Lowering.net(b, c.conditionerInput(), s.net(), lattice, SiteCoupling.prefix(index) + ".net", s.span());
        // y = m·x + (1−m)·spline(x),  log|det J| = Σ over updated sites of log dy/dx
        // Evaluated on the updated sites only: the frozen ones keep x and add nothing to the log-det.
        int pair = b.splineWithLogDerivative(x, params, s.bins(), s.bound(), false, c.active());
        int splined = b.slice(pair, 0, 1), logDerivative = b.slice(pair, 1, 2);
        int y = c.combine(b, splined);
        return new Lowered(y, c.logdet(b, logDerivative));
    }

    @Override
    public String noInverse(LayerSpec.Spline layer) { return null; }

    @Override
    public Lowered inverse(FunctionBuilder b, int y, LayerSpec.Spline s, Lattice lattice, int index) {
        // The frozen sites are unchanged, so the conditioner sees the same m·y as the forward pass.
        SiteCoupling c = SiteCoupling.of(b, y, s.mask(), lattice, index);
        int params = Lowering.net(b, c.conditionerInput(), s.net(), lattice, SiteCoupling.prefix(index) + ".net", s.span());
        // x = m·y + (1−m)·spline⁻¹(y),  log|det ∂x/∂y| = −Σ over updated sites of log spline′(x)
        int restored = b.splineInverse(y, params, s.bins(), s.bound());
        int logDerivative = b.splineLogDerivative(restored, params, s.bins(), s.bound(), false, c.active());
        int x = c.combine(b, restored);
        return new Lowered(x, b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, c.logdet(b, logDerivative)));
    }

    // ---- symmetry -------------------------------------------------------------------------------

    @Override
    public Judgement z2(LayerSpec.Spline s) {
        return FlowSymmetry.z2(List.of(Finding.breaks(
                "this spline coupling must commute with φ → −φ, but a spline's knots are not mirror images under x → −x",
                s.net().span(), List.of(Diagnostic.Note.of("spline(−x) = −spline(x) would need knots and derivatives symmetric about 0 for every input, which the net does not give")),
                List.of("use affine couplings with an even scale and an odd shift", FlowSymmetry.symmetrizeFix("spline couplings")))));
    }

    @Override
    public Judgement translation(LayerSpec.Spline s, Lattice lattice) {
        return FlowSymmetry.maskedTranslation(s.mask(), List.of(NetSymmetry.translation(s.net(), "net")), lattice);
    }

    @Override
    public Judgement gauge(LayerSpec.Spline s) { return FlowSymmetry.siteCouplingGauge(s); }
}
