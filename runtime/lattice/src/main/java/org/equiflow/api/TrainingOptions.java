package org.equiflow.api;

import java.nio.file.Path;

/**
 * How to train, on top of the script's {@code train} block: every number left null comes from the
 * script, else from the default named here. Build with {@link #builder()}.
 *
 * @param steps           total optimizer steps of the run, counted from its start also when
 *                        resuming (default: the script's, else 1000; resumed: the run's own)
 * @param batch           batch size, 1 to {@link Limits#MAX_BATCH} (default: the script's, else 64)
 * @param learningRate    Adam's learning rate, &gt; 0 (default: the script's optimizer, else 1e-3)
 * @param seed            runs with the same seed are identical (default: the script's, else 0)
 * @param resume          continue the run in the run directory with its own seed, learning rate
 *                        and batch; a value here that contradicts them is refused
 * @param force           start a new run in a directory that holds a trained one, replacing its
 *                        checkpoint, metrics and ensemble
 * @param checkpointEvery steps between checkpoints, at least 1 (default: the script's, else 100)
 * @param logEvery        steps between progress reports for a listener that prints lines rather
 *                        than a bar, at least 1 (default: the script's {@code log_every}, else a
 *                        twentieth of the steps)
 * @param precision       f32 or f64 for every tensor of the flow (default: the script's
 *                        {@code precision}, else f32; resumed: the run's own, and a contradiction is refused)
 * @param from            null, or a trained run directory (or its checkpoint file) whose parameters
 *                        the new run starts from — transfer learning to other couplings or another
 *                        lattice size; the optimizer state starts fresh, the source is only read,
 *                        and {@code resume} with it is refused (a run started this way is continued
 *                        with {@code resume} alone: its checkpoint records where it started)
 */
public record TrainingOptions(Long steps, Long batch, Double learningRate, Long seed, boolean resume, boolean force,
                              Long checkpointEvery, Long logEvery, Precision precision, Path from) {

    /** The options without a run to start from. */
    public TrainingOptions(Long steps, Long batch, Double learningRate, Long seed, boolean resume, boolean force,
                           Long checkpointEvery, Long logEvery, Precision precision) {
        this(steps, batch, learningRate, seed, resume, force, checkpointEvery, logEvery, precision, null);
    }

    /** Everything from the script. */
    public static TrainingOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /** Options set one at a time; unset ones come from the script. */
    public static final class Builder {
        private Long steps, batch, seed, checkpointEvery, logEvery;
        private Double learningRate;
        private boolean resume, force;
        private Precision precision;
        private Path from;

        private Builder() {}

        public Builder steps(long steps) { this.steps = steps; return this; }

        public Builder batch(long batch) { this.batch = batch; return this; }

        public Builder learningRate(double learningRate) { this.learningRate = learningRate; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder resume(boolean resume) { this.resume = resume; return this; }

        public Builder force(boolean force) { this.force = force; return this; }

        public Builder checkpointEvery(long steps) { this.checkpointEvery = steps; return this; }

        public Builder logEvery(long steps) { this.logEvery = steps; return this; }

        public Builder precision(Precision precision) { this.precision = precision; return this; }

        /** Start from the parameters of the trained run in {@code runDirectory} (or that checkpoint file). */
        public Builder from(Path runDirectory) { this.from = runDirectory; return this; }

        public TrainingOptions build() {
            return new TrainingOptions(steps, batch, learningRate, seed, resume, force, checkpointEvery, logEvery, precision, from);
        }
    }
}
