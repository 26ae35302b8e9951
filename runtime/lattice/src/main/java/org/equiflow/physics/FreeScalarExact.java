package org.equiflow.physics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The free scalar field: φ⁴ at λ = 0 with m² > 0 is Gaussian, e^{−S} = e^{−φᵀAφ}, and every
 * measurement follows from its covariance C = (2A)⁻¹, diagonal in momentum space on the periodic
 * lattice: C̃(p) = c / (p̂² + m²), p̂² = Σ_μ 4 sin²(p_μ/2), p_μ = 2πn_μ/L_μ. The normalisation c
 * is the action's: ½ for std {@code phi4} (S = Σₓ[Σ_μ φₓ(2φₓ − φₓ₊μ − φₓ₋μ) + m²φₓ²], so
 * A = −Δ + m²), 1 for std {@code phi4_standard} (S = ½Σₓ[Σ_μ(φₓ₊μ − φₓ)² + m²φₓ²]).
 *
 * <ul>
 *   <li>{@code phi2} = ⟨(1/V)Σₓφ²⟩ = G(0) = (c/V) Σ_p 1/(p̂² + m²);</li>
 *   <li>{@code susceptibility} = V⟨m²⟩ = C̃(0) = c/m² (the zero mode; not connected, ⟨m⟩ = 0);</li>
 *   <li>{@code magnetization} (the theory's observable, mean φ) = 0;</li>
 *   <li>{@code abs_magnetization} = ⟨|m|⟩ = √(2/π) σ, m Gaussian with σ² = c/(m²V);</li>
 *   <li>{@code binder_cumulant} = 1 − ⟨m⁴⟩/3⟨m²⟩² = 0 (Gaussian m);</li>
 *   <li>{@code correlation_length} = ξ₂ = √(C̃(0)/C̃(p₁) − 1) / (2 sin(π/L₀)) = 1/m;</li>
 *   <li>G(t) = Σ_x⃗ ⟨φ(t, x⃗)φ(0)⟩ = (c/L₀) Σ_{p₀} cos(p₀t) / (4 sin²(p₀/2) + m²).</li>
 * </ul>
 *
 * @param normalization c, the covariance's numerator
 */
public record FreeScalarExact(String theory, List<Integer> lattice, double m2, double normalization) implements ExactAnswer {

    public FreeScalarExact {
        lattice = List.copyOf(lattice);
        if (!(m2 > 0)) throw new IllegalArgumentException("the free field needs m² > 0 (a zero mode otherwise), got " + m2);
    }

    /** std.theories.phi4 (the notebook's convention), exact at λ = 0 and m² > 0. */
    static ExactAnswers.Lookup phi4(StandardTheory theory) { return lookup(theory, 0.5); }

    /** std.theories.phi4_standard, exact at λ = 0 and m² > 0. */
    static ExactAnswers.Lookup phi4Standard(StandardTheory theory) { return lookup(theory, 1.0); }

    private static ExactAnswers.Lookup lookup(StandardTheory theory, double normalization) {
        double lambda = theory.parameter("lambda"), m2 = theory.parameter("m2");
        if (lambda != 0) return new ExactAnswers.Unknown("λ = " + lambda + " ≠ 0: the interacting theory has no exact solution here");
        if (!(m2 > 0)) return new ExactAnswers.Unknown("m² = " + m2 + " ≤ 0: the free field has no stable Gaussian (the zero mode is unbounded)");
        return new ExactAnswers.Known(new FreeScalarExact(theory.qualifiedName(), theory.lattice(), m2, normalization));
    }

    @Override
    public String description() {
        return "free field (" + theory + ", λ = 0, m² = " + m2 + ", " + lattice + "): momentum sum of " + normalization + "/(p̂² + m²)";
    }

    @Override
    public Map<String, Double> values() {
        int volume = 1;
        for (int extent : lattice) volume *= extent;
        // ScalarObservables' free-field sums are in phi4's convention, c = ½; other actions rescale them.
        double scale = 2 * normalization;
        double zeroMode = normalization / m2;
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("magnetization", 0.0);
        values.put("abs_magnetization", Math.sqrt(2 / Math.PI * zeroMode / volume));
        values.put("phi2", scale * ScalarObservables.freeFieldTwoPoint(lattice, m2)[0]);
        values.put("susceptibility", zeroMode);
        values.put("binder_cumulant", 0.0);
        values.put("correlation_length", 1 / Math.sqrt(m2));
        return values;
    }

    @Override
    public double[] correlator() {
        double[] g = ScalarObservables.freeFieldZeroMomentum(lattice.get(0), m2);
        for (int t = 0; t < g.length; t++) g[t] *= 2 * normalization;
        return g;
    }
}
