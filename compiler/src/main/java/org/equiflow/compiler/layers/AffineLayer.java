package org.equiflow.compiler.layers;

import java.util.ArrayList;
import java.util.List;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.symmetry.Finding;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.NetSymmetry;

/**
 * The affine coupling y = m·x + (1−m)·(x·exp(s) + t) (real NVP), with s and t from the
 * conditioner on the frozen sites m·x: one net giving (s, t) as two channels, or separate
 * {@code scale} and/or {@code shift} nets (a missing one is s = 0 or t = 0).
 * log|det J| = Σ over updated sites of s. Inverse: x = m·y + (1−m)·(y − t)·exp(−s).
 */
final class AffineLayer implements CouplingLayer<LayerSpec.Affine> {

    @Override
    public String name() { return "affine"; }

    @Override
    public Class<LayerSpec.Affine> spec() { return LayerSpec.Affine.class; }

    @Override
    public String describe(LayerSpec.Affine a) { return "affine mask=" + a.mask(); }

    @Override
    public List<NetSpec> nets(LayerSpec.Affine a) {
        List<NetSpec> out = new ArrayList<>();
        if (a.net() != null) out.add(a.net());
        if (a.scale() != null) out.add(a.scale());
        if (a.shift() != null) out.add(a.shift());
        return out;
    }

    // ---- lowering -------------------------------------------------------------------------------

    /** The conditioner's outputs: s and t, each −1 when absent. */
    private record ScaleShift(int s, int t) {}

    private static ScaleShift conditioner(FunctionBuilder b, SiteCoupling c, LayerSpec.Affine a, Lattice lattice, int index) {
        String prefix = SiteCoupling.prefix(index);
        if (a.net() != null) {
            int st = Lowering.net(b, c.conditionerInput(), a.net(), lattice, prefix + ".net", a.span());
            return new ScaleShift(b.slice(st, 0, 1), b.slice(st, 1, 2));
        }
        int s = a.scale() == null ? -1 : Lowering.net(b, c.conditionerInput(), a.scale(), lattice, prefix + ".scale", a.span());
        int t = a.shift() == null ? -1 : Lowering.net(b, c.conditionerInput(), a.shift(), lattice, prefix + ".shift", a.span());
        return new ScaleShift(s, t);
    }

    @Override
    public Lowered forward(FunctionBuilder b, int x, LayerSpec.Affine a, Lattice lattice, int index) {
        SiteCoupling c = SiteCoupling.of(b, x, a.mask(), lattice, index);
        ScaleShift st = conditioner(b, c, a, lattice, index);
        // y = m·x + (1−m)·(x·exp(s) + t),  log|det J| = Σ over updated sites of s
        int updated = st.s() < 0 ? x : b.mul(x, b.unary(Op.UnaryFn.EXP, st.s()));
        if (st.t() >= 0) updated = b.add(updated, st.t());
        int y = c.combine(b, updated);
        return new Lowered(y, st.s() < 0 ? -1 : c.logdet(b, st.s()));
    }

    @Override
    public String noInverse(LayerSpec.Affine layer) { return null; }

    @Override
    public Lowered inverse(FunctionBuilder b, int y, LayerSpec.Affine a, Lattice lattice, int index) {
        SiteCoupling c = SiteCoupling.of(b, y, a.mask(), lattice, index);
        ScaleShift st = conditioner(b, c, a, lattice, index);
        // x = m·y + (1−m)·(y − t)·exp(−s),  log|det ∂x/∂y| = −Σ over updated sites of s
        int restored = st.t() < 0 ? y : b.sub(y, st.t());
        if (st.s() >= 0) restored = b.mul(restored, b.unary(Op.UnaryFn.EXP, b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, st.s())));
        int x = c.combine(b, restored);
        return new Lowered(x, st.s() < 0 ? -1 : b.unary(Op.UnaryFn.MUL_SCALAR, -1.0, c.logdet(b, st.s())));
    }

    // ---- symmetry -------------------------------------------------------------------------------

    private static final List<String> Z2_FIXES = List.of(
            "for Z2: an even `scale` (e.g. `" + FlowSymmetry.EVEN_SCALE_EXAMPLE + "`, with `use std.nets.conv`, as in examples/phi4_z2.flow) and an odd `shift` (`"
                    + FlowSymmetry.ODD_SHIFT_EXAMPLE + "`)",
            FlowSymmetry.SYMMETRIZE_FIX);

    /** Z2 holds when the scale is even (exp(s) and the log-det invariant) and the shift odd. */
    @Override
    public Judgement z2(LayerSpec.Affine a) {
        List<Finding> findings = new ArrayList<>();
        if (a.net() != null) {
            var p = NetSymmetry.parity(a.net());
            findings.add(Finding.breaks("one net gives this affine coupling's scale and shift, so they share its parity ("
                    + FlowSymmetry.word(p.parity()) + "), but z2 needs an even scale and an odd shift", a.net().span(), p.why(),
                    List.of("give separate nets: `scale = " + FlowSymmetry.EVEN_SCALE_EXAMPLE + "`, `shift = " + FlowSymmetry.ODD_SHIFT_EXAMPLE
                                    + "` (with `use std.nets.{cnn, conv}`)",
                            Z2_FIXES.get(1))));
        }
        if (a.scale() != null) {
            var p = NetSymmetry.parity(a.scale());
            if (p.parity() == Parity.EVEN) findings.add(Finding.holds("the scale net is even, so exp(s) and the log-det are Z2 invariant"));
            else findings.add(Finding.breaks("the scale net of this affine coupling must be even, but it is " + FlowSymmetry.word(p.parity()),
                    a.scale().span(), p.why(), List.of(
                            "make the scale even: pass an odd net through an even function (abs, square, cos) and continue as you like, e.g. `"
                                    + FlowSymmetry.EVEN_SCALE_EXAMPLE + "` with `use std.nets.conv` (abs last would only let the layer expand)",
                            Z2_FIXES.get(1))));
        } else if (a.net() == null) {
            findings.add(Finding.holds("no scale: s = 0 is even"));
        }
        if (a.shift() != null) {
            var p = NetSymmetry.parity(a.shift());
            if (p.parity() == Parity.ODD) findings.add(Finding.holds("the shift net is odd: bias-free convolutions and odd activations"));
            else findings.add(Finding.breaks("the shift net of this affine coupling must be odd, but it is " + FlowSymmetry.word(p.parity()),
                    a.shift().span(), p.why(), List.of(
                            "use an odd activation (tanh, identity, sinh, sin) and `bias = false` in the shift net",
                            Z2_FIXES.get(1))));
        } else if (a.net() == null) {
            findings.add(Finding.holds("no shift: t = 0 is odd"));
        }
        return FlowSymmetry.z2(findings);
    }

    @Override
    public Judgement translation(LayerSpec.Affine a, Lattice lattice) {
        List<Judgement> nets = new ArrayList<>();
        if (a.net() != null) nets.add(NetSymmetry.translation(a.net(), "net"));
        if (a.scale() != null) nets.add(NetSymmetry.translation(a.scale(), "scale net"));
        if (a.shift() != null) nets.add(NetSymmetry.translation(a.shift(), "shift net"));
        return FlowSymmetry.maskedTranslation(a.mask(), nets, lattice);
    }

    @Override
    public Judgement gauge(LayerSpec.Affine a) { return FlowSymmetry.siteCouplingGauge(a); }
}
