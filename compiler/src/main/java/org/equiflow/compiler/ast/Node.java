package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** Every syntax node knows where it came from, so every error can point at it. */
public sealed interface Node permits Module, Item, TheoryMember, Stmt, Expr, Ident, Param, TypeRef,
        FieldTypeRef, Arg, Binder, Setting {
    Span span();
}
