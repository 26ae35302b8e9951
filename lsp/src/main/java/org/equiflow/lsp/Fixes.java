package org.equiflow.lsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Span;

/**
 * The checker's {@code help:} lines that are mechanical edits, as quick fixes: "did you mean `x`?"
 * (replace the name), "add `use std.masks.checkerboard`" (insert the import after the others),
 * "`symmetrize z2`" in the flow (insert it at the end of the flow's body), and "remove the import"
 * of an unused name. Other help lines
 * need a decision and stay text in the diagnostic.
 */
final class Fixes {
    private static final Pattern DID_YOU_MEAN = Pattern.compile("did you mean `([^`]+)`\\?(?: It is defined in `[^`]+`: add `(use [^`]+)`)?");
    private static final Pattern ADD_USE = Pattern.compile(".*\\badd `(use [A-Za-z_][\\w.]*)`");
    private static final Pattern SYMMETRIZE = Pattern.compile(".*\\b(?:add|write) `symmetrize ([a-z_][a-z_0-9]*(?:, [a-z_][a-z_0-9]*)*)`.*", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_]\\w*(?:\\.[A-Za-z_]\\w*)*");

    private Fixes() {}

    static List<CodeAction> fixes(Analysis a, Range range, java.util.function.Function<Diagnostic, org.eclipse.lsp4j.Diagnostic> shown) {
        List<CodeAction> out = new ArrayList<>();
        for (Diagnostic d : a.diagnostics) {
            if (!a.inDocument(d.span()) || !overlaps(Positions.range(d.span()), range)) continue;
            for (String help : d.help()) {
                CodeAction action = fix(a, d, help);
                if (action == null) continue;
                action.setKind(CodeActionKind.QuickFix);
                org.eclipse.lsp4j.Diagnostic lsp = shown.apply(d);
                if (lsp != null) action.setDiagnostics(List.of(lsp));
                out.add(action);
            }
        }
        return out;
    }

    static CodeAction fix(Analysis a, Diagnostic d, String help) {
        Matcher m = DID_YOU_MEAN.matcher(help);
        if (m.matches()) {
            String written = d.span().text();
            if (!NAME.matcher(written).matches()) return null;
            List<TextEdit> edits = new ArrayList<>();
            edits.add(new TextEdit(Positions.range(d.span()), m.group(1)));
            String title = "Replace `" + written + "` with `" + m.group(1) + "`";
            if (m.group(2) != null) {
                edits.add(addUse(a, m.group(2)));
                title += " and add `" + m.group(2) + "`";
            }
            return action(a, title, edits);
        }
        if (help.equals("remove the import")) {
            TextEdit edit = removeImport(a, d.span());
            return edit == null ? null : action(a, "Remove the unused import `" + d.span().text() + "`", List.of(edit));
        }
        m = ADD_USE.matcher(help);
        if (m.matches()) return action(a, "Add `" + m.group(1) + "`", List.of(addUse(a, m.group(1))));
        m = SYMMETRIZE.matcher(help);
        if (m.matches()) {
            TextEdit edit = symmetrize(a, d.span(), m.group(1));
            return edit == null ? null : action(a, "Add `symmetrize " + m.group(1) + "` to the flow", List.of(edit));
        }
        return null;
    }

    /** The import on a line of its own after the last {@code use} line, or before the first declaration. */
    private static TextEdit addUse(Analysis a, String use) {
        String[] lines = a.text.split("\n", -1);
        int after = -1, firstCode = -1;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.startsWith("use ")) after = i;
            if (firstCode < 0 && !l.isEmpty() && !l.startsWith("//")) firstCode = i;
        }
        int line = after >= 0 ? after + 1 : Math.max(firstCode, 0);
        var at = new org.eclipse.lsp4j.Position(line, 0);
        return new TextEdit(new Range(at, at), use + "\n");
    }

    /** The imported name at {@code span}: its whole {@code use} line when it is the only name, else the name and one comma. */
    private static TextEdit removeImport(Analysis a, Span span) {
        if (a.ast == null) return null;
        for (Item item : a.ast.items()) {
            if (!(item instanceof Item.Use use) || !Nodes.contains(use.span(), span.start())) continue;
            int from, to;
            if (use.names().size() == 1) {
                from = a.text.lastIndexOf('\n', use.span().start() - 1) + 1;
                int lineEnd = a.text.indexOf('\n', use.span().end());
                to = lineEnd < 0 ? a.text.length() : lineEnd + 1;
                if (!a.text.substring(from, use.span().start()).isBlank() || !a.text.substring(use.span().end(), lineEnd < 0 ? to : lineEnd).isBlank()) {
                    from = use.span().start();
                    to = use.span().end();
                }
            } else {
                int i = use.names().indexOf(use.names().stream().filter(n -> n.span().start() == span.start()).findFirst().orElse(null));
                if (i < 0) return null;
                if (i + 1 < use.names().size()) {
                    from = span.start();
                    to = use.names().get(i + 1).span().start();
                } else {
                    from = use.names().get(i - 1).span().end();
                    to = span.end();
                }
            }
            return new TextEdit(new Range(Positions.positionIn(a.text, from), Positions.positionIn(a.text, to)), "");
        }
        return null;
    }

    /** {@code symmetrize …} as the last statement of the flow whose body holds {@code span}. */
    private static TextEdit symmetrize(Analysis a, Span span, String symmetries) {
        if (a.ast == null) return null;
        for (Item item : a.ast.items()) {
            if (!(item instanceof Item.FlowDef flow) || !Nodes.contains(flow.span(), span.start())) continue;
            int close = flow.span().end() - 1;
            if (close < 0 || close >= a.text.length() || a.text.charAt(close) != '}') return null;
            String indent = "    ";
            if (!flow.body().isEmpty()) {
                int first = flow.body().get(0).span().start();
                int lineStart = a.text.lastIndexOf('\n', first - 1) + 1;
                if (a.text.substring(lineStart, first).isBlank()) indent = a.text.substring(lineStart, first);
            }
            int lineStart = a.text.lastIndexOf('\n', close - 1) + 1;
            boolean ownLine = a.text.substring(lineStart, close).isBlank();
            int at = ownLine ? lineStart : close;
            String insert = (ownLine ? "" : "\n") + indent + "symmetrize " + symmetries + "\n";
            var position = Positions.positionIn(a.text, at);
            return new TextEdit(new Range(position, position), insert);
        }
        return null;
    }

    private static CodeAction action(Analysis a, String title, List<TextEdit> edits) {
        var action = new CodeAction(title);
        action.setEdit(new WorkspaceEdit(Map.of(a.uri, edits)));
        return action;
    }

    private static boolean overlaps(Range x, Range y) {
        return !(before(x.getEnd(), y.getStart()) || before(y.getEnd(), x.getStart()));
    }

    private static boolean before(org.eclipse.lsp4j.Position p, org.eclipse.lsp4j.Position q) {
        return p.getLine() < q.getLine() || p.getLine() == q.getLine() && p.getCharacter() < q.getCharacter();
    }
}
