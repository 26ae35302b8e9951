package org.equiflow.compiler.symmetry;

import java.util.List;

/**
 * One condition a lattice shift a = (a0, …, a(d−1)) must meet for a layer to commute with it:
 * Σ coefficients[i]·a[i] ≡ 0 (mod modulus). A checkerboard mask gives (1, …, 1) mod 2 (even total
 * shift); stripes along axis k with period n give e_k mod n.
 */
public record ShiftConstraint(List<Integer> coefficients, int modulus, String origin) {
    public ShiftConstraint { coefficients = List.copyOf(coefficients); }

    public boolean allows(int[] shift) {
        long sum = 0;
        for (int i = 0; i < shift.length; i++) sum += (long) coefficients.get(i) * shift[i];
        return Math.floorMod(sum, modulus) == 0;
    }

    /** "a0 + a1 even" or "a1 ≡ 0 (mod 4)". */
    public String describe() {
        var terms = new StringBuilder();
        for (int i = 0; i < coefficients.size(); i++) {
            int c = coefficients.get(i);
            if (c == 0) continue;
            if (!terms.isEmpty()) terms.append(" + ");
            terms.append(c == 1 ? "" : c + "·").append('a').append(i);
        }
        return modulus == 2 ? terms + " even" : terms + " ≡ 0 (mod " + modulus + ")";
    }

    /** Same condition, whatever its origin. */
    boolean sameCondition(ShiftConstraint other) {
        return modulus == other.modulus && coefficients.equals(other.coefficients);
    }
}
