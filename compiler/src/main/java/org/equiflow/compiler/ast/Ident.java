package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** A name as written, with its own span (a definition's name, a parameter, a binder). */
public record Ident(String name, Span span) implements Node {
    @Override public String toString() { return name; }
}
