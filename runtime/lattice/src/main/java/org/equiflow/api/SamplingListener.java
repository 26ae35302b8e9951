package org.equiflow.api;

/**
 * What sampling reports while it runs. Every method does nothing unless overridden; all are
 * called on the thread that called {@code sample}.
 */
public interface SamplingListener {
    /** Sampling is about to draw its first proposal. */
    default void started(Start start) {}

    /** {@code done} of the {@link Start#count()} samples are drawn. */
    default void progress(int done) {}

    /** The drawing is over, however it ended; called once after {@link #started}. */
    default void ended() {}

    /**
     * The samples are measured and about to be written to the run directory; the result's
     * paths name where they will be once committed.
     */
    default void measured(SamplingResult result) {}

    /** What is about to be drawn: {@code count} kept samples after {@code thermalize} discarded ones. */
    record Start(String flow, int count, int thermalize, String method, long seed) {}
}
