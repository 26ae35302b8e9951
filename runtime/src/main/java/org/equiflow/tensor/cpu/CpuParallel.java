package org.equiflow.tensor.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * The CPU backend's one thread pool. Work is split over the batch: configurations are
 * independent, so chunks never write to the same output element.
 *
 * <p>The thread count is {@code -Dequiflow.cpu.threads=N}, default the number of cores.
 */
public final class CpuParallel {

    /** Kernels pass their body as this; {@code chunk} numbers the ranges 0, 1, ... */
    @FunctionalInterface
    public interface RangeBody {
        void run(int chunk, int from, int to);
    }

    private static final int THREADS = Integer.getInteger("equiflow.cpu.threads",
            Runtime.getRuntime().availableProcessors());

    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS, pool -> {
        var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        thread.setName("equiflow-cpu-" + thread.getPoolIndex());
        thread.setDaemon(true);
        return thread;
    }, null, false) : null;

    private CpuParallel() {
    }

    public static int threads() {
        return THREADS;
    }

    /** How many chunks {@link #forChunks} will use for {@code n} items. */
    public static int chunksFor(int n) {
        return Math.max(1, Math.min(THREADS, n));
    }

    /**
     * Runs {@code body} over {@code [0, n)} cut into {@link #chunksFor(int)} contiguous ranges,
     * in parallel when there is more than one. Returns when all ranges are done.
     */
    public static void forChunks(int n, RangeBody body) {
        int chunks = chunksFor(n);
        if (chunks == 1 || POOL == null || ForkJoinTask.getPool() == POOL) {
            // Already on a pool thread (a nested kernel): running inline avoids deadlock-prone joins.
            body.run(0, 0, n);
            return;
        }
        // The caller runs the first range itself: one hand-off fewer per kernel, which matters
        // when a kernel on a small lattice takes microseconds.
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int chunk = c;
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(POOL.submit(() -> body.run(chunk, from, to)));
        }
        try {
            body.run(0, 0, (int) ((long) n / chunks));
        } finally {
            for (ForkJoinTask<?> task : tasks) task.join();
        }
    }
}
