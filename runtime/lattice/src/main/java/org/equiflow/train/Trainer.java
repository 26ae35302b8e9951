package org.equiflow.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.InProcessCommunicator;
import org.equiflow.optim.Adam;
import org.equiflow.optim.GradientClipping;
import org.equiflow.optim.LearningRateSchedule;
import org.equiflow.tensor.Tape;
import org.equiflow.stats.Reweighting;
import org.equiflow.tensor.BufferArena;
import org.equiflow.tensor.BatchBlocks;
import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * Self-training: minimise a {@link Loss} of the flow's own samples (by default reverse KL,
 * E_q[log q(x) + S(x)] = KL(q‖p) − log Z) over the flow's parameters with Adam, each step on a
 * fresh batch drawn from the flow itself.
 *
 * <p><b>Data parallelism.</b> A step's batch is cut into blocks of whole configurations
 * ({@link BatchBlocks}), a cut that depends on the batch and the lattice alone. With a
 * {@link Communicator} of several ranks each rank computes a contiguous share of the blocks, and
 * the blocks' losses and gradients are added in block order ({@link Communicator#allreduceSumOfBlocks}),
 * exactly as one process adds them; every rank then takes the same optimizer step. So a run gives
 * the same parameters, bit for bit, on any number of ranks and threads.
 */
public final class Trainer {
    private final CompiledFlow flow;
    private final Adam adam;
    private final long seed;
    private final Loss loss;
    /** The flow with untracked copies of the parameters, refreshed every step, for losses that need it; else null. */
    private final CompiledFlow frozen;
    /** The script's {@code clip_grad_norm}, or {@link GradientClipping#NONE}. */
    private final GradientClipping clipping;
    /** One memory plan per thread that runs blocks of a step ({@link CpuParallel#forEachBlock}'s slots). */
    private final BufferArena.PerSlot arenas = new BufferArena.PerSlot(CpuParallel.threads());

    /** How a batch of fields is cut into blocks ({@link BatchBlocks}): the default, or another cut for tests. */
    private final Function<Shape, BatchBlocks> cut;
    /** The ranks that share each step's blocks; one process unless the run is distributed. */
    private final Communicator job;
    private final Reduction reduction;
    private long communicationNanos;
    /** The flow's parameters, in the fixed order of the rows the blocks' gradients travel in, and that row's layout. */
    private final List<Tensor> parameters;
    private final BlockLayout layout;

    /** Trains with the default loss, {@link Losses#DEFAULT}. */
    public Trainer(CompiledFlow flow, Adam adam, long seed) {
        this(flow, adam, seed, Losses.named(Losses.DEFAULT));
    }

    public Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss) {
        this(flow, adam, seed, loss, GradientClipping.NONE);
    }

    /** Trains with gradients clipped to a global norm ({@code clip_grad_norm}) before each optimizer step. */
    public Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss, GradientClipping clipping) {
        this(flow, adam, seed, loss, clipping, BatchBlocks::forLaneGroups, new InProcessCommunicator(), Reduction.BLOCK_ORDER);
    }

    /** Trains on the ranks of {@code job}: each computes its share of every step's blocks (see the class comment). */
    public Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss, GradientClipping clipping, Communicator job, Reduction reduction) {
        this(flow, adam, seed, loss, clipping, BatchBlocks::forLaneGroups, job, reduction);
    }

    /**
     * How the ranks add the blocks' gradients. Both give every rank the same bits, so every rank
     * takes the same optimizer step; they differ in whether the bits depend on the number of ranks.
     */
    public enum Reduction {
        /**
         * Every block's row is sent to every rank and added in block order: the same bits as one
         * process for any number of ranks, at the cost of moving (number of blocks) × (parameters)
         * values to each rank per step.
         */
        BLOCK_ORDER("block-order"),
        /**
         * Each rank adds its own blocks in order, the ranks' sums are added by MPI_Allreduce and
         * rank 0's result is broadcast (the MPI standard does not promise every rank the same bits):
         * about three times the parameters moved per step whatever the number of blocks, but the
         * grouping of the additions, hence the last bits, changes with the number of ranks.
         */
        RANK_SUMS("rank-sums");

        private final String label;

        Reduction(String label) { this.label = label; }

        public String label() { return label; }

        /** The reduction of a label, or null. */
        public static Reduction named(String label) {
            for (Reduction r : values()) if (r.label.equals(label)) return r;
            return null;
        }
    }

    /** Blocks of about {@code blockValues} field values each: another cut, for tests. */
    public Trainer(CompiledFlow flow, Adam adam, long seed, int blockValues) {
        this(flow, adam, seed, Losses.named(Losses.DEFAULT), GradientClipping.NONE, field -> BatchBlocks.of(field, blockValues),
                new InProcessCommunicator(), Reduction.BLOCK_ORDER);
    }

    private Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss, GradientClipping clipping, Function<Shape, BatchBlocks> cut,
                    Communicator job, Reduction reduction) {
        this.flow = flow;
        this.adam = adam;
        this.seed = seed;
        this.loss = loss;
        this.clipping = clipping;
        this.cut = cut;
        this.job = job;
        this.reduction = reduction;
        this.parameters = List.copyOf(flow.parameters().all());
        this.layout = new BlockLayout(parameters);
        if (loss.needsInverse() && !flow.hasInverse()) {
            // check refuses this (E0800 at the train block, RuntimeCheck); kept for callers that bypass it
            throw new IllegalArgumentException("`loss " + loss.name() + "` needs the inverse flow, and a layer of this flow has none");
        }
        this.frozen = loss.needsInverse() ? flow.withFrozenParameters() : null;
    }

    /**
     * Each step draws from its own stream, a function of the seed and the step number only, so a
     * run resumed from a checkpoint continues exactly as the uninterrupted run would have.
     */
    private SplittableRandom randomFor(int step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
    }

    public static Adam adamFor(CompiledFlow flow, double learningRate) {
        return new Adam(new ArrayList<>(flow.parameters().all()), learningRate);
    }

    /** Adam over the flow's parameters with a learning rate that changes with the step ({@code lr_decay}) and the script's betas and eps. */
    public static Adam adamFor(CompiledFlow flow, LearningRateSchedule schedule, double beta1, double beta2, double eps) {
        return new Adam(new ArrayList<>(flow.parameters().all()), schedule, beta1, beta2, eps);
    }

    /** AdamW ({@code optimizer adamw}): Adam with the decoupled weight decay {@code weightDecay} (0 is Adam). */
    public static Adam adamFor(CompiledFlow flow, LearningRateSchedule schedule, double beta1, double beta2, double eps, double weightDecay) {
        return new Adam(new ArrayList<>(flow.parameters().all()), schedule, beta1, beta2, eps, weightDecay);
    }

    public Adam adam() { return adam; }

    /**
     * What one step measured: the loss, the batch's effective sample size fraction, the acceptance
     * estimate, the step's time, the global L2 norm of the gradient before any clipping (NaN in
     * metrics written before it was recorded) and whether {@code clip_grad_norm} scaled it down.
     */
    public record Step(int step, double loss, double ess, double acceptance, double seconds, double gradNorm, boolean clipped) {}

    /** Thrown when the loss stops being finite; says which part went wrong and what to try. */
    public static final class Diverged extends RuntimeException {
        private final int step;

        Diverged(int step, String message) {
            super(message);
            this.step = step;
        }

        public int step() { return step; }
    }

    /** One optimizer step; throws {@link Diverged} before touching the parameters if anything is not finite. */
    public Step step(int step, int batch) {
        long t0 = System.nanoTime();
        if (frozen != null) flow.refreshFrozen(frozen);
        // Every rank draws the whole batch from the step's stream and keeps its own blocks, so the
        // configurations and their blocks are the same whatever the number of ranks. The prior is a
        // Gaussian draw, a small fraction of a step's work even for a whole batch.
        Tensor z = flow.samplePrior(batch, randomFor(step));
        BatchBlocks blocks = cut.apply(z.shape());
        Communicator.Share mine = job.share(blocks.count());
        double[] logWeights = new double[batch];
        BlockResult[] results = new BlockResult[mine.count()];
        if (results.length > 0) {
            long values = (long) z.size() / batch * (blocks.from(mine.end()) - blocks.from(mine.first()));
            CpuParallel.forEachBlock(results.length, values, (slot, i) -> results[i] =
                    stepOnBlock(slot, blocks.slice(z, mine.first() + i), blocks.from(mine.first() + i), batch, logWeights));
        }
        double[] packed = new double[results.length * layout.length()];
        for (int i = 0; i < results.length; i++) layout.pack(results[i], parameters, packed, i * layout.length());
        long reduced = System.nanoTime();
        double[] sum = switch (reduction) {
            // The blocks' sums in block order, the same bits on every rank and for any number of ranks.
            case BLOCK_ORDER -> job.allreduceSumOfBlocks(packed, layout.length());
            case RANK_SUMS -> {
                double[] ranks = job.allreduceSum(InProcessCommunicator.sumBlocksInOrder(packed, layout.length()));
                if (job.size() > 1) job.broadcast(ranks, 0);
                yield ranks;
            }
        };
        // Each configuration's log-weight is written by the one rank that owns it (zeros elsewhere), so this sum is exact.
        double[] allLogWeights = job.size() == 1 ? logWeights : job.allreduceSum(logWeights);
        if (job.size() > 1) communicationNanos += System.nanoTime() - reduced;
        if (sum[BlockLayout.DIVERGED] > 0) {
            throw new Diverged(step, "step " + step + ": " + diagnose(sum[BlockLayout.LOG_Q_NOT_FINITE] > 0, sum[BlockLayout.ACTION_NOT_FINITE] > 0));
        }
        double loss = sum[BlockLayout.LOSS];
        layout.accumulateInto(parameters, sum);
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.size(); i++) {
                if (!Double.isFinite(g.get(i))) {
                    adam.zeroGrad();
                    throw new Diverged(step, "step " + step + ": the loss is finite but a gradient is not; "
                            + "lower the learning rate (e.g. `optimizer adam(lr = 1e-4)`) or use fewer layers");
                }
            }
        }
        GradientClipping.Result clipped = clipping.clip(flow.parameters().all());
        adam.step();
        adam.zeroGrad();
        return new Step(step, loss, Reweighting.ess(allLogWeights), acceptanceEstimate(allLogWeights), (System.nanoTime() - t0) / 1e9,
                clipped.norm(), clipped.clipped());
    }

    /**
     * Seconds this trainer's steps spent in collective operations between ranks (the reduction of
     * the blocks' losses and gradients, and of the log-weights), waiting for slower ranks included;
     * 0 on one process.
     */
    public double communicationSeconds() { return communicationNanos / 1e9; }

    /**
     * One block's contribution as a row of numbers, so that the blocks of all ranks can be added in
     * block order: its loss, whether it diverged and why, then per parameter whether it has a
     * gradient (1 or 0, so that a parameter no block reached keeps no gradient, as Adam expects),
     * then every parameter's gradient values.
     */
    private record BlockLayout(int[] offsets, int length) {
        static final int LOSS = 0, DIVERGED = 1, LOG_Q_NOT_FINITE = 2, ACTION_NOT_FINITE = 3, HEADER = 4;

        BlockLayout(List<Tensor> parameters) {
            this(offsetsOf(parameters), HEADER + parameters.size() + parameters.stream().mapToInt(Tensor::size).sum());
        }

        private static int[] offsetsOf(List<Tensor> parameters) {
            int[] offsets = new int[parameters.size()];
            int next = HEADER + parameters.size();
            for (int k = 0; k < offsets.length; k++) {
                offsets[k] = next;
                next += parameters.get(k).size();
            }
            return offsets;
        }

        void pack(BlockResult result, List<Tensor> parameters, double[] row, int at) {
            row[at + LOSS] = result.loss();
            if (result.diverged()) {
                row[at + DIVERGED] = 1;
                row[at + LOG_Q_NOT_FINITE] = result.logQFinite() ? 0 : 1;
                row[at + ACTION_NOT_FINITE] = result.actionFinite() ? 0 : 1;
                return;
            }
            for (int k = 0; k < parameters.size(); k++) {
                Tensor g = result.gradients().get(parameters.get(k));
                if (g == null) continue;
                row[at + HEADER + k] = 1;
                for (int i = 0; i < g.size(); i++) row[at + offsets[k] + i] = g.get(i);
            }
        }

        /** Adds the summed gradients into the parameters that any block reached. */
        void accumulateInto(List<Tensor> parameters, double[] sum) {
            for (int k = 0; k < parameters.size(); k++) {
                if (sum[HEADER + k] == 0) continue;
                Tensor p = parameters.get(k);
                Tensor g = Tensor.zeros(p.shape(), p.dtype());
                for (int i = 0; i < g.size(); i++) g.set(i, sum[offsets[k] + i]);
                p.accumulateGrad(g);
            }
        }
    }

    /**
     * What one block of the batch contributes: its share of the loss (its configurations' sum of
     * log q + S over the whole batch's size), the gradients of that share, or why it diverged.
     */
    private record BlockResult(double loss, Map<Tensor, Tensor> gradients, boolean logQFinite, boolean actionFinite, boolean diverged) {}

    /**
     * The loss and gradient of configurations [from, from + z.batch) of a batch of {@code batch},
     * on this thread, in the arena of {@code slot}; writes their log-weights into {@code logWeights}.
     */
    private BlockResult stepOnBlock(int slot, Tensor z, int from, int batch, double[] logWeights) {
        int size = z.shape().batch();
        // Nothing made inside the round outlives it: the loss and log-weights are read out, and
        // the gradients are copies.
        try (BufferArena.Round round = arenas.forSlot(slot).open(); Tape tape = Tape.open()) {
            Loss.Evaluation e = loss.evaluate(flow, frozen, z);
            Tensor share = Ops.mulScalar(Ops.meanOverBatch(e.objective()), (double) size / batch);
            // the reported loss is E[log q + S] over the block's share of the batch, whatever the estimator differentiates
            double value = 0;
            for (int b = 0; b < size; b++) value += (e.logQ().get(b) + e.action().get(b)) / batch;
            if (!Double.isFinite(value) || !Double.isFinite(share.get(0))) {
                return new BlockResult(value, Map.of(), allFinite(e.logQ()), allFinite(e.action()), true);
            }
            for (int b = 0; b < size; b++) logWeights[from + b] = -e.action().get(b) - e.logQ().get(b);
            return new BlockResult(value, tape.gradientsOfLeaves(share), true, true, false);
        }
    }

    private static String diagnose(boolean logQNotFinite, boolean actionNotFinite) {
        List<String> bad = new ArrayList<>();
        if (logQNotFinite) bad.add("log q (log|det J|: a coupling's scale exploded)");
        if (actionNotFinite) bad.add("the action S (the flow produced fields far outside the theory's range)");
        return "the loss became NaN or infinite; not finite: " + (bad.isEmpty() ? "the loss" : String.join(", ", bad))
                + ". Lower the learning rate (e.g. `optimizer adam(lr = 1e-4)`), bound the scale net with `out_act = tanh`, "
                + "or resume from the last checkpoint with a smaller step size";
    }

    private static boolean allFinite(Tensor t) {
        for (int i = 0; i < t.size(); i++) if (!Double.isFinite(t.get(i))) return false;
        return true;
    }

    /**
     * The acceptance independence Metropolis would have with these proposals: its stationary
     * value E_{x∼p, x′∼q}[min(1, w(x′)/w(x))], with the current state x ∼ p obtained by
     * reweighting the same batch. O(N²) in the batch, negligible next to a training step.
     */
    public static double acceptanceEstimate(double[] logWeights) {
        double max = Double.NEGATIVE_INFINITY;
        for (double lw : logWeights) max = Math.max(max, lw);
        if (!Double.isFinite(max)) return 0;
        double weighted = 0, total = 0;
        for (double current : logWeights) {
            double w = Math.exp(current - max);
            double accept = 0;
            for (double proposal : logWeights) accept += Math.min(1.0, Math.exp(proposal - current));
            weighted += w * accept / logWeights.length;
            total += w;
        }
        return weighted / total;
    }
}
