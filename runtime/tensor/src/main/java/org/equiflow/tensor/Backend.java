package org.equiflow.tensor;

import java.util.Collection;
import java.util.List;

/**
 * Where primitives' forward computations run. {@link Ops#apply} hands every primitive to the
 * {@linkplain Backends#current() current backend}; VJPs are written with {@link Ops}, so a
 * backend that runs forward passes runs backward passes as well.
 */
public interface Backend {

    /** Short name for messages and {@code --device}: "cpu", "opencl". */
    String name();

    /** One line on what executes the kernels, e.g. the OpenCL device and platform. */
    String description();

    /**
     * Computes {@code out} (a result array of the primitive's output shape and the inputs'
     * dtype) from inputs whose shapes the primitive has already checked.
     */
    void forward(Primitive primitive, List<Tensor> inputs, Tensor out);

    /**
     * Runs a host computation that is a kernel but not a primitive application — the
     * conditioner's fused backward pass, which yields every operand's gradient at once — so that
     * a profiling backend can account for it like one: {@code kernel} names it, {@code flops}
     * counts its arithmetic as {@link Primitive#flops} does (0: not counted).
     */
    default void runHostKernel(String kernel, long flops, Runnable body) {
        body.run();
    }

    /**
     * Whether float64 kernels run on this backend's device. One that answers false still computes
     * float64 primitives (on the CPU), so a run that asked for float64 on it refuses instead of
     * running on the CPU unannounced.
     */
    default boolean supportsFloat64() {
        return true;
    }

    /**
     * Whether the kernels compute on host arrays with this machine's CPU threads: then results
     * may come from a {@link BufferArena} and batches may be cut into blocks run on several
     * threads at once ({@code tensor.cpu.BatchBlocks}). A device backend keys its buffers by host
     * array and wants whole batches.
     */
    default boolean computesOnHostThreads() {
        return false;
    }

    /**
     * Host code is about to read all of {@code tensors}: a backend that holds tensors elsewhere
     * makes their host arrays current now, in as few copies as it can, rather than one copy per
     * tensor at its first access. Values and later accesses are unchanged; nothing to do for a
     * backend that computes on host arrays.
     */
    default void syncToHost(Collection<Tensor> tensors) {
    }

    /**
     * Host code has written {@code tensors} (parameters after an optimizer step) and the next
     * launches read them: a device backend sends them now, in as few copies as it can, rather
     * than one copy per tensor at its first use. Host access stays as before; nothing to do for
     * a backend that computes on host arrays.
     */
    default void sendToDevice(Collection<Tensor> tensors) {
    }
}
