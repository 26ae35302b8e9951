package org.equiflow.compiler.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the diagnostics of a compilation. Phases report everything they find and the
 * pipeline stops after a phase that reported an error, so users see every error of a phase
 * at once without the noise of later phases working on broken input.
 */
public final class Diagnostics {
    private final List<Diagnostic> all = new ArrayList<>();

    public Diagnostic error(ErrorCode code, Span span, String message) {
        return add(new Diagnostic(code, Severity.ERROR, span, message, List.of(), List.of()));
    }

    public Diagnostic warning(ErrorCode code, Span span, String message) {
        return add(new Diagnostic(code, Severity.WARNING, span, message, List.of(), List.of()));
    }

    /** Reports a fully built diagnostic; returns it for chaining in tests. */
    public Diagnostic add(Diagnostic d) {
        all.add(d);
        return d;
    }

    /** Replaces the last reported diagnostic, for builders that add notes after the fact. */
    public void amendLast(java.util.function.UnaryOperator<Diagnostic> change) {
        amend(all.size() - 1, change);
    }

    /** Replaces the diagnostic at a position of {@link #all()}, e.g. to say where a bad file was imported. */
    public void amend(int index, java.util.function.UnaryOperator<Diagnostic> change) {
        all.set(index, change.apply(all.get(index)));
    }

    public void addAll(Collection<Diagnostic> ds) { all.addAll(ds); }

    public boolean hasErrors() { return all.stream().anyMatch(Diagnostic::isError); }

    public long errorCount() { return all.stream().filter(Diagnostic::isError).count(); }

    public long warningCount() { return all.size() - errorCount(); }

    /** In source order (file, then position), stable for equal positions. */
    public List<Diagnostic> sorted() {
        var copy = new ArrayList<>(all);
        copy.sort(Comparator
                .comparing((Diagnostic d) -> d.span() == null ? "" : d.span().file().displayName())
                .thenComparingInt(d -> d.span() == null ? -1 : d.span().start()));
        return copy;
    }

    public List<Diagnostic> all() { return List.copyOf(all); }
}
