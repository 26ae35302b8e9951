package org.equiflow.compiler.diag;

/** A half-open character range [start, end) in one source file. Every AST node carries one. */
public record Span(SourceFile file, int start, int end) {

    public Span {
        if (end < start) end = start;
    }

    public int line() { return file.lineOf(start); }

    public int column() { return file.columnOf(start); }

    /** The smallest span covering both; both must be in the same file. */
    public Span to(Span other) {
        return new Span(file, Math.min(start, other.start), Math.max(end, other.end));
    }

    public String text() {
        return file.text().substring(Math.min(start, file.text().length()), Math.min(end, file.text().length()));
    }

    /** {@code file:line:col}, the form diagnostics and notes print. */
    public String location() {
        return file.displayName() + ":" + line() + ":" + column();
    }

    @Override
    public String toString() { return location(); }
}
