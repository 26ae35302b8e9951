package org.equiflow.tensor;

import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import org.equiflow.optim.Adam;

/**
 * Not a test: prints milliseconds per training step (forward, backward, Adam) and sampling
 * throughput of the tutorial model at L=8, for comparison with BENCHMARKS.md's PyTorch figures.
 * Run with the test classpath: {@code java --add-modules jdk.incubator.vector -cp ... Phi4TrainingStepTiming [batch] [steps]}.
 */
public final class Phi4TrainingStepTiming {

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        JsonNode reference = Phi4RealNvp.readReference("reference_L8_tutorial_seed0.json");
        Phi4RealNvp flow = Phi4RealNvp.fromReference(reference, DType.F32);
        Adam adam = new Adam(flow.parameters(), 1e-3);
        SplittableRandom random = new SplittableRandom(1);
        Shape shape = new Shape(batch, 1, flow.extent, flow.extent);
        double lastLoss = 0;
        long start = 0, cpuStart = 0;
        int warmup = steps / 4;
        for (int step = 0; step < steps + warmup; step++) {
            if (step == warmup) {
                start = System.nanoTime();
                cpuStart = processCpuNanos();
            }
            Tensor z = Tensor.randn(shape, DType.F32, random);
            adam.zeroGrad();
            try (Tape tape = Tape.open()) {
                Phi4RealNvp.FlowOutput out = flow.forward(z);
                Tensor logQ = Ops.sub(Phi4RealNvp.priorLogProb(z), out.logDet());
                Tensor loss = Ops.meanOverBatch(Ops.add(logQ, Phi4RealNvp.action(out.phi(), -4.0, 8.0)));
                tape.backward(loss);
                lastLoss = loss.get(0);
            }
            adam.step();
        }
        double msPerStep = (System.nanoTime() - start) / 1e6 / steps;
        double cpuMsPerStep = (processCpuNanos() - cpuStart) / 1e6 / steps;
        // CPU time alongside wall time: on a shared machine the wall clock includes waiting.
        System.out.printf("training step  L=8 B=%d: %.2f ms wall, %.2f ms CPU, %d threads (loss %.3f)%n",
                batch, msPerStep, cpuMsPerStep, org.equiflow.tensor.cpu.CpuParallel.threads(), lastLoss);

        Shape sampleShape = new Shape(1024, 1, flow.extent, flow.extent);
        int rounds = 20;
        for (int r = 0; r < rounds * 2; r++) {
            if (r == rounds) {
                start = System.nanoTime();
                cpuStart = processCpuNanos();
            }
            Tensor z = Tensor.randn(sampleShape, DType.F32, random);
            Phi4RealNvp.FlowOutput out = flow.forward(z);
            Ops.sub(Phi4RealNvp.priorLogProb(z), out.logDet());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        System.out.printf("sampling       L=8 B=1024: %.0f configs/s wall, %.0f configs per CPU-second%n",
                rounds * 1024 / seconds, rounds * 1024 / cpuSeconds);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
