package org.equiflow.sample;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Independence Metropolis–Hastings with flow proposals: the chain moves to a proposal x′ with
 * probability min(1, w(x′)/w(x)), w = exp(−S − log q), which makes it exact for the target
 * e^{−S}/Z however good or poor the flow is. The first proposal is always accepted.
 */
public final class IndependenceMetropolis {
    private IndependenceMetropolis() {}

    /**
     * The chain: {@code configs} holds the state after each step (a rejection repeats the
     * previous one), {@code state[i]} the index of the proposal the chain sits on at step i.
     */
    public record Chain(float[] configs, int siteCount, double[] proposalLogWeights, int[] state, int accepted) {
        public int length() { return state.length; }

        /** Acceptance over proposals 2…N (the first is accepted by construction), as the reference reports it. */
        public double acceptance() { return length() < 2 ? 1.0 : (double) (accepted - 1) / (length() - 1); }
    }

    public static Chain run(Proposals proposals, int count, int batchSize, long seed, IntConsumer progress) {
        if (count < 1) throw new IllegalArgumentException("the chain needs at least one step, got " + count);
        var random = new SplittableRandom(seed);
        float[] configs = null;
        double[] logWeights = new double[count];
        int[] state = new int[count];
        int sites = 0, accepted = 0, current = -1;
        double currentLogWeight = Double.NEGATIVE_INFINITY;
        float[] currentConfig = null;
        for (int start = 0; start < count; start += batchSize) {
            int n = Math.min(batchSize, count - start);
            Proposals.Batch batch = proposals.next(n);
            if (configs == null) {
                sites = batch.siteCount();
                configs = new float[Math.multiplyExact(count, sites)];
                currentConfig = new float[sites];
            }
            for (int b = 0; b < n; b++) {
                int i = start + b;
                double lw = batch.logWeight()[b];
                logWeights[i] = lw;
                // log u < Δ log w, with u uniform on (0, 1]; a NaN weight is never accepted.
                boolean accept = current < 0 || Math.log(1.0 - random.nextDouble()) < lw - currentLogWeight;
                if (accept && !Double.isNaN(lw)) {
                    current = i;
                    currentLogWeight = lw;
                    System.arraycopy(batch.configs(), b * sites, currentConfig, 0, sites);
                    accepted++;
                }
                state[i] = current;
                System.arraycopy(currentConfig, 0, configs, i * sites, sites);
            }
            if (progress != null) progress.accept(start + n);
        }
        return new Chain(configs, sites, logWeights, state, accepted);
    }
}
