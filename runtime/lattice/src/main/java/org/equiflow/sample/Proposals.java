package org.equiflow.sample;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.equiflow.tensor.BufferArena;
import org.equiflow.tensor.BatchBlocks;
import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.Shape;
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
    /** One memory plan per thread that runs blocks of a batch ({@link CpuParallel#forEachBlock}'s slots). */
    private final BufferArena.PerSlot arenas = new BufferArena.PerSlot(CpuParallel.threads());

    /** How a batch of fields is cut into blocks ({@link BatchBlocks}): the default, or another cut for tests. */
    private final Function<Shape, BatchBlocks> cut;

    public Proposals(CompiledFlow flow, long seed) {
        this(flow, seed, BatchBlocks::forLaneGroups);
    }

    /** Blocks of about {@code blockValues} field values each: another cut, for tests. */
    public Proposals(CompiledFlow flow, long seed, int blockValues) {
        this(flow, seed, field -> BatchBlocks.of(field, blockValues));
    }

    private Proposals(CompiledFlow flow, long seed, Function<Shape, BatchBlocks> cut) {
        this.flow = flow;
        this.random = new SplittableRandom(seed);
        this.cut = cut;
    }

    /** The flow the proposals come from (flow-HMC integrates through it). */
    public CompiledFlow flow() { return flow; }

    /** One batch: configurations row-major [batch, sites·channels], and per configuration log q, S, log w. */
    public record Batch(float[] configs, double[] logQ, double[] action, double[] logWeight, int siteCount) {
        public int size() { return logQ.length; }
    }

    public Batch next(int batch) {
        Tensor z = flow.samplePrior(batch, random);
        // A symmetrized flow draws from ½(q_f(φ) + q_f(−φ)): a fair sign flip after the flow.
        boolean[] flips = flow.randomSignFlips(batch, random);
        int perConfig = z.size() / batch;
        var drawn = new Batch(new float[z.size()], new double[batch], new double[batch], new double[batch], perConfig);
        BatchBlocks blocks = cut.apply(z.shape());
        CpuParallel.forEachBlock(blocks.count(), z.size(), (slot, block) ->
                drawBlock(slot, blocks.slice(z, block), blocks.from(block), flips, drawn));
        return drawn;
    }

    /** Configurations [from, from + z.batch) of {@code drawn}, on this thread, in the arena of {@code slot}. */
    private void drawBlock(int slot, Tensor z, int from, boolean[] flips, Batch drawn) {
        // Everything the batch returns is copied out of the flow's tensors, so they can be recycled.
        try (BufferArena.Round round = arenas.forSlot(slot).open()) {
            CompiledFlow.Forward out = flow.forward(z);
            Tensor logQ = flow.logDensity(z, out);
            Tensor x = flow.withSignFlips(out.x(), flips, from);
            Tensor s = flow.action(x);
            int size = z.shape().batch(), per = drawn.siteCount();
            for (int i = 0; i < x.size(); i++) drawn.configs()[from * per + i] = (float) x.get(i);
            for (int b = 0; b < size; b++) {
                drawn.logQ()[from + b] = logQ.get(b);
                drawn.action()[from + b] = s.get(b);
                drawn.logWeight()[from + b] = -s.get(b) - logQ.get(b);
            }
        }
    }
}
