package org.equiflow.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory plan of a repeated computation whose shapes do not change (a training step, a
 * sampling batch): while a round is open on a thread, the results of {@link Ops} on that thread
 * are taken from arrays the previous rounds used, and when the round closes every array it
 * handed out is returned. After the first round a step allocates nothing (up to the budget),
 * so the step stays in cache instead of streaming fresh zeroed memory through it and the
 * garbage collector has nothing to do.
 *
 * <p>The contract is the caller's: no tensor produced inside a round may be used after it
 * closes (copy what must outlive it: {@link Tensor#copy()} allocates outside the arena). Arrays
 * are zeroed before they are handed out again, so kernels see exactly what a fresh allocation
 * gives, except to primitives that {@linkplain Primitive#overwritesOutput() assign every element}. Beyond {@link #budgetBytes} per round results are allocated normally, which bounds
 * what an arena holds for large lattices and batches. Only results of a backend that
 * {@linkplain Backend#computesOnHostThreads() computes on host threads} are recycled; another
 * backend's results are {@linkplain Tensor#discard() discarded} when the round closes, which
 * frees their device memory at once instead of when the collector finds them.
 */
public final class BufferArena {

    private static final ThreadLocal<BufferArena> ACTIVE = new ThreadLocal<>();

    private final long budgetBytes;
    private final Map<Integer, ArrayDeque<float[]>> freeF32 = new HashMap<>();
    private final Map<Integer, ArrayDeque<double[]>> freeF64 = new HashMap<>();
    private final List<float[]> lentF32 = new ArrayList<>();
    private final List<double[]> lentF64 = new ArrayList<>();
    /** Results of a device backend made in the open round. */
    private final List<Tensor> deviceResults = new ArrayList<>();
    private long lentBytes;
    private boolean open;

    public BufferArena(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** An arena of 256 MiB per round: all of a training step at L = 8 and 16 with batch 64. */
    public static BufferArena withDefaultBudget() {
        return new BufferArena(256L << 20);
    }

    /**
     * One arena per thread that runs blocks of a batch at once (the slots of
     * {@code CpuParallel.forEachBlock}, 0 ≤ slot < threads), made on first use.
     */
    public static final class PerSlot {
        private final BufferArena[] arenas;

        public PerSlot(int slots) {
            arenas = new BufferArena[slots];
        }

        public BufferArena forSlot(int slot) {
            synchronized (arenas) {
                if (arenas[slot] == null) arenas[slot] = withDefaultBudget();
                return arenas[slot];
            }
        }
    }

    /** A round: closing it returns every array handed out since it opened. */
    public interface Round extends AutoCloseable {
        @Override
        void close();
    }

    /** Opens a round on this thread; rounds of one arena do not nest. */
    public Round open() {
        if (open) throw new IllegalStateException("this arena already has an open round");
        open = true;
        BufferArena enclosing = ACTIVE.get();
        ACTIVE.set(this);
        return () -> {
            ACTIVE.set(enclosing);
            open = false;
            for (float[] a : lentF32) freeF32.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
            for (double[] a : lentF64) freeF64.computeIfAbsent(a.length, n -> new ArrayDeque<>()).push(a);
            lentF32.clear();
            lentF64.clear();
            lentBytes = 0;
            for (Tensor t : deviceResults) t.discard();
            deviceResults.clear();
        };
    }

    /** A zeroed tensor for a result: from this thread's open round, or freshly allocated. */
    static Tensor allocate(Shape shape, DType dtype) {
        return allocate(shape, dtype, true);
    }

    /**
     * A tensor for a result: from this thread's open round, zeroed when {@code zeroed} (a
     * primitive that assigns every element does not need it), or freshly allocated (zero).
     */
    static Tensor allocate(Shape shape, DType dtype, boolean zeroed) {
        BufferArena arena = ACTIVE.get();
        if (arena == null) return Tensor.zeros(shape, dtype);
        if (!Backends.current().computesOnHostThreads()) {
            Tensor t = Tensor.zeros(shape, dtype);
            arena.deviceResults.add(t);
            return t;
        }
        return arena.take(shape, dtype, zeroed);
    }

    private Tensor take(Shape shape, DType dtype, boolean zeroed) {
        int n = shape.size();
        long bytes = (long) n * (dtype == DType.F32 ? Float.BYTES : Double.BYTES);
        if (lentBytes + bytes > budgetBytes) return Tensor.zeros(shape, dtype);
        lentBytes += bytes;
        if (dtype == DType.F32) {
            ArrayDeque<float[]> free = freeF32.get(n);
            float[] a = free == null ? null : free.poll();
            if (a == null) a = new float[n];
            else if (zeroed) Arrays.fill(a, 0f);
            lentF32.add(a);
            return Tensor.wrap(shape, a);
        }
        ArrayDeque<double[]> free = freeF64.get(n);
        double[] a = free == null ? null : free.poll();
        if (a == null) a = new double[n];
        else if (zeroed) Arrays.fill(a, 0.0);
        lentF64.add(a);
        return Tensor.wrap(shape, a);
    }
}
