package org.equiflow.lsp;

import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;

/**
 * Offsets of the compiler (indices into a Java string, i.e. UTF-16 code units) and LSP positions
 * (0-based line, UTF-16 character: the protocol's default encoding), both ways.
 */
final class Positions {
    private Positions() {}

    static Position position(SourceFile file, int offset) {
        int clamped = Math.max(0, Math.min(offset, file.text().length()));
        int line = file.lineOf(clamped);
        return new Position(line - 1, clamped - file.lineStarts().get(line - 1));
    }

    static Range range(Span span) {
        return new Range(position(span.file(), span.start()), position(span.file(), span.end()));
    }

    /** The offset of an LSP position in {@code text}; positions past a line's end or the text's end are clamped. */
    static int offset(String text, Position position) {
        int line = 0, i = 0;
        while (line < position.getLine() && i < text.length()) {
            if (text.charAt(i) == '\n') line++;
            i++;
        }
        if (line < position.getLine()) return text.length();
        int end = text.indexOf('\n', i);
        if (end < 0) end = text.length();
        return Math.min(i + Math.max(0, position.getCharacter()), end);
    }

    static Position positionIn(String text, int offset) {
        return position(SourceFile.of("", text), offset);
    }
}
