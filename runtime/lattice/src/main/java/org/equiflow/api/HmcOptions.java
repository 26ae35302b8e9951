package org.equiflow.api;

import java.nio.file.Path;

/**
 * How to run HMC, on top of the script's {@code hmc} block: every value left null comes from the
 * script, else from the default named here. Build with {@link #builder()}.
 *
 * @param theory       the theory instance (default: the {@code hmc} block's, else the script's first)
 * @param trajectories measured trajectories per chain, at least 1 (default: the script's, else 1000)
 * @param thermalize   trajectories discarded first, at least 0 (default: the script's, else 200)
 * @param stepSize     integrator step ε, &gt; 0 (default: the script's, else 0.1)
 * @param mdSteps      integrator steps per trajectory, at least 1 (default: the script's, else 10)
 * @param chains       independent chains run side by side, at least 1
 * @param seed         seed (default: the script's, else 0)
 * @param out          the run directory its ensemble and report are committed to (default:
 *                     {@code runs/<script>/hmc/<theory>}, plus a subdirectory named after the {@code --set} values)
 * @param precision    f64, the only precision HMC integrates in (null: f64); f32 is refused, since
 *                     in float32 a trajectory's ΔH would be rounding noise
 */
public record HmcOptions(String theory, Long trajectories, Long thermalize, Double stepSize, Long mdSteps, int chains, Long seed,
                         Path out, Precision precision) {
    /** The chains run side by side when none are asked for. */
    public static final int DEFAULT_CHAINS = 16;

    public static HmcOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /** Options set one at a time; unset ones come from the script. */
    public static final class Builder {
        private String theory;
        private Long trajectories, thermalize, mdSteps, seed;
        private Double stepSize;
        private int chains = DEFAULT_CHAINS;
        private Path out;
        private Precision precision;

        private Builder() {}

        public Builder theory(String theory) { this.theory = theory; return this; }

        public Builder trajectories(long trajectories) { this.trajectories = trajectories; return this; }

        public Builder thermalize(long thermalize) { this.thermalize = thermalize; return this; }

        public Builder stepSize(double stepSize) { this.stepSize = stepSize; return this; }

        public Builder mdSteps(long mdSteps) { this.mdSteps = mdSteps; return this; }

        public Builder chains(int chains) { this.chains = chains; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder out(Path out) { this.out = out; return this; }

        public Builder precision(Precision precision) { this.precision = precision; return this; }

        public HmcOptions build() { return new HmcOptions(theory, trajectories, thermalize, stepSize, mdSteps, chains, seed, out, precision); }
    }
}
