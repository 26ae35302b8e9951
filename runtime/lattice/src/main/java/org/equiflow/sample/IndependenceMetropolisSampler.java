package org.equiflow.sample;

import java.util.function.IntConsumer;

/** {@code method independence_metropolis}: the chain of {@link IndependenceMetropolis}, exact however poor the flow. */
public final class IndependenceMetropolisSampler implements FlowSampler {
    /**
     * The accept/reject stream is the sampling seed shifted by this, so that it is not the stream
     * the proposals draw from with the same seed (and stays what it always was: the same seed
     * gives the same chain as before samplers were registered).
     */
    private static final long ACCEPT_REJECT_SEED_OFFSET = 7;

    @Override
    public String name() { return "independence_metropolis"; }

    @Override
    public Samples draw(Proposals proposals, int count, int thermalize, int batch, long seed, IntConsumer progress) {
        return Samples.chain(IndependenceMetropolis.run(proposals, count, thermalize, batch, seed + ACCEPT_REJECT_SEED_OFFSET, progress));
    }
}
