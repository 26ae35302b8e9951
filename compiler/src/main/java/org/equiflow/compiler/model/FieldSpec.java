package org.equiflow.compiler.model;

/** A field of a theory: real scalars on sites, or U(1) (n = 1) / SU(n) links. */
public record FieldSpec(String name, Kind kind, int n) {
    public enum Kind { REAL, U1, SUN }

    public boolean onLinks() { return kind != Kind.REAL; }

    @Override
    public String toString() {
        return name + ": " + switch (kind) {
            case REAL -> "real on sites";
            case U1 -> "U(1) on links";
            case SUN -> "SU(" + n + ") on links";
        };
    }
}
