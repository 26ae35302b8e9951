package org.equiflow.bench;

import org.equiflow.sample.IndependenceMetropolis;
import org.equiflow.sample.Proposals;
import org.equiflow.tensor.DType;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/**
 * The work the benchmarks time is the work users run, defined as the PyTorch reference defines
 * it: a training step is {@link Trainer#step} (prior sample, flow, log q and action, the
 * reverse-KL loss, its backward pass and one Adam update); sampling is a batch of
 * {@link Proposals} (prior sample, flow, log q and action, no gradients).
 */
public final class FlowWorkloads {
    private final Trainer trainer;
    private final Proposals proposals;
    private int step;

    public FlowWorkloads(CompiledFlow flow, double learningRate, long seed) {
        this.trainer = new Trainer(flow, Trainer.adamFor(flow, learningRate), seed);
        this.proposals = new Proposals(flow, seed);
    }

    /** One optimizer step; returns the loss. */
    public double trainStep(int batch) { return trainer.step(step++, batch).loss(); }

    /** A batch of proposals with their log-densities and actions. */
    public Proposals.Batch sample(int batch) { return proposals.next(batch); }

    /**
     * A batch of proposals run through independence Metropolis, as `sample` runs them: the
     * sampling rate of a flow whose proposals feed a Markov chain. Each call continues the
     * proposal stream; the accept/reject draws get their own seed per call.
     */
    public IndependenceMetropolis.Chain sampleChain(int batch) {
        return IndependenceMetropolis.run(proposals, batch, batch, chainSeed++, null);
    }

    private long chainSeed;

    public static DType defaultDType() { return DType.F32; }
}
