package org.equiflow.api;

import org.equiflow.compiler.layers.CouplingLayers;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;
import org.equiflow.compiler.model.Printer;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.tensor.cpu.CpuParallel;

/**
 * The memory a job will need, estimated from the script before anything is allocated, so that a
 * flow too large for the heap is refused in a second with advice instead of dying in an
 * OutOfMemoryError minutes later. The estimates count what is certainly allocated — parameters,
 * their gradients and Adam moments, the checkpoint's float64 copies, the activations of the
 * blocks running at once, the ensemble arrays — and so err on the low side: a refusal is never
 * spurious, and Main still turns an OutOfMemoryError that slips through into a clear message.
 */
final class MemoryEstimate {
    private static final long MIB = 1L << 20;
    /** A block of a batch holds about this many field values (BatchBlocks), and at least 16 configurations. */
    private static final long BLOCK_VALUES = 2048, BLOCK_MIN_CONFIGS = 16;

    private MemoryEstimate() {}

    /** Bytes a training step needs: parameters (f32), one gradient per thread, Adam's float64 moments, the checkpoint's copies, the running blocks' activations. */
    static long training(FlowModel flow, long batch) {
        long parameters = parameters(flow);
        int threads = CpuParallel.threads();
        long perParameter = 4 + 4L * (threads + 1) + 16 + 24;
        long configsAtOnce = Math.min(batch, (long) threads * blockConfigs(flow.theory()));
        return parameters * perParameter + configsAtOnce * activationsPerConfiguration(flow, true) + batch * fieldBytes(flow.theory()) * 8;
    }

    /** Bytes sampling needs: the trained parameters with the checkpoint being read, a batch's activations, the ensemble and its copies for measuring. */
    static long sampling(FlowModel flow, long count, long batch) {
        long configsAtOnce = Math.min(batch, (long) CpuParallel.threads() * blockConfigs(flow.theory()));
        return parameters(flow) * (4 + 48) + configsAtOnce * activationsPerConfiguration(flow, false)
                + batch * fieldBytes(flow.theory()) * 8 + count * (2 * fieldBytes(flow.theory()) + 16);
    }

    /** Bytes HMC needs: the measured ensemble, and each chain's field, momentum and force in float64. */
    static long hmc(TheoryInstance theory, long chains, long measured) {
        return chains * measured * fieldBytes(theory) * 2 + chains * fieldBytes(theory) * 2 * 8;
    }

    /**
     * Refuses a job whose estimate exceeds the heap this JVM may grow to, with what to change.
     * {@code what} names the job ("a training step"), {@code smaller} the flags that shrink it.
     */
    static void require(long bytes, String what, String smaller) {
        Runtime runtime = Runtime.getRuntime();
        long available = runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
        if (bytes <= available) return;
        long suggested = (bytes * 3 / 2 + (runtime.totalMemory() - runtime.freeMemory())) / (1L << 30) + 1;
        throw new RunFailure(what + " needs about " + bytes / MIB + " MiB, but this JVM has "
                + available / MIB + " MiB left of its " + runtime.maxMemory() / MIB + " MiB heap; nothing was run."
                + "\n   help: give the JVM more memory, e.g. EQUIFLOW_JAVA_OPTS=-Xmx" + suggested + "g, or " + smaller);
    }

    static long parameters(FlowModel flow) {
        long count = 0;
        for (LayerSpec layer : flow.layers()) count += Printer.parameters(layer, flow.theory().lattice());
        return count;
    }

    /**
     * float32 activations one configuration produces in every conditioner, forward and backward,
     * and, for training ({@code taped}), what the tape keeps of layers without conditioners (a
     * gradient flow's checkpoints and its widest step); without a tape the engine drops each value after its
     * last use, so those are not all live at once.
     */
    private static long activationsPerConfiguration(FlowModel flow, boolean taped) {
        long volume = flow.theory().lattice().volume();
        long channels = 0, tapedTotal = 0;
        int fieldChannels = (int) (flow.theory().valuesPerConfiguration() / volume);
        for (LayerSpec layer : flow.layers()) {
            for (NetSpec net : CouplingLayers.of(layer).nets(layer)) channels += outputs(net);
            if (taped) tapedTotal += tapedValues(layer, flow.theory().lattice(), fieldChannels);
        }
        return channels * volume * 4 * 2 + tapedTotal * volume * 4;
    }

    private static <S extends LayerSpec> long tapedValues(S layer, org.equiflow.compiler.model.Lattice lattice, int fieldChannels) {
        return CouplingLayers.of(layer).tapedValuesPerSite(layer, lattice, fieldChannels);
    }

    private static long outputs(NetSpec net) {
        if (net == null) return 0;
        long channels = 0;
        for (NetSpec.Stage stage : net.stages()) {
            if (stage instanceof NetSpec.Conv c) channels += c.outChannels();
            else if (stage instanceof NetSpec.Dense d) channels += d.outChannels();
        }
        return channels;
    }

    private static long blockConfigs(TheoryInstance theory) {
        return Math.max(BLOCK_MIN_CONFIGS, BLOCK_VALUES / Math.max(1, fieldBytes(theory) / 4));
    }

    /** float32 bytes of one configuration: a value per site, or per link. */
    private static long fieldBytes(TheoryInstance theory) {
        return 4 * theory.valuesPerConfiguration();
    }
}
