package org.equiflow.compiler.ast;

import org.equiflow.compiler.diag.Span;

/**
 * The variables of a lattice reduction: {@code sum x}, {@code sum mu < nu} (second set: an
 * ordered pair of directions), {@code sum x in sites} (place set: the kind is explicit).
 */
public record Binder(Ident first, Ident second, Ident place, Span span) implements Node {}
