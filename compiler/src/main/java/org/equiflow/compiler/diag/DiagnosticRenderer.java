package org.equiflow.compiler.diag;

/**
 * Renders a diagnostic the way users read it:
 * <pre>
 * error[E0300]: examples/x.flow:7:16: unknown name `chekerboard`
 *    7 |     affine(mask = chekerboard(parity = i % 2),
 *      |                   ^^^^^^^^^^^
 *    help: did you mean `checkerboard`?
 * </pre>
 */
public final class DiagnosticRenderer {
    private final boolean color;

    public DiagnosticRenderer(boolean color) { this.color = color; }

    public String render(Diagnostic d) {
        var out = new StringBuilder();
        String head = d.severity().label() + "[" + d.code().id() + "]";
        out.append(color ? paint(head, d.isError() ? "1;31" : "1;33") : head).append(": ");
        if (d.span() != null) out.append(d.span().location()).append(": ");
        out.append(d.message()).append('\n');
        if (d.span() != null) excerpt(out, d.span());
        for (var note : d.notes()) {
            out.append("   note: ").append(note.message());
            if (note.span() != null) out.append(" (").append(note.span().location()).append(')');
            out.append('\n');
        }
        for (var help : d.help()) {
            out.append("   ").append(color ? paint("help:", "1;36") : "help:").append(' ')
               .append(help.replace("\n", "\n         ")).append('\n');
        }
        return out.toString();
    }

    private void excerpt(StringBuilder out, Span span) {
        SourceFile file = span.file();
        int line = span.line();
        String text = file.lineText(line);
        String gutter = String.valueOf(line);
        String pad = " ".repeat(gutter.length());
        // Long lines (a minified or generated file) are clipped around the caret.
        int col = span.column() - 1;
        int clipStart = 0;
        if (text.length() > 160) {
            clipStart = Math.max(0, col - 60);
            text = (clipStart > 0 ? "…" : "") + text.substring(clipStart, Math.min(text.length(), clipStart + 120)) + "…";
            col = col - clipStart + (clipStart > 0 ? 1 : 0);
        }
        int lineEnd = file.lineText(line).length() - clipStart + (clipStart > 0 ? 1 : 0);
        int width = Math.max(1, Math.min(span.end() - span.start(), Math.max(1, lineEnd - col)));
        if (text.length() > 160) width = Math.min(width, 120);
        out.append("  ").append(gutter).append(" | ").append(printable(text)).append('\n');
        out.append("  ").append(pad).append(" | ").append(leadingWhitespace(text, col))
           .append(color ? paint("^".repeat(width), "1;31") : "^".repeat(width)).append('\n');
    }

    /** Keeps tabs so the caret lines up under the offending text. */
    private static String leadingWhitespace(String line, int col) {
        var sb = new StringBuilder();
        for (int i = 0; i < col; i++) sb.append(i < line.length() && line.charAt(i) == '\t' ? '\t' : ' ');
        return sb.toString();
    }

    private static String printable(String s) {
        var sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 && c != '\t' ? '?' : c);
        }
        return sb.toString();
    }

    private static String paint(String s, String code) { return "\u001b[" + code + "m" + s + "\u001b[0m"; }
}
