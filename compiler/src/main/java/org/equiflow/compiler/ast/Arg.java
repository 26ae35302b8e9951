package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** A call argument; name is null for a positional one. */
public record Arg(Ident name, Expr value, Span span) implements Node {}
