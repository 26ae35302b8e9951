package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/** What a theory body declares. */
public sealed interface TheoryMember extends Node permits TheoryMember.Field, TheoryMember.Action,
        TheoryMember.Symmetry, TheoryMember.Observable, Let {

    /** {@code field phi: real on sites} */
    record Field(Ident name, FieldTypeRef type, Span span) implements TheoryMember {}

    /** {@code action sum x { … }} */
    record Action(Expr expr, Span span) implements TheoryMember {}

    /** {@code symmetry z2: phi -> -phi}, or {@code symmetry gauge} (field and image null). */
    record Symmetry(Ident name, Ident field, Expr image, Span span) implements TheoryMember {}

    /** {@code observable magnetization = mean x { phi[x] }} */
    record Observable(Ident name, Expr expr, Span span) implements TheoryMember {}
}
