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
     * The measured part of the chain: {@code configs} holds the state after each kept step (a
     * rejection repeats the previous one), {@code state[i]} the index, among all proposals drawn
     * (thermalization included), of the proposal the chain sits on at kept step i, and
     * {@code proposalLogWeights[i]} the log-weight of the proposal made at kept step i.
     * {@code accepted} of the {@code moves} proposals made at kept steps were accepted; the very
     * first proposal of a chain is accepted by construction and is not counted as a move.
     */
    public record Chain(float[] configs, int siteCount, double[] proposalLogWeights, int[] state, int accepted, int moves) {
        public int length() { return state.length; }

        /** Acceptance over the proposals of the kept steps, the chain's first proposal excepted (as the reference reports it). */
        public double acceptance() { return moves == 0 ? 1.0 : (double) accepted / moves; }
    }

    public static Chain run(Proposals proposals, int count, int batchSize, long seed, IntConsumer progress) {
        return run(proposals, count, 0, batchSize, seed, progress);
    }

    /**
     * A chain of {@code thermalize + count} steps from which the first {@code thermalize} states
     * are dropped: the chain starts on a proposal as usual, and only the {@code count} states that
     * follow are kept. With the same proposals and seed, the kept states are exactly the
     * unthermalized chain of {@code thermalize + count} steps shifted by {@code thermalize}.
     */
    public static Chain run(Proposals proposals, int count, int thermalize, int batchSize, long seed, IntConsumer progress) {
        if (count < 1) throw new IllegalArgumentException("the chain needs at least one step, got " + count);
        if (thermalize < 0) throw new IllegalArgumentException("thermalize must be non-negative, got " + thermalize);
        int total = Math.addExact(count, thermalize);
        var random = new SplittableRandom(seed);
        float[] configs = null;
        double[] logWeights = new double[count];
        int[] state = new int[count];
        int sites = 0, accepted = 0, current = -1;
        double currentLogWeight = Double.NEGATIVE_INFINITY;
        float[] currentConfig = null;
        for (int start = 0; start < total; start += batchSize) {
            int n = Math.min(batchSize, total - start);
            Proposals.Batch batch = proposals.next(n);
            if (configs == null) {
                sites = batch.siteCount();
                configs = new float[Math.multiplyExact(count, sites)];
                currentConfig = new float[sites];
            }
            for (int b = 0; b < n; b++) {
                int i = start + b;
                double lw = batch.logWeight()[b];
                // log u < Δ log w, with u uniform on (0, 1]; a NaN weight is never accepted.
                boolean first = current < 0;
                boolean accept = first || Math.log(1.0 - random.nextDouble()) < lw - currentLogWeight;
                if (accept && !Double.isNaN(lw)) {
                    current = i;
                    currentLogWeight = lw;
                    System.arraycopy(batch.configs(), b * sites, currentConfig, 0, sites);
                    if (i >= thermalize && !first) accepted++;
                }
                if (i < thermalize) continue;
                int kept = i - thermalize;
                logWeights[kept] = lw;
                state[kept] = current;
                System.arraycopy(currentConfig, 0, configs, kept * sites, sites);
            }
            if (progress != null) progress.accept(Math.max(0, start + n - thermalize));
        }
        int moves = thermalize == 0 ? count - 1 : count;
        return new Chain(configs, sites, logWeights, state, accepted, moves);
    }
}
