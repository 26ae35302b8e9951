package org.equiflow.sample;

import java.util.function.IntConsumer;

/**
 * {@code method reweighting}: independent proposals, no accept/reject, every proposal kept with
 * its importance weight; estimates are weighted averages. There is no chain, so nothing to
 * thermalize and no randomness beyond the proposals'.
 */
public final class ReweightingSampler implements FlowSampler {
    @Override
    public String name() { return "reweighting"; }

    @Override
    public Samples draw(Proposals proposals, int count, int thermalize, int batch, long seed, IntConsumer progress) {
        float[] configs = null;
        double[] logWeights = new double[count];
        for (int start = 0; start < count; start += batch) {
            int n = Math.min(batch, count - start);
            var b = proposals.next(n);
            if (configs == null) configs = new float[Math.multiplyExact(count, b.siteCount())];
            System.arraycopy(b.configs(), 0, configs, start * b.siteCount(), n * b.siteCount());
            System.arraycopy(b.logWeight(), 0, logWeights, start, n);
            progress.accept(start + n);
        }
        return new Samples(configs, count, Double.NaN, logWeights, true);
    }
}
