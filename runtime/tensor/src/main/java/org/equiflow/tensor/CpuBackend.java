package org.equiflow.tensor;

import java.util.List;

import org.equiflow.tensor.cpu.CpuParallel;

/** The reference backend: each primitive's own forward, on the kernels of {@code tensor.cpu}. */
public final class CpuBackend implements Backend {

    public static final CpuBackend INSTANCE = new CpuBackend();

    private CpuBackend() {
    }

    @Override
    public boolean computesOnHostThreads() {
        return true;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "CPU, Java Vector API, " + CpuParallel.threads() + " thread(s)";
    }

    @Override
    public void forward(Primitive primitive, List<Tensor> inputs, Tensor out) {
        primitive.forward(inputs, out);
    }
}
