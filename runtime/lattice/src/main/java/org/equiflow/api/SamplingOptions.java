package org.equiflow.api;

/**
 * How to sample, on top of the script's {@code sample} block: every number left null comes from
 * the script, else from the default named here. Build with {@link #builder()}.
 *
 * @param count     chain length (or proposals, reweighting), 1 to {@link Limits#MAX_COUNT}
 *                  (default: the script's, else 4096)
 * @param batch     proposals drawn per batch, 1 to {@link Limits#MAX_BATCH} (default: the
 *                  script's, else 1024; never more than the count)
 * @param seed      seed of the proposals and of accept/reject (default: the script's, else 1)
 * @param untrained sample the flow at its initial parameters: exact all the same, just slow to mix
 * @param precision f32 or f64 (default: the precision the run was trained in; untrained: the
 *                  script's {@code train} block's, else f32); one that contradicts the trained run's is refused
 */
public record SamplingOptions(Long count, Long batch, Long seed, boolean untrained, Precision precision) {

    /** Everything from the script. */
    public static SamplingOptions defaults() { return builder().build(); }

    public static Builder builder() { return new Builder(); }

    /** Options set one at a time; unset ones come from the script. */
    public static final class Builder {
        private Long count, batch, seed;
        private boolean untrained;
        private Precision precision;

        private Builder() {}

        public Builder count(long count) { this.count = count; return this; }

        public Builder batch(long batch) { this.batch = batch; return this; }

        public Builder seed(long seed) { this.seed = seed; return this; }

        public Builder untrained(boolean untrained) { this.untrained = untrained; return this; }

        public Builder precision(Precision precision) { this.precision = precision; return this; }

        public SamplingOptions build() { return new SamplingOptions(count, batch, seed, untrained, precision); }
    }
}
