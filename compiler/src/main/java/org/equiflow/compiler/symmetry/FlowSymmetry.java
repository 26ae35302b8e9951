package org.equiflow.compiler.symmetry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.ir.PlaquetteMasks;
import org.equiflow.compiler.model.Lattice;
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

    private static <S extends LayerSpec> String describe(S layer) { return LayerSymmetry.of(layer).describe(layer); }

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

    static <S extends LayerSpec> Judgement layer(S layer, String symmetry, TheoryInstance theory) {
        LayerSymmetry<S> rules = LayerSymmetry.of(layer);
        return switch (symmetry) {
            case "z2" -> rules.z2(layer);
            case "translation" -> rules.translation(layer, theory.lattice());
            default -> rules.gauge(layer);
        };
    }

    /**
     * The help that suggests `symmetrize z2`; the checker drops it for flows with a layer the
     * runtime cannot invert ({@link SymmetryChecker}), so that every help line of E0410 names
     * something that compiles.
     */
    public static final String SYMMETRIZE_FIX = symmetrizeFix("affine couplings");

    /** How every help that suggests `symmetrize z2` begins. */
    public static final String SYMMETRIZE_FIX_START = "or add `symmetrize z2` to the flow";

    /** The help that suggests `symmetrize z2` for a layer's Z2 break, naming the layers, e.g. "spline couplings". */
    public static String symmetrizeFix(String layers) {
        return SYMMETRIZE_FIX_START + ": the self-mixture ½(q(φ) + q(−φ)) is Z2 invariant whatever its " + layers + " do";
    }

    /** Snippets the Z2 help suggests for an even scale and an odd shift; a test checks that each compiles. */
    public static final String EVEN_SCALE_EXAMPLE = "conv(channels = 8, bias = false) >> tanh >> abs >> conv() >> tanh";
    public static final String ODD_SHIFT_EXAMPLE = "cnn(act = tanh, bias = false)";

    /** The Z2 verdict from a layer's findings: broken if any finding breaks it. */
    public static Judgement z2(List<Finding> findings) {
        boolean broken = findings.stream().anyMatch(Finding::breaks);
        return new Judgement("z2", broken ? Status.BROKEN : Status.HOLDS, findings, List.of());
    }

    public static String word(Parity p) {
        return switch (p) {
            case ODD -> "odd";
            case EVEN -> "even";
            case NONE -> "neither odd nor even";
        };
    }

    /**
     * The translation rule of every masked coupling: it commutes with the shifts that preserve
     * its mask, provided its nets (judged by {@link NetSymmetry#translation}) commute with every shift.
     */
    public static Judgement maskedTranslation(MaskSpec mask, List<Judgement> nets, Lattice lattice) {
        List<Finding> findings = new ArrayList<>();
        for (Judgement j : nets) findings.addAll(j.findings());
        ShiftConstraint c = maskConstraint(mask, lattice);
        findings.add(Finding.holds("mask " + mask + " is preserved only by shifts with " + c.describe()));
        boolean broken = findings.stream().anyMatch(Finding::breaks);
        return new Judgement("translation", broken ? Status.BROKEN : Status.RESTRICTED, findings, broken ? List.of() : List.of(c));
    }

    /** The shifts that map a mask's pattern onto itself. */
    public static ShiftConstraint maskConstraint(MaskSpec mask, Lattice lattice) {
        Integer[] coefficients = new Integer[lattice.dimensions()];
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
                // Rows x[1−mu] ≡ offset (mod 4) are updated; the pattern repeats with period 4 across them where 4 divides
                // the size, and otherwise breaks at the wrap-around, so that only whole turns preserve it.
                int across = 1 - ((Long) a.get("mu")).intValue();
                coefficients[across] = 1;
                int size = lattice.sizes().get(across);
                yield new ShiftConstraint(List.of(coefficients), PlaquetteMasks.tiles(size) ? PlaquetteMasks.PERIOD : size, mask.toString());
            }
            default -> throw new IllegalArgumentException("mask " + mask.name() + " has no known pattern");
        };
    }

    /** The gauge rule of a coupling of sites. */
    public static Judgement siteCouplingGauge(LayerSpec layer) {
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
    public static <S extends LayerSpec> List<NetSpec> nets(S layer) { return LayerSymmetry.of(layer).nets(layer); }
}
