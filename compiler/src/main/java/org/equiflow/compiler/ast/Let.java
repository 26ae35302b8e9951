package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** {@code let name = expr}: a named constant, at top level, in a theory, or in a body. */
public record Let(Ident name, Expr value, Span span) implements Item.Definition, TheoryMember, Stmt {}
