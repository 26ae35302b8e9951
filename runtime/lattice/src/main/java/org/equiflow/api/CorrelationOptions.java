package org.equiflow.api;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to correlate an ensemble at couplings α₁ with couplings α₂ through a flow (see
 * {@link Session#correlate}). Build with {@link #builder()}; every number left null has the
 * default named here.
 *
 * @param flow         the script's flow that becomes the map f (null: its first); its layers, not its prior, are used
 * @param ensemble     a run directory holding an ensemble at α₁ (from {@code hmc}, or a flow's Metropolis chain)
 * @param toSet        the couplings α₂, in {@code --set} syntax ({@code T.m2 → -3.8}), applied on top of the session's
 * @param steps        training steps of the map, at least 0; 0 keeps f the identity: plain reweighting (default 200)
 * @param batch        configurations of the ensemble per training step, 1 to {@link Limits#MAX_BATCH} (default 64)
 * @param learningRate Adam's learning rate, &gt; 0 (default 1e-3)
 * @param seed         seed of the flow's initial weights and of the minibatch draws (default 0)
 * @param binSize      configurations per jackknife bin, at least 1 (default: 5 τ_int of the slowest series, at most N/20)
 * @param out          the run directory the result is committed to (default
 *                     {@code runs/<script>/correlate/<flow>/<the α₂ --set values>})
 * @param force        replace a result already in {@code out}
 * @param precision    f32 or f64 for the map and the actions (default f64: the weights are differences of actions)
 */
public record CorrelationOptions(String flow, Path ensemble, Map<String, String> toSet, Long steps, Long batch, Double learningRate,
                                 Long seed, Long binSize, Path out, boolean force, Precision precision) {
    /** Training steps when none are asked for. */
    public static final long DEFAULT_STEPS = 200;
    /** Configurations per training step when none are asked for. */
    public static final long DEFAULT_BATCH = 64;
    /** Adam's learning rate when none is asked for. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;

    public CorrelationOptions {
        toSet = Map.copyOf(toSet);
    }

    public static Builder builder() { return new Builder(); }

    /** Options set one at a time. */
    public static final class Builder {
        private String flow;
        private Path ensemble, out;
        private final Map<String, String> toSet = new LinkedHashMap<>();
        private Long steps, batch, seed, binSize;
        private Double learningRate;
        private boolean force;
        private Precision precision;

        private Builder() {}

        public Builder flow(String flow) { this.flow = flow; return this; }

        public Builder ensemble(Path runDirectory) { this.ensemble = runDirectory; return this; }

        /** One coupling of α₂: {@code toSet("T.m2", "-3.8")}. */
        public Builder toSet(String parameter, String value) { this.toSet.put(parameter, value); return this; }

        public Builder toSet(Map<String, String> values) { this.toSet.putAll(values); return this; }

        public Builder steps(long steps) { this.steps = steps; return this; }

        public Builder batch(long batch) { this.batch = batch; return this; }

        public Builder learningRate(double learningRate) { this.learningRate = learningRate; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder binSize(long binSize) { this.binSize = binSize; return this; }

        public Builder out(Path out) { this.out = out; return this; }

        public Builder force(boolean force) { this.force = force; return this; }

        public Builder precision(Precision precision) { this.precision = precision; return this; }

        public CorrelationOptions build() {
            return new CorrelationOptions(flow, ensemble, toSet, steps, batch, learningRate, seed, binSize, out, force, precision);
        }
    }
}
