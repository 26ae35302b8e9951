package org.equiflow.sample;

import java.util.function.IntConsumer;

/**
 * A way of turning a flow's proposals into exact estimates for e^{−S}/Z: one implementation per
 * file, registered in {@link FlowSamplers} under the name a script's {@code sample} block gives
 * its {@code method}.
 */
public interface FlowSampler {
    /** The {@code method} name ({@code method independence_metropolis}). */
    String name();

    /**
     * Draws {@code count} kept samples from {@code proposals}, {@code batch} proposals at a time,
     * after {@code thermalize} discarded ones where the method has a chain to thermalize;
     * {@code seed} drives the method's own randomness (accept/reject), and {@code progress} hears
     * how many of the {@code count} are done.
     */
    Samples draw(Proposals proposals, int count, int thermalize, int batch, long seed, IntConsumer progress);
}
