package org.equiflow.compiler.ast;

import java.util.List;
import org.equiflow.compiler.diag.Span;

/** Expressions: constants, lattice expressions of actions, and constructions of nets, masks, layers. */
public sealed interface Expr extends Node {

    record IntLit(long value, Span span) implements Expr {}

    record RealLit(double value, Span span) implements Expr {}

    record BoolLit(boolean value, Span span) implements Expr {}

    record Name(Ident id, Span span) implements Expr {
        public String name() { return id.name(); }
    }

    /** {@code phi[x + mu]}, {@code U[x, mu]} */
    record Index(Expr target, List<Expr> indices, Span span) implements Expr {
        public Index { indices = List.copyOf(indices); }
    }

    /** {@code checkerboard(parity = i % 2)} */
    record Call(Expr callee, List<Arg> args, Span span) implements Expr {
        public Call { args = List.copyOf(args); }
    }

    /** {@code T.m2} */
    record Member(Expr target, Ident member, Span span) implements Expr {}

    record Unary(UnaryOp op, Expr operand, Span span) implements Expr {}

    record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

    /** {@code sum x { … }}, {@code mean x { … }}, {@code sum mu < nu { … }} */
    record Reduce(Ident reducer, Binder binder, Expr body, Span span) implements Expr {}

    record Tuple(List<Expr> elements, Span span) implements Expr {
        public Tuple { elements = List.copyOf(elements); }
    }

    record ListLit(List<Expr> elements, Span span) implements Expr {
        public ListLit { elements = List.copyOf(elements); }
    }

    enum UnaryOp {
        NEG("-"), PLUS("+"), NOT("not");

        public final String symbol;

        UnaryOp(String symbol) { this.symbol = symbol; }
    }

    enum BinaryOp {
        POW("^", 7), MUL("*", 6), DIV("/", 6), MOD("%", 6), ADD("+", 5), SUB("-", 5),
        LT("<", 4), LE("<=", 4), GT(">", 4), GE(">=", 4), EQ("==", 4), NE("!=", 4),
        AND("and", 3), OR("or", 2), THEN(">>", 1);

        public final String symbol;
        public final int precedence;

        BinaryOp(String symbol, int precedence) {
            this.symbol = symbol;
            this.precedence = precedence;
        }

        public boolean isComparison() { return precedence == 4; }
    }
}
