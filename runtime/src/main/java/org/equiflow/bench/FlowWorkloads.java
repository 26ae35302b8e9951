package org.equiflow.bench;

import java.util.ArrayList;
import java.util.SplittableRandom;
import org.equiflow.autodiff.Adam;
import org.equiflow.autodiff.Tape;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * The work the benchmarks time, defined as the PyTorch reference defines it: a training step is
 * drawing z from the prior, the flow, log q and the action, the reverse-KL loss, its backward
 * pass and one Adam update; sampling is z, the flow and log q without gradients.
 */
public final class FlowWorkloads {
    private final CompiledFlow flow;
    private final Adam adam;
    private final SplittableRandom random;

    public FlowWorkloads(CompiledFlow flow, double learningRate, long seed) {
        this.flow = flow;
        this.adam = new Adam(new ArrayList<>(flow.parameters().all()), learningRate);
        this.random = new SplittableRandom(seed);
    }

    /** One optimizer step; returns the loss. */
    public double trainStep(int batch) {
        Tensor z = flow.samplePrior(batch, random);
        double loss;
        try (Tape tape = Tape.open()) {
            CompiledFlow.Forward out = flow.forward(z);
            Tensor logQ = Ops.sub(flow.logPrior(z), out.logDet());
            Tensor kl = Ops.meanOverBatch(Ops.add(logQ, flow.action(out.x())));
            loss = kl.get(0);
            tape.backward(kl);
        }
        adam.step();
        adam.zeroGrad();
        return loss;
    }

    /** A batch of proposals with their log-densities, no gradients. */
    public Tensor sample(int batch) {
        Tensor z = flow.samplePrior(batch, random);
        CompiledFlow.Forward out = flow.forward(z);
        return Ops.sub(flow.logPrior(z), out.logDet());
    }

    public static DType defaultDType() { return DType.F32; }
}
