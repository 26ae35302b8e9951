package org.equiflow.compiler.check;

/**
 * Types of lattice expressions (actions, observables, symmetry images). A field name alone is
 * a whole field; indexed, it is the value at one site ({@code real}) or on one link (a group
 * element: complex for U(1), an N×N matrix for SU(N)).
 */
public sealed interface LatticeType {
    record Int() implements LatticeType { public String toString() { return "int"; } }

    record Real() implements LatticeType { public String toString() { return "real"; } }

    record Complex() implements LatticeType { public String toString() { return "complex"; } }

    record Matrix(int n) implements LatticeType { public String toString() { return "SU(" + n + ") matrix"; } }

    record Bool() implements LatticeType { public String toString() { return "bool"; } }

    record Site() implements LatticeType { public String toString() { return "site"; } }

    record Dir() implements LatticeType { public String toString() { return "direction"; } }

    record SiteField(String name) implements LatticeType { public String toString() { return "field on sites"; } }

    /** n = 1 for U(1). */
    record LinkField(String name, int n) implements LatticeType {
        public LatticeType element() { return n == 1 ? COMPLEX : new Matrix(n); }

        public String toString() { return (n == 1 ? "U(1)" : "SU(" + n + ")") + " field on links"; }
    }

    record Shape() implements LatticeType { public String toString() { return "shape"; } }

    /** A value that is not part of lattice arithmetic (a net, a mask, …). */
    record Other(String description) implements LatticeType { public String toString() { return description; } }

    /** The type of an expression that already produced an error: never reported again. */
    record Error() implements LatticeType { public String toString() { return "<error>"; } }

    LatticeType INT = new Int(), REAL = new Real(), COMPLEX = new Complex(), BOOL = new Bool(),
            SITE = new Site(), DIR = new Dir(), SHAPE = new Shape(), ERROR = new Error();

    default boolean isNumber() { return this instanceof Int || this instanceof Real || this instanceof Complex || this instanceof Matrix; }
}
