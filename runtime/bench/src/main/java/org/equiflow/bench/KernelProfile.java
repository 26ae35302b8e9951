package org.equiflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Tensor;

/**
 * A backend that runs another and times every primitive it is handed, grouped by the primitive
 * (with its parameters) and the operand and result shapes. Forward passes and the VJPs both go
 * through {@link Backend#forward} (the conditioner's fused backward through
 * {@link Backend#runHostKernel}), so a profiled training step accounts for every kernel; what
 * the step takes beyond the sum is the cost outside the kernels (allocation of results, the
 * tape, the Truffle nodes, the prior sample, Adam). Safe to use from the threads that run
 * blocks of a batch at once: times are the threads' CPU times, summed over threads.
 */
public final class KernelProfile implements Backend {

    /** Total time, count and arithmetic ({@link Primitive#flops}, 0 when not counted) of one kind of primitive application. */
    public record Entry(String kernel, long nanos, long calls, long flops) {

        /** GFLOP per CPU-second, NaN when the kernel's arithmetic is not counted. */
        public double gigaflopsPerCpuSecond() {
            return flops == 0 ? Double.NaN : (double) flops / nanos;
        }
    }

    /**
     * Kernels are timed in the CPU time of the thread that runs them, not wall time: a thread
     * the scheduler puts aside (another process, the other block's thread) does not charge its
     * wait to the kernel, and the times of threads running at once add up to CPU time.
     */
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final Backend delegate;
    private final Map<String, LongAdder[]> totals = new ConcurrentHashMap<>();

    public KernelProfile(Backend delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String description() {
        return delegate.description() + ", profiled";
    }

    @Override
    public void syncToHost(java.util.Collection<Tensor> tensors) {
        delegate.syncToHost(tensors);
    }

    @Override
    public void sendToDevice(java.util.Collection<Tensor> tensors) {
        delegate.sendToDevice(tensors);
    }

    @Override
    public void forward(Primitive primitive, List<Tensor> inputs, Tensor out) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        delegate.forward(primitive, inputs, out);
        long dt = THREADS.getCurrentThreadCpuTime() - t0;
        add(key(primitive, inputs, out), dt, primitive.flops(inputs));
    }

    private void add(String key, long nanos, long flops) {
        LongAdder[] total = totals.computeIfAbsent(key, k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
        total[0].add(nanos);
        total[1].increment();
        total[2].add(flops);
    }

    @Override
    public void runHostKernel(String kernel, long flops, Runnable body) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        delegate.runHostKernel(kernel, flops, body);
        add(kernel, THREADS.getCurrentThreadCpuTime() - t0, flops);
    }

    @Override
    public boolean computesOnHostThreads() {
        return delegate.computesOnHostThreads();
    }

    private static String key(Primitive primitive, List<Tensor> inputs, Tensor out) {
        String shapes = inputs.stream().map(t -> t.shape().toString()).collect(Collectors.joining(", "));
        return primitive + " (" + shapes + ") -> " + out.shape();
    }

    /** Forgets what was recorded (after warm-up). */
    public void reset() {
        totals.clear();
    }

    /** The entries, longest total first. */
    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>();
        totals.forEach((k, v) -> list.add(new Entry(k, v[0].sum(), v[1].sum(), v[2].sum())));
        list.sort((a, b) -> Long.compare(b.nanos, a.nanos));
        return list;
    }
}
