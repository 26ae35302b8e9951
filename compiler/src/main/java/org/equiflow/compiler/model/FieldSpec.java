package org.equiflow.compiler.model;

/** A field of a theory: real scalars on sites, or U(1) (n = 1) / SU(n) links. */
public record FieldSpec(String name, Kind kind, int n) {
    public enum Kind { REAL, U1, SUN }

    public boolean onLinks() { return kind != Kind.REAL; }

    /** The Casimir of this link field's group: C_F of {@link #casimir(boolean, int)}. */
    public double casimir() { return casimir(kind == Kind.U1, n); }

    /**
     * Σₐ TᵃTᵃ = −C_F·𝟙 for the generators with tr TᵃTᵇ = −½δᵃᵇ: C_F = (N²−1)/2N for SU(N), and 1 for
     * U(1) (one generator, ∂ = ∂/∂θ). The group Laplacian of a loop through a link carries it.
     */
    public static double casimir(boolean abelian, int n) { return abelian ? 1.0 : (n * n - 1) / (2.0 * n); }

    @Override
    public String toString() {
        return name + ": " + switch (kind) {
            case REAL -> "real on sites";
            case U1 -> "U(1) on links";
            case SUN -> "SU(" + n + ") on links";
        };
    }
}
