package org.equiflow.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Node;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.check.Symbol;
import org.equiflow.compiler.diag.SourceFile;

/** What a hover shows of a declaration: its signature as written, and the comment above it. */
final class Signatures {
    private Signatures() {}

    static String of(Item.Definition d) {
        return switch (d) {
            case Item.ExternDef e -> "extern " + e.kind().name() + " " + e.name().name() + params(e.params())
                    + (e.result() == null ? "" : ": " + e.result().span().text())
                    + (e.properties().isEmpty() ? "" : " is " + e.properties().stream().map(p -> p.name()).collect(Collectors.joining(", ")));
            case Item.NetDef n -> "net " + n.name().name() + params(n.params());
            case Item.MaskDef m -> "mask " + m.name().name() + params(m.params()) + " = " + oneLine(m.body());
            case Item.TheoryDef t -> {
                var lines = new ArrayList<String>();
                lines.add("theory " + t.name().name() + params(t.params()));
                for (TheoryMember m : t.members()) {
                    if (m instanceof TheoryMember.Field || m instanceof TheoryMember.Symmetry || m instanceof TheoryMember.Observable) {
                        lines.add("    " + oneLine(m));
                    }
                }
                yield String.join("\n", lines);
            }
            case Item.TheoryInst t -> "theory " + t.name().name() + " = " + oneLine(t.value());
            case Item.FlowDef f -> "flow " + f.name().name() + (f.params().isEmpty() ? "" : params(f.params()))
                    + " for " + f.theory().name()
                    + (f.claims().isEmpty() ? "" : " equivariant " + f.claims().stream().map(c -> c.name()).collect(Collectors.joining(", ")));
            case org.equiflow.compiler.ast.Let l -> "let " + l.name().name() + " = " + oneLine(l.value());
        };
    }

    static String of(Symbol symbol) {
        return switch (symbol) {
            case Symbol.Global g -> of(g.definition());
            case Symbol.Parameter p -> "parameter " + oneLine(p.param());
            case Symbol.Local l -> switch (l.kind()) {
                case LET -> "let " + l.name();
                case REPEAT -> "repeat counter " + l.name() + ": int";
                case FOR -> "for element " + l.name();
            };
            case Symbol.LatticeVar v -> "lattice variable " + v.name() + " (bound by `" + oneLine(v.binder()) + "`)";
            case Symbol.Field f -> oneLine(f.field());
        };
    }

    static String params(List<Param> params) {
        return "(" + params.stream().map(Signatures::oneLine).collect(Collectors.joining(", ")) + ")";
    }

    /** The source text of a node on one line (runs of white space and line comments folded). */
    static String oneLine(Node node) {
        return node.span().text().replaceAll("//[^\n]*", "").replaceAll("\\s+", " ").trim();
    }

    /**
     * The comment block right above a declaration: the {@code //} lines that end on the line before
     * it (no blank line between), their markers removed. Empty when there is none.
     */
    static String docComment(SourceFile file, int declarationStart) {
        int line = file.lineOf(declarationStart) - 1;
        List<String> lines = new ArrayList<>();
        while (line >= 1) {
            String text = file.lineText(line).strip();
            if (!text.startsWith("//")) break;
            lines.addFirst(text.substring(2).strip());
            line--;
        }
        return String.join("\n", lines);
    }
}
