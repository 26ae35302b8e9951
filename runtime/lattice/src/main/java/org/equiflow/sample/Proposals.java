package org.equiflow.sample;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.InProcessCommunicator;
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
 *
 * <p>On several ranks ({@link #Proposals(CompiledFlow, long, Communicator)}) every rank draws the
 * latent fields and sign flips of the whole batch from the same stream, as one process does, and
 * cuts the batch into the same blocks; each rank pushes only its contiguous share of the blocks
 * through the flow (as {@code Trainer} splits a training step), and a sum over the ranks completes
 * the batch on every rank. Every rank thus holds the batch one process would draw, bit for bit,
 * and the samplers above run unchanged, the same chain on every rank.
 */
public final class Proposals {
    private final CompiledFlow flow;
    private final SplittableRandom random;
    /** One memory plan per thread that runs blocks of a batch ({@link CpuParallel#forEachBlock}'s slots). */
    private final BufferArena.PerSlot arenas = new BufferArena.PerSlot(CpuParallel.threads());

    /** How a batch of fields is cut into blocks ({@link BatchBlocks}): the default, or another cut for tests. */
    private final Function<Shape, BatchBlocks> cut;
    /** The ranks that share each batch's blocks; one process unless sampling is distributed. */
    private final Communicator job;

    public Proposals(CompiledFlow flow, long seed) {
        this(flow, seed, BatchBlocks::forLaneGroups, new InProcessCommunicator());
    }

    /** Proposals drawn on the ranks of {@code job}, each computing its share of every batch (see the class comment). */
    public Proposals(CompiledFlow flow, long seed, Communicator job) {
        this(flow, seed, BatchBlocks::forLaneGroups, job);
    }

    /** Blocks of about {@code blockValues} field values each: another cut, for tests. */
    public Proposals(CompiledFlow flow, long seed, int blockValues) {
        this(flow, seed, field -> BatchBlocks.of(field, blockValues), new InProcessCommunicator());
    }

    private Proposals(CompiledFlow flow, long seed, Function<Shape, BatchBlocks> cut, Communicator job) {
        this.flow = flow;
        this.random = new SplittableRandom(seed);
        this.cut = cut;
        this.job = job;
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
        if (job.size() == 1) {
            CpuParallel.forEachBlock(blocks.count(), z.size(), (slot, block) ->
                    drawBlock(slot, blocks.slice(z, block), blocks.from(block), flips, drawn));
            return drawn;
        }
        // What other ranks compute is −0.0 here, the one number that leaves any addend as it is (see completedAcrossRanks).
        Arrays.fill(drawn.configs(), -0.0f);
        Arrays.fill(drawn.logQ(), -0.0);
        Arrays.fill(drawn.action(), -0.0);
        Arrays.fill(drawn.logWeight(), -0.0);
        // This rank's contiguous share of the blocks, as Trainer takes its share of a training step.
        Communicator.Share mine = job.share(blocks.count());
        if (mine.count() > 0) {
            long values = (long) perConfig * (blocks.from(mine.end()) - blocks.from(mine.first()));
            CpuParallel.forEachBlock(mine.count(), values, (slot, i) ->
                    drawBlock(slot, blocks.slice(z, mine.first() + i), blocks.from(mine.first() + i), flips, drawn));
        }
        return completedAcrossRanks(drawn);
    }

    /**
     * The whole batch on every rank, from each rank's own configurations (−0.0 elsewhere). Every
     * value is written by exactly one rank and added to −0.0s, so the sums are exact in any order
     * the MPI library picks: x + (−0.0) = x for every x, infinities, NaN and both zeros included
     * (with +0.0 as the filler, an own −0.0 would come back as +0.0), and −0.0 + (−0.0) = −0.0.
     * Every rank gets the batch one process draws, bit for bit.
     */
    private Batch completedAcrossRanks(Batch own) {
        int n = own.size();
        float[] configs = job.allreduceSum(own.configs());
        double[] packed = new double[3 * n];
        System.arraycopy(own.logQ(), 0, packed, 0, n);
        System.arraycopy(own.action(), 0, packed, n, n);
        System.arraycopy(own.logWeight(), 0, packed, 2 * n, n);
        double[] all = job.allreduceSum(packed);
        return new Batch(configs, Arrays.copyOfRange(all, 0, n), Arrays.copyOfRange(all, n, 2 * n),
                Arrays.copyOfRange(all, 2 * n, 3 * n), own.siteCount());
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
