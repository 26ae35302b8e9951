package org.equiflow.physics;

import java.util.Map;

/**
 * What a theory instance's exact solution says about the runtime's measurements, under the names
 * and normalisations the runtime measures (docs/observables.md, "Exact answers"). An implementation
 * claims only observables whose definition it matches exactly; {@link ExactAnswers} says which
 * theories have one.
 */
public sealed interface ExactAnswer permits FreeScalarExact, U1TorusExact, SuNTorusExactAnswer {

    /** One line for tables: the solution and its parameters. */
    String description();

    /** Exact expectation values by the name of the results table's row (e.g. {@code phi2}, {@code plaquette_mean}). */
    Map<String, Double> values();

    /**
     * The zero-momentum correlator G(t), t = 0 … L₀ − 1, as {@code zero_momentum_correlator} measures it;
     * empty where the theory has no exact one.
     */
    double[] correlator();

    /**
     * ln Z = ln ∫ e^{−S} dμ in the measure a flow's log q is a density of (for gauge fields the Haar
     * measure of mass one per link), so that KL(q‖p) = E_q[log q + S] + ln Z; empty where unknown.
     */
    default java.util.OptionalDouble logPartitionFunction() { return java.util.OptionalDouble.empty(); }

    /** m_eff(t) = arccosh[(G(t−1) + G(t+1)) / 2G(t)] of the exact G(t), the estimator the runtime applies to measured G(t). */
    default double[] effectiveMass() {
        double[] g = correlator(), mass = new double[g.length];
        for (int t = 0; t < g.length; t++) mass[t] = ScalarObservables.effectiveMass(g, t);
        return mass;
    }
}
