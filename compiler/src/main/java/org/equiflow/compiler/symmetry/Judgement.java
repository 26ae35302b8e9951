package org.equiflow.compiler.symmetry;

import java.util.List;

/**
 * The checker's verdict on one symmetry for one layer, the prior, or the whole flow, with its
 * reasons. For translation, {@code shifts} lists the conditions a shift must meet (empty: all
 * shifts); it is meaningful when the status is not BROKEN.
 */
public record Judgement(String symmetry, Status status, List<Finding> findings, List<ShiftConstraint> shifts) {
    public Judgement {
        findings = List.copyOf(findings);
        shifts = List.copyOf(shifts);
    }

    public boolean holds() { return status != Status.BROKEN; }

    /** Whether the map commutes with the lattice shift a (translation only). */
    public boolean allowsShift(int[] shift) {
        return status != Status.BROKEN && shifts.stream().allMatch(c -> c.allows(shift));
    }

    public List<Finding> breaks() { return findings.stream().filter(Finding::breaks).toList(); }
}
