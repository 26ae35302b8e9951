package org.equiflow.physics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * 2D U(1) gauge theory with the Wilson action (std {@code u1}) on the periodic L₀×L₁ torus, from
 * the character expansion of {@link U1Exact}: the V = L₀L₁ plaquette angles are independent up to
 * the one constraint Σₓ φₓ ≡ 0 (mod 2π).
 *
 * <ul>
 *   <li>{@code plaquette_mean} (the theory's observable, ⟨(1/V)Σₓ cos P⟩) = Σₙ Iₙ^{V−1} Iₙ′ / Σₙ Iₙ^V;</li>
 *   <li>{@code topological_charge} (the theory's observable, Σ arg P / 2π) = 0;</li>
 *   <li>{@code topological_charge_squared} = ⟨Q²⟩ with the geometric Q the runtime measures, and
 *       {@code topological_susceptibility} = ⟨Q²⟩/V;</li>
 *   <li>{@code wilson_loop_nxn} = W(n²) = Σ_k I_{k+1}^{n²} I_k^{V−n²} / Σ_k I_k^V for n = 1 … ⌊min(L₀, L₁)/2⌋.</li>
 * </ul>
 *
 * Valid for 0 < β ≤ {@value #LARGEST_BETA}: the sums over windings are truncated where the
 * neglected terms are below 1e-30 only up to there ({@link U1Exact}).
 */
public record U1TorusExact(List<Integer> lattice, double beta) implements ExactAnswer {
    static final double LARGEST_BETA = 20;

    public U1TorusExact {
        lattice = List.copyOf(lattice);
    }

    /** std.theories.u1, exact on 2D lattices of at least 4 plaquettes for 0 < β ≤ 20. */
    static ExactAnswers.Lookup of(StandardTheory theory) {
        double beta = theory.parameter("beta");
        if (theory.lattice().size() != 2) {
            return new ExactAnswers.Unknown("the torus solution is 2D only; this lattice is " + theory.lattice().size() + "D");
        }
        // A recorded run's lattice is not re-checked by the compiler; the Fourier sum for ⟨Q²⟩ needs V ≥ 3.
        if (theory.volume() < 4) return new ExactAnswers.Unknown("the torus solution needs at least 4 plaquettes, this lattice has " + theory.volume());
        if (!(beta > 0 && beta <= LARGEST_BETA)) {
            return new ExactAnswers.Unknown("β = " + beta + " is outside (0, " + LARGEST_BETA + "], where the winding sums are converged");
        }
        return new ExactAnswers.Known(new U1TorusExact(theory.lattice(), beta));
    }

    private int volume() { return lattice.get(0) * lattice.get(1); }

    @Override
    public String description() {
        return "2D U(1) on the " + lattice.get(0) + "×" + lattice.get(1) + " torus at β = " + beta + ": character expansion in Iₙ(β)";
    }

    @Override
    public Map<String, Double> values() {
        int volume = volume();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("plaquette_mean", U1Exact.plaquette(beta, volume));
        values.put("topological_charge", 0.0);
        values.put("topological_charge_squared", U1Exact.topologicalChargeSquared(beta, volume));
        values.put("topological_susceptibility", U1Exact.topologicalSusceptibility(beta, volume));
        for (int n = 1; n <= Math.min(lattice.get(0), lattice.get(1)) / 2; n++) {
            values.put("wilson_loop_" + n + "x" + n, U1Exact.wilsonLoop(beta, volume, n * n));
        }
        return values;
    }

    @Override
    public double[] correlator() { return new double[0]; }
}
