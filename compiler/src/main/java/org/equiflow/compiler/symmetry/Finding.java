package org.equiflow.compiler.symmetry;

import java.util.List;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Span;

/**
 * One reason behind a verdict: what holds or breaks, where (the argument responsible), why
 * (notes pointing at e.g. an activation's declaration) and, for a break, the legal fixes.
 */
public record Finding(boolean breaks, String what, Span at, List<Diagnostic.Note> notes, List<String> fixes) {
    public Finding {
        notes = List.copyOf(notes);
        fixes = List.copyOf(fixes);
    }

    public static Finding holds(String what) { return new Finding(false, what, null, List.of(), List.of()); }

    public static Finding breaks(String what, Span at, List<Diagnostic.Note> notes, List<String> fixes) {
        return new Finding(true, what, at, notes, fixes);
    }
}
