package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** {@code hidden: [int] = [8, 8]}; defaultValue is null for a required parameter. */
public record Param(Ident name, TypeRef type, Expr defaultValue, Span span) implements Node {}
