package org.equiflow.compiler.diag;

import java.util.List;

/**
 * One message for the user: a stable code, where, what, why (notes) and what to do (help).
 * A note may point at another place in the sources (the definition of a name, say).
 */
public record Diagnostic(ErrorCode code, Severity severity, Span span, String message,
                         List<Note> notes, List<String> help) {

    public record Note(String message, Span span) {
        public static Note of(String message) { return new Note(message, null); }
    }

    public Diagnostic {
        notes = List.copyOf(notes);
        help = List.copyOf(help);
    }

    public boolean isError() { return severity == Severity.ERROR; }

    public Diagnostic withNote(String message, Span at) {
        var more = new java.util.ArrayList<>(notes);
        more.add(new Note(message, at));
        return new Diagnostic(code, severity, span, message(), more, help);
    }

    public Diagnostic withHelp(String line) {
        var more = new java.util.ArrayList<>(help);
        more.add(line);
        return new Diagnostic(code, severity, span, message, notes, more);
    }

    /** The one-line form the golden tests compare: {@code E0300 7:16 unknown name `x`}. */
    public String summary() {
        String where = span == null ? "-" : span.line() + ":" + span.column();
        return code.id() + " " + where + " " + message;
    }
}
