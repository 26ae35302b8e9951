package org.equiflow.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
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

    /** Trains with the default loss, {@link Losses#DEFAULT}. */
    public Trainer(CompiledFlow flow, Adam adam, long seed) {
        this(flow, adam, seed, Losses.named(Losses.DEFAULT));
    }

    public Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss) {
        this(flow, adam, seed, loss, GradientClipping.NONE);
    }

    /** Trains with gradients clipped to a global norm ({@code clip_grad_norm}) before each optimizer step. */
    public Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss, GradientClipping clipping) {
        this(flow, adam, seed, loss, clipping, BatchBlocks::forLaneGroups);
    }

    /** Blocks of about {@code blockValues} field values each: another cut, for tests. */
    public Trainer(CompiledFlow flow, Adam adam, long seed, int blockValues) {
        this(flow, adam, seed, Losses.named(Losses.DEFAULT), GradientClipping.NONE, field -> BatchBlocks.of(field, blockValues));
    }

    private Trainer(CompiledFlow flow, Adam adam, long seed, Loss loss, GradientClipping clipping, Function<Shape, BatchBlocks> cut) {
        this.flow = flow;
        this.adam = adam;
        this.seed = seed;
        this.loss = loss;
        this.clipping = clipping;
        this.cut = cut;
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
        double[] logWeights = new double[batch];
        if (frozen != null) flow.refreshFrozen(frozen);
        Tensor z = flow.samplePrior(batch, randomFor(step));
        BatchBlocks blocks = cut.apply(z.shape());
        BlockResult[] results = new BlockResult[blocks.count()];
        CpuParallel.forEachBlock(blocks.count(), z.size(), (slot, block) ->
                results[block] = stepOnBlock(slot, blocks.slice(z, block), blocks.from(block), batch, logWeights));
        double loss = 0;
        for (BlockResult result : results) {
            if (result.divergence() != null) throw new Diverged(step, "step " + step + ": " + result.divergence());
            loss += result.loss();
        }
        addGradients(results);
        for (Tensor p : flow.parameters().all()) {
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
        return new Step(step, loss, Reweighting.ess(logWeights), acceptanceEstimate(logWeights), (System.nanoTime() - t0) / 1e9,
                clipped.norm(), clipped.clipped());
    }

    /**
     * What one block of the batch contributes: its share of the loss (its configurations' sum of
     * log q + S over the whole batch's size), the gradients of that share, or why it diverged.
     */
    private record BlockResult(double loss, Map<Tensor, Tensor> gradients, String divergence) {}

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
            if (!Double.isFinite(value) || !Double.isFinite(share.get(0))) return new BlockResult(value, Map.of(), diagnose(e.logQ(), e.action()));
            for (int b = 0; b < size; b++) logWeights[from + b] = -e.action().get(b) - e.logQ().get(b);
            return new BlockResult(value, tape.gradientsOfLeaves(share), null);
        }
    }

    /** Adds the blocks' gradients into the parameters' in block order, so the sums do not depend on the threads. */
    private void addGradients(BlockResult[] results) {
        for (Tensor p : flow.parameters().all()) {
            Tensor sum = null;
            for (BlockResult result : results) {
                Tensor g = result.gradients().get(p);
                if (g == null) continue;
                if (sum == null) sum = g;
                else for (int i = 0; i < sum.size(); i++) sum.set(i, sum.get(i) + g.get(i));
            }
            if (sum != null) p.accumulateGrad(sum);
        }
    }

    private static String diagnose(Tensor logQ, Tensor action) {
        List<String> bad = new ArrayList<>();
        if (!allFinite(logQ)) bad.add("log q (log|det J|: a coupling's scale exploded)");
        if (!allFinite(action)) bad.add("the action S (the flow produced fields far outside the theory's range)");
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
