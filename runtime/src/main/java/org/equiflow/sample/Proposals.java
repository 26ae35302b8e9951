package org.equiflow.sample;

import java.util.SplittableRandom;
import org.equiflow.tensor.BufferArena;
import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * Draws configurations from a flow with what exact sampling needs: the configuration x, its
 * model log-density log q(x) = log r(z) − log|det J|, the action S(x), and the log importance
 * weight log w = −S(x) − log q(x) (the target's unnormalised log-density over the model's).
 */
public final class Proposals {
    private final CompiledFlow flow;
    private final SplittableRandom random;
    private final BufferArena arena = BufferArena.withDefaultBudget();

    public Proposals(CompiledFlow flow, long seed) {
        this.flow = flow;
        this.random = new SplittableRandom(seed);
    }

    /** One batch: configurations row-major [batch, sites·channels], and per configuration log q, S, log w. */
    public record Batch(float[] configs, double[] logQ, double[] action, double[] logWeight, int siteCount) {
        public int size() { return logQ.length; }
    }

    public Batch next(int batch) {
        // Everything the batch returns is copied out of the flow's tensors, so they can be recycled.
        try (BufferArena.Round round = arena.open();
             CpuParallel.Scope threads = CpuParallel.serialIfSmall(flow.fieldShape(batch).size())) {
            return draw(batch);
        }
    }

    private Batch draw(int batch) {
        Tensor z = flow.samplePrior(batch, random);
        CompiledFlow.Forward out = flow.forward(z);
        Tensor logQ = flow.logDensity(z, out);
        // A symmetrized flow draws from ½(q_f(φ) + q_f(−φ)): a fair sign flip after the flow.
        Tensor x = flow.randomSigns(out.x(), random);
        Tensor s = flow.action(x);
        int perConfig = x.size() / batch;
        float[] configs = new float[x.size()];
        for (int i = 0; i < configs.length; i++) configs[i] = (float) x.get(i);
        double[] lq = new double[batch], sv = new double[batch], lw = new double[batch];
        for (int b = 0; b < batch; b++) {
            lq[b] = logQ.get(b);
            sv[b] = s.get(b);
            lw[b] = -sv[b] - lq[b];
        }
        return new Batch(configs, lq, sv, lw, perConfig);
    }
}
