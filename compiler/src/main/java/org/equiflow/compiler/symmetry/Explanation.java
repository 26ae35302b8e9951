package org.equiflow.compiler.symmetry;

import java.util.List;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.model.FlowModel;

/** The text of `equiflow check --explain`: per layer, which declared symmetries hold and why. */
public final class Explanation {
    private Explanation() {}

    public static String explain(FlowModel flow) {
        var a = FlowSymmetry.analyse(flow);
        var out = new StringBuilder();
        out.append("flow ").append(flow.name()).append(" for ").append(flow.theory().name());
        if (!flow.claims().isEmpty()) out.append(" equivariant ").append(String.join(", ", flow.claims()));
        List<String> declared = flow.theory().symmetries().stream().map(s -> s.name()).toList();
        out.append("  (theory declares: ").append(declared.isEmpty() ? "nothing" : String.join(", ", declared)).append(")\n");
        out.append("  ");
        part(out, a.prior(), "  ");
        for (int i = 0; i < a.layers().size(); i++) {
            out.append("  layer ").append(i).append(' ');
            part(out, a.layers().get(i), "  ");
        }
        if (!flow.symmetrize().isEmpty()) out.append("  symmetrize ").append(String.join(", ", flow.symmetrize())).append('\n');
        out.append("  => flow:\n");
        for (var e : a.flowJudgements().entrySet()) {
            Judgement j = e.getValue();
            out.append("       ").append(e.getKey()).append(": ").append(j.status().word());
            if (j.status() == Status.RESTRICTED) {
                out.append(" (shifts a with ").append(String.join(" and ", j.shifts().stream().map(ShiftConstraint::describe).toList())).append(')');
            }
            if (flow.claims().contains(e.getKey())) out.append(j.holds() ? "  [claimed: ok]" : "  [claimed: ERROR]");
            out.append('\n');
        }
        return out.toString();
    }

    private static void part(StringBuilder out, FlowSymmetry.Part part, String indent) {
        out.append(part.description()).append('\n');
        for (var e : part.judgements().entrySet()) {
            Judgement j = e.getValue();
            out.append(indent).append("    ").append(e.getKey()).append(": ").append(j.status().word()).append('\n');
            for (Finding f : j.findings()) {
                out.append(indent).append("      ").append(f.breaks() ? "✗ " : "✓ ").append(f.what());
                if (f.at() != null) out.append(" (").append(f.at().location()).append(')');
                out.append('\n');
                if (f.breaks()) {
                    for (Diagnostic.Note n : f.notes()) {
                        out.append(indent).append("          because ").append(n.message());
                        if (n.span() != null) out.append(" (").append(n.span().location()).append(')');
                        out.append('\n');
                    }
                }
            }
        }
    }
}
