package org.equiflow.api;

/** What {@link Session#correlate} reports while it runs; every method does nothing unless overridden. */
public interface CorrelationListener {
    /** Training of the map starts: {@code steps} steps of {@code batch} configurations out of {@code count}. */
    default void started(long steps, int batch, int count) {}

    /** Step {@code step} (from 0) of the map's training is done, with its loss E[S₂(f(U)) − log|det J| − S₁(U)]. */
    default void stepped(int step, double loss) {}
}
