package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** A written type: {@code real}, {@code [int]}, {@code list[int]}, {@code int?}. */
public sealed interface TypeRef extends Node {
    record Named(Ident name, TypeRef argument, Span span) implements TypeRef {}

    record ListOf(TypeRef element, Span span) implements TypeRef {}

    /** An optional parameter: absent unless given (no default value). */
    record Optional(TypeRef inner, Span span) implements TypeRef {}
}
