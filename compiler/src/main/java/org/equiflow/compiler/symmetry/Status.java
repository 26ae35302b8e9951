package org.equiflow.compiler.symmetry;

/** What the checker concludes about one symmetry of one layer, prior or flow. */
public enum Status {
    /** the map commutes with every element of the group (and its log-det is invariant) */
    HOLDS,
    /** it commutes with a subgroup only: the lattice shifts that preserve a mask */
    RESTRICTED,
    /** it does not commute with the group: a counterexample exists for generic parameters */
    BROKEN;

    public String word() {
        return switch (this) {
            case HOLDS -> "holds";
            case RESTRICTED -> "holds for a subgroup";
            case BROKEN -> "broken";
        };
    }
}
