package org.equiflow.physics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 2D SU(N) gauge theory with the Wilson action (std {@code su2}, {@code su3}) on the periodic L₀×L₁ torus, from the
 * character expansion of {@link SuNTorusExact}: {@code plaquette_mean} (the theories' observable,
 * ⟨(1/N) Re tr P⟩) = (1/V) ∂_β ln Z, and the built-in {@code wilson_loops}' rows {@code wilson_loop_nxn} =
 * ⟨(1/N) Re tr W⟩ of the n×n loop (area n²) for n = 1 … ⌊min(L₀, L₁)/2⌋. The Polyakov loop has no row: ⟨|L|⟩ on the
 * torus has no closed form here. Valid for 0 < β/N ≤ {@value SuNTorusExact#MAX_BETA_OVER_N}, where the sum over
 * irreps is converged.
 */
public record SuNTorusExactAnswer(int n, List<Integer> lattice, double beta) implements ExactAnswer {

    public SuNTorusExactAnswer {
        lattice = List.copyOf(lattice);
    }

    static ExactAnswers.Lookup su2(StandardTheory theory) { return of(2, theory); }

    static ExactAnswers.Lookup su3(StandardTheory theory) { return of(3, theory); }

    private static ExactAnswers.Lookup of(int n, StandardTheory theory) {
        double beta = theory.parameter("beta");
        if (theory.lattice().size() != 2) {
            return new ExactAnswers.Unknown("the torus solution is 2D only; this lattice is " + theory.lattice().size() + "D");
        }
        if (!(beta > 0 && beta / n <= SuNTorusExact.MAX_BETA_OVER_N)) {
            return new ExactAnswers.Unknown("β = " + beta + " is outside (0, " + n * SuNTorusExact.MAX_BETA_OVER_N
                    + "], where the sum over irreps is converged");
        }
        return new ExactAnswers.Known(new SuNTorusExactAnswer(n, theory.lattice(), beta));
    }

    @Override
    public String description() {
        return "2D SU(" + n + ") on the " + lattice.get(0) + "×" + lattice.get(1) + " torus at β = " + beta
                + ": character expansion over irreps";
    }

    @Override
    public Map<String, Double> values() {
        Map<String, Double> values = new LinkedHashMap<>();
        var exact = new SuNTorusExact(n, beta);
        int volume = lattice.get(0) * lattice.get(1);
        values.put("plaquette_mean", exact.plaquette(volume));
        for (int k = 1; k <= Math.min(lattice.get(0), lattice.get(1)) / 2; k++) {
            values.put("wilson_loop_" + k + "x" + k, exact.wilsonLoop(k * k, volume));
        }
        return values;
    }

    @Override
    public double[] correlator() { return new double[0]; }

    @Override
    public java.util.OptionalDouble logPartitionFunction() {
        return java.util.OptionalDouble.of(new SuNTorusExact(n, beta).logPartitionFunction(lattice.get(0) * lattice.get(1)));
    }
}
