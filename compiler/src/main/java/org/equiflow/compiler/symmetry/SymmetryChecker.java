package org.equiflow.compiler.symmetry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.LayerSpec;

/**
 * Checks every flow against the symmetries its theory declares. A symmetry the flow claims
 * ({@code equivariant z2, …}) and breaks is an error (E0410) at every offending argument; a
 * declared symmetry a flow that does not claim it breaks is one warning (W0410) per symmetry,
 * or an error under {@code --strict}. Restriction of translations to a mask's subgroup is not a
 * break: every coupling layer has a mask.
 *
 * Postcondition: without errors, every claimed symmetry holds for its flow (in the sense of
 * {@link FlowSymmetry}); without warnings, every declared one does.
 */
public final class SymmetryChecker {
    private SymmetryChecker() {}

    public static void check(CheckedProgram program, boolean strict, Diagnostics diagnostics) {
        for (FlowModel flow : program.flows()) check(flow, strict, diagnostics);
    }

    static void check(FlowModel flow, boolean strict, Diagnostics diagnostics) {
        var analysis = FlowSymmetry.analyse(flow);
        for (var entry : analysis.flowJudgements().entrySet()) {
            String symmetry = entry.getKey();
            Judgement j = entry.getValue();
            if (j.status() != Status.BROKEN) continue;
            List<Finding> breaks = distinct(j.breaks());
            if (flow.claims().contains(symmetry)) {
                for (Finding f : breaks) {
                    List<String> help = runnableFixes(flow, f.fixes());
                    help.add("or drop the claim `equivariant " + symmetry + "`");
                    diagnostics.add(new Diagnostic(ErrorCode.E0410, Severity.ERROR, f.at(),
                            "flow `" + flow.name() + "` claims `equivariant " + symmetry + "`, so " + f.what(), f.notes(), help));
                }
            } else {
                Finding first = breaks.get(0);
                List<Diagnostic.Note> notes = new ArrayList<>(first.notes());
                for (Finding other : breaks.subList(1, breaks.size())) notes.add(new Diagnostic.Note("also: " + other.what(), other.at()));
                List<String> help = runnableFixes(flow, first.fixes());
                help.add("Metropolis keeps the sampler exact either way, but the flow must learn the symmetry; "
                        + (strict ? "this is an error because of --strict" : "--strict makes this an error"));
                diagnostics.add(new Diagnostic(ErrorCode.W0410, strict ? Severity.ERROR : Severity.WARNING, first.at(),
                        "flow `" + flow.name() + "` breaks `" + symmetry + "`, which theory `" + flow.theory().name() + "` declares: "
                                + first.what(), notes, help));
            }
        }
    }

    /** The fixes that compile for this flow: `symmetrize z2` only when every layer can be inverted by the runtime. */
    private static List<String> runnableFixes(FlowModel flow, List<String> fixes) {
        boolean invertible = flow.layers().stream().allMatch(l -> l instanceof LayerSpec.Affine);
        List<String> out = new ArrayList<>();
        for (String fix : fixes) if (invertible || !fix.equals(FlowSymmetry.SYMMETRIZE_FIX)) out.add(fix);
        return out;
    }

    /** Layers unrolled from one `repeat` share their source: report each place and reason once. */
    private static List<Finding> distinct(List<Finding> findings) {
        Set<String> seen = new HashSet<>();
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            if (seen.add((f.at() == null ? "-" : f.at().location()) + " " + f.what())) out.add(f);
        }
        return out;
    }
}
