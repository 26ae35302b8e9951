package org.equiflow.compiler.symmetry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.MaskSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * Infers, for the prior and every layer of a flow, whether it respects each symmetry its theory
 * declares, and combines them into the flow's verdict. A flow respects a symmetry when its prior
 * density is invariant and every layer commutes with the group with an invariant log-det; then
 * its density q is invariant. {@code symmetrize z2} makes the density Z2 invariant whatever the
 * layers do.
 *
 * The rules, each with its reason, are listed in docs/symmetry.md.
 */
public final class FlowSymmetry {
    private FlowSymmetry() {}

    /** Verdicts of one layer (or the prior), by symmetry, in the theory's declaration order. */
    public record Part(String description, Map<String, Judgement> judgements) {}

    /** The prior, every layer, and the flow as a whole. */
    public record Analysis(FlowModel flow, Part prior, List<Part> layers, Map<String, Judgement> flowJudgements) {
        public Judgement of(String symmetry) { return flowJudgements.get(symmetry); }
    }

    public static Analysis analyse(FlowModel flow) {
        TheoryInstance theory = flow.theory();
        List<String> declared = theory.symmetries().stream().map(TheoryInstance.Symmetry::name).toList();
        Map<String, Judgement> priorJudgements = new LinkedHashMap<>();
        for (String s : declared) priorJudgements.put(s, prior(flow.prior(), s));
        Part prior = new Part("prior " + flow.prior(), priorJudgements);
        List<Part> layers = new ArrayList<>();
        for (LayerSpec layer : flow.layers()) {
            Map<String, Judgement> js = new LinkedHashMap<>();
            for (String s : declared) js.put(s, layer(layer, s, theory));
            layers.add(new Part(describe(layer), js));
        }
        Map<String, Judgement> whole = new LinkedHashMap<>();
        for (String s : declared) whole.put(s, combine(s, prior, layers, flow.symmetrize().contains(s)));
        return new Analysis(flow, prior, layers, whole);
    }

    private static String describe(LayerSpec layer) {
        return switch (layer) {
            case LayerSpec.Affine a -> "affine mask=" + a.mask();
            case LayerSpec.Spline s -> "spline mask=" + s.mask();
            case LayerSpec.PlaquetteCoupling p -> "plaquette_coupling links=" + p.mask() + " transform=" + p.transform();
        };
    }

    // ---- priors ---------------------------------------------------------------------------------

    private static Judgement prior(PriorSpec prior, String symmetry) {
        String what = switch (symmetry) {
            case "z2" -> prior.name() + "'s density is even in the field";
            case "translation" -> prior.name().equals("free_field") ? "free_field's density is exp(−S_free), and S_free is a sum over all sites"
                    : prior.name() + "'s density is a product of the same factor at every site";
            default -> prior.name() + "'s density is invariant under gauge transformations (the Haar measure is)";
        };
        return new Judgement(symmetry, Status.HOLDS, List.of(Finding.holds(what)), List.of());
    }

    // ---- layers ---------------------------------------------------------------------------------

    static Judgement layer(LayerSpec layer, String symmetry, TheoryInstance theory) {
        return switch (symmetry) {
            case "z2" -> z2(layer);
            case "translation" -> translation(layer, theory.lattice().dimensions());
            default -> gauge(layer);
        };
    }

    /**
     * The runtime inverts only affine couplings, which `symmetrize z2` needs; the checker drops
     * this suggestion for flows with other layers ({@link SymmetryChecker}), so that every help
     * line of E0410 names something that compiles.
     */
    static final String SYMMETRIZE_FIX =
            "or add `symmetrize z2` to the flow: the self-mixture ½(q(φ) + q(−φ)) is Z2 invariant whatever its affine couplings do";

    /** Snippets the Z2 help suggests for an even scale and an odd shift; a test checks that each compiles. */
    public static final String EVEN_SCALE_EXAMPLE = "conv(channels = 8, bias = false) >> tanh >> abs >> conv() >> tanh";
    public static final String ODD_SHIFT_EXAMPLE = "cnn(act = tanh, bias = false)";

    private static final List<String> Z2_FIXES = List.of(
            "for Z2: an even `scale` (e.g. `" + EVEN_SCALE_EXAMPLE + "`, with `use std.nets.conv`, as in examples/phi4_z2.flow) and an odd `shift` (`" + ODD_SHIFT_EXAMPLE + "`)",
            SYMMETRIZE_FIX);

    private static Judgement z2(LayerSpec layer) {
        List<Finding> findings = new ArrayList<>();
        switch (layer) {
            case LayerSpec.Affine a -> {
                if (a.net() != null) {
                    var p = NetSymmetry.parity(a.net());
                    findings.add(Finding.breaks("one net gives this affine coupling's scale and shift, so they share its parity ("
                            + word(p.parity()) + "), but z2 needs an even scale and an odd shift", a.net().span(), p.why(),
                            List.of("give separate nets: `scale = " + EVEN_SCALE_EXAMPLE + "`, `shift = " + ODD_SHIFT_EXAMPLE + "` (with `use std.nets.{cnn, conv}`)",
                                    Z2_FIXES.get(1))));
                }
                if (a.scale() != null) {
                    var p = NetSymmetry.parity(a.scale());
                    if (p.parity() == Parity.EVEN) findings.add(Finding.holds("the scale net is even, so exp(s) and the log-det are Z2 invariant"));
                    else findings.add(Finding.breaks("the scale net of this affine coupling must be even, but it is " + word(p.parity()),
                            a.scale().span(), p.why(), List.of(
                                    "make the scale even: pass an odd net through an even function (abs, square, cos) and continue as you like, e.g. `" + EVEN_SCALE_EXAMPLE + "` with `use std.nets.conv` (abs last would only let the layer expand)",
                                    Z2_FIXES.get(1))));
                } else if (a.net() == null) {
                    findings.add(Finding.holds("no scale: s = 0 is even"));
                }
                if (a.shift() != null) {
                    var p = NetSymmetry.parity(a.shift());
                    if (p.parity() == Parity.ODD) findings.add(Finding.holds("the shift net is odd: bias-free convolutions and odd activations"));
                    else findings.add(Finding.breaks("the shift net of this affine coupling must be odd, but it is " + word(p.parity()),
                            a.shift().span(), p.why(), List.of(
                                    "use an odd activation (tanh, identity, sinh, sin) and `bias = false` in the shift net",
                                    Z2_FIXES.get(1))));
                } else if (a.net() == null) {
                    findings.add(Finding.holds("no shift: t = 0 is odd"));
                }
            }
            case LayerSpec.Spline s -> findings.add(Finding.breaks(
                    "this spline coupling must commute with φ → −φ, but a spline's knots are not mirror images under x → −x",
                    s.net().span(), List.of(Diagnostic.Note.of("spline(−x) = −spline(x) would need knots and derivatives symmetric about 0 for every input, which the net does not give")),
                    List.of("use affine couplings with an even scale and an odd shift; `symmetrize z2` needs affine couplings too, "
                            + "because the runtime inverts only those")));
            case LayerSpec.PlaquetteCoupling p -> findings.add(Finding.breaks(
                    "a plaquette coupling updates links, on which z2 does not act", p.span(), List.of(), List.of()));
        }
        boolean broken = findings.stream().anyMatch(Finding::breaks);
        return new Judgement("z2", broken ? Status.BROKEN : Status.HOLDS, findings, List.of());
    }

    private static String word(Parity p) {
        return switch (p) {
            case ODD -> "odd";
            case EVEN -> "even";
            case NONE -> "neither odd nor even";
        };
    }

    private static Judgement translation(LayerSpec layer, int dimensions) {
        List<Finding> findings = new ArrayList<>();
        List<Judgement> nets = new ArrayList<>();
        MaskSpec mask = layer.mask();
        switch (layer) {
            case LayerSpec.Affine a -> {
                if (a.net() != null) nets.add(NetSymmetry.translation(a.net(), "net"));
                if (a.scale() != null) nets.add(NetSymmetry.translation(a.scale(), "scale net"));
                if (a.shift() != null) nets.add(NetSymmetry.translation(a.shift(), "shift net"));
            }
            case LayerSpec.Spline s -> nets.add(NetSymmetry.translation(s.net(), "net"));
            case LayerSpec.PlaquetteCoupling p -> nets.add(NetSymmetry.translation(p.net(), "net"));
        }
        for (Judgement j : nets) findings.addAll(j.findings());
        ShiftConstraint c = maskConstraint(mask, dimensions);
        findings.add(Finding.holds("mask " + mask + " is preserved only by shifts with " + c.describe()));
        boolean broken = findings.stream().anyMatch(Finding::breaks);
        return new Judgement("translation", broken ? Status.BROKEN : Status.RESTRICTED, findings, broken ? List.of() : List.of(c));
    }

    /** The shifts that map a mask's pattern onto itself. */
    public static ShiftConstraint maskConstraint(MaskSpec mask, int dimensions) {
        Integer[] coefficients = new Integer[dimensions];
        java.util.Arrays.fill(coefficients, 0);
        var a = mask.arguments();
        return switch (mask.name()) {
            case "checkerboard" -> {
                java.util.Arrays.fill(coefficients, 1);
                yield new ShiftConstraint(List.of(coefficients), 2, mask.toString());
            }
            case "stripes" -> {
                coefficients[((Long) a.get("axis")).intValue()] = 1;
                yield new ShiftConstraint(List.of(coefficients), ((Long) a.get("period")).intValue(), mask.toString());
            }
            case "link_mask" -> {
                // Rows x[1−mu] ≡ offset (mod 4) are updated; the pattern repeats with period 4 across them.
                coefficients[1 - ((Long) a.get("mu")).intValue()] = 1;
                yield new ShiftConstraint(List.of(coefficients), 4, mask.toString());
            }
            default -> throw new IllegalArgumentException("mask " + mask.name() + " has no known pattern");
        };
    }

    private static Judgement gauge(LayerSpec layer) {
        if (layer instanceof LayerSpec.PlaquetteCoupling) {
            return new Judgement("gauge", Status.HOLDS, List.of(
                    Finding.holds("the net reads cos P and sin P of frozen plaquettes, which are gauge invariant"),
                    Finding.holds("links change only through their plaquettes, U′ = P′P⁻¹U, which is gauge covariant"),
                    Finding.holds("the log-det is a function of plaquettes, hence gauge invariant")), List.of());
        }
        // Site couplings on link fields are rejected before this (E0411); a site theory declares no gauge symmetry.
        return new Judgement("gauge", Status.BROKEN, List.of(Finding.breaks("a site coupling does not act covariantly on links",
                layer.span(), List.of(), List.of("use plaquette_coupling"))), List.of());
    }

    // ---- the flow -------------------------------------------------------------------------------

    private static Judgement combine(String symmetry, Part prior, List<Part> layers, boolean symmetrized) {
        List<Finding> findings = new ArrayList<>(prior.judgements().get(symmetry).findings());
        if (symmetrized) {
            findings = new ArrayList<>(List.of(Finding.holds(
                    "symmetrize z2: q(φ) = ½(q_f(φ) + q_f(−φ)) is Z2 invariant whatever the layers do")));
            return new Judgement(symmetry, Status.HOLDS, findings, List.of());
        }
        Status status = Status.HOLDS;
        List<ShiftConstraint> shifts = new ArrayList<>();
        for (Part layer : layers) {
            Judgement j = layer.judgements().get(symmetry);
            if (j.status() == Status.BROKEN) status = Status.BROKEN;
            else if (j.status() == Status.RESTRICTED && status == Status.HOLDS) status = Status.RESTRICTED;
            findings.addAll(j.breaks());
            for (ShiftConstraint c : j.shifts()) {
                if (shifts.stream().noneMatch(c::sameCondition)) shifts.add(c);
            }
        }
        return new Judgement(symmetry, status, findings, status == Status.BROKEN ? List.of() : Collections.unmodifiableList(shifts));
    }

    /** The net arguments of a layer, for tests that visit every net. */
    public static List<NetSpec> nets(LayerSpec layer) {
        List<NetSpec> out = new ArrayList<>();
        switch (layer) {
            case LayerSpec.Affine a -> { if (a.net() != null) out.add(a.net()); if (a.scale() != null) out.add(a.scale()); if (a.shift() != null) out.add(a.shift()); }
            case LayerSpec.Spline s -> out.add(s.net());
            case LayerSpec.PlaquetteCoupling p -> out.add(p.net());
        }
        return out;
    }
}
