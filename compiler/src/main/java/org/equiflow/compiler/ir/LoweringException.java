package org.equiflow.compiler.ir;

import org.equiflow.compiler.diag.Span;

/**
 * A checked program uses something the runtime cannot execute yet. Carries the place and what
 * to do instead, so the command line can show it like any diagnostic.
 */
public final class LoweringException extends RuntimeException {
    private final transient Span span;
    private final String help;

    public LoweringException(String message, Span span, String help) {
        super(message);
        this.span = span;
        this.help = help;
    }

    public Span span() { return span; }

    public String help() { return help; }
}
