package org.equiflow.compiler.ast;

import java.util.List;
import org.equiflow.compiler.diag.Span;

/** A statement of a flow or net body. Which statements are legal where is the checker's call. */
public sealed interface Stmt extends Node permits Stmt.Prior, Stmt.Repeat, Stmt.For, Stmt.Symmetrize,
        Stmt.Eval, Let {

    /** {@code prior normal(sigma = 1.0)} */
    record Prior(Expr prior, Span span) implements Stmt {}

    /** {@code repeat i in 0..depth { … }}: unrolled at compile time, upper bound exclusive. */
    record Repeat(Ident var, Expr from, Expr to, List<Stmt> body, Span span) implements Stmt {
        public Repeat { body = List.copyOf(body); }
    }

    /** {@code for h in hidden { … }}: unrolled over a compile-time list. */
    record For(Ident var, Expr iterable, List<Stmt> body, Span span) implements Stmt {
        public For { body = List.copyOf(body); }
    }

    /** {@code symmetrize z2}: the self-mixture q(φ) = ½(q(φ) + q(−φ)). */
    record Symmetrize(List<Ident> symmetries, Span span) implements Stmt {
        public Symmetrize { symmetries = List.copyOf(symmetries); }
    }

    /** A layer in a flow, a stage in a net. */
    record Eval(Expr expr, Span span) implements Stmt {}
}
