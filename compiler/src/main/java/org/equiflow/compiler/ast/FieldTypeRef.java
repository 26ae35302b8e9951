package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** {@code real on sites}, {@code U(1) on links}, {@code SU(3) on links}; n is null without parentheses. */
public record FieldTypeRef(Ident kind, Integer n, Ident place, Span span) implements Node {}
