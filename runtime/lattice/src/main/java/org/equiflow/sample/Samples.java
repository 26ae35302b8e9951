package org.equiflow.sample;

/**
 * What a flow sampler produced: a Markov chain (states, acceptance) or independent proposals with
 * importance weights ({@code weighted}); {@code proposalLogWeights} are log w = −S − log q of
 * every proposal, in order, and {@code acceptance} is NaN for weighted proposals.
 */
public record Samples(float[] configs, int count, double acceptance, double[] proposalLogWeights, boolean weighted) {
    /** The kept states of an independence Metropolis chain. */
    public static Samples chain(IndependenceMetropolis.Chain chain) {
        return new Samples(chain.configs(), chain.length(), chain.acceptance(), chain.proposalLogWeights(), false);
    }
}
