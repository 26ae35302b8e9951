package org.equiflow.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Tensor;

/**
 * A backend that runs another and times every primitive it is handed, grouped by the primitive
 * (with its parameters) and the operand and result shapes. Forward passes and the VJPs both go
 * through {@link Backend#forward}, so a profiled training step accounts for every kernel; what
 * the step takes beyond the sum is the cost outside the kernels (allocation of results, the
 * tape, the Truffle nodes, the prior sample, Adam).
 */
public final class KernelProfile implements Backend {

    /** Total time and count of one kind of primitive application. */
    public record Entry(String kernel, long nanos, long calls) {
    }

    private final Backend delegate;
    private final Map<String, long[]> totals = new LinkedHashMap<>();

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
    public void forward(Primitive primitive, List<Tensor> inputs, Tensor out) {
        long t0 = System.nanoTime();
        delegate.forward(primitive, inputs, out);
        long dt = System.nanoTime() - t0;
        long[] total = totals.computeIfAbsent(key(primitive, inputs, out), k -> new long[2]);
        total[0] += dt;
        total[1]++;
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
        totals.forEach((k, v) -> list.add(new Entry(k, v[0], v[1])));
        list.sort((a, b) -> Long.compare(b.nanos, a.nanos));
        return list;
    }
}
