package org.equiflow.tensor.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's threads. Work is split over the batch: configurations are independent, so
 * parts never write to the same output element. Two granularities: {@link #forEachBlock} runs
 * whole blocks of a batch (a flow, its log-density and action on a slice of configurations) on
 * the caller and dedicated block workers; {@link #forChunks} splits one kernel over a pool, for
 * a batch that makes a single block.
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

    /**
     * A batch whose field has fewer values than this (configurations × sites × channels) runs
     * every kernel on the calling thread: at L = 8, B = 64 a kernel is tens of microseconds and
     * handing half of it to another thread costs as much as it saves (measured: 13.6 ms per
     * training step on one thread, 20.5 ms on two). Override with
     * {@code -Dequiflow.cpu.minParallelValues=N}.
     */
    public static final int MIN_PARALLEL_VALUES = Integer.getInteger("equiflow.cpu.minParallelValues", 16384);

    private static final ThreadLocal<boolean[]> SERIAL = ThreadLocal.withInitial(() -> new boolean[1]);

    private CpuParallel() {
    }

    /** Ends a {@link #serialIfSmall} scope. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Within the returned scope, on this thread, kernels run serially when a batch's field holds
     * fewer than {@link #MIN_PARALLEL_VALUES} values. The decision depends only on the shape, so
     * every step of a run cuts its sums the same way and results stay reproducible.
     */
    public static Scope serialIfSmall(long fieldValues) {
        boolean[] serial = SERIAL.get();
        boolean before = serial[0];
        serial[0] = before || fieldValues < MIN_PARALLEL_VALUES;
        return () -> serial[0] = before;
    }

    public static int threads() {
        return THREADS;
    }

    /** How many chunks {@link #forChunks} will use for {@code n} items. */
    public static int chunksFor(int n) {
        if (SERIAL.get()[0]) return 1;
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
        Claims claims = new Claims(n, chunks, body);
        for (int c = 1; c < chunks; c++) POOL.execute(claims);
        claims.run();
        claims.awaitAll();
    }

    /** Blocks pass their body as this: {@code slot} tells apart the threads running at once (0 ≤ slot < threads()). */
    @FunctionalInterface
    public interface BlockBody {
        void run(int slot, int block);
    }

    /**
     * Runs {@code body} for blocks 0 … {@code blocks − 1}, each whole on one thread with every
     * kernel inside it serial, the blocks spread over the caller and the block workers: parallel
     * work as coarse as a whole flow on a slice of the batch, instead of two hand-offs per
     * kernel. Two bodies never
     * run at once with the same slot, so a slot can own per-thread state (a buffer arena).
     * Which thread runs a block does not change what the block computes.
     */
    public static void forEachBlock(int blocks, BlockBody body) {
        var claims = new BlockClaims(blocks, body);
        // Inside a block (or a kernel's range) everything stays on this thread.
        boolean nested = SERIAL.get()[0] || ForkJoinTask.getPool() == POOL || Thread.currentThread() instanceof BlockWorker;
        if (!nested) {
            for (int r = 0; r < BLOCK_WORKERS.length && r + 1 < blocks; r++) BLOCK_WORKERS[r].offer(claims);
        }
        claims.run();
        claims.awaitAll();
    }

    /** How long a block worker spins for the next call before it parks; {@code -Dequiflow.cpu.spinMicros=N}. */
    private static final long SPIN_NANOS = 1000L * Long.getLong("equiflow.cpu.spinMicros", 2000);

    private static final BlockWorker[] BLOCK_WORKERS = startBlockWorkers();

    private static BlockWorker[] startBlockWorkers() {
        BlockWorker[] workers = new BlockWorker[THREADS - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new BlockWorker(i + 1);
            workers[i].start();
        }
        return workers;
    }

    /**
     * A thread that runs blocks beside the caller. Between calls it spins for {@link #SPIN_NANOS}
     * before it parks: a training step's serial part (Adam, the prior sample) is a fraction of a
     * millisecond, and a parked pool thread on these virtual machines often took as long as a
     * whole block to wake, so that the caller ran both blocks of an L = 8, B = 64 step itself in
     * about a third of the steps (median 8.5 ms against 6 ms with the second thread working).
     */
    private static final class BlockWorker extends Thread {
        private final AtomicReference<BlockClaims> work = new AtomicReference<>();

        BlockWorker(int index) {
            super("equiflow-blocks-" + index);
            setDaemon(true);
        }

        /** Hands this worker a call's blocks unless it is still busy with an earlier one. */
        void offer(BlockClaims claims) {
            if (work.compareAndSet(null, claims)) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                BlockClaims claims = awaitWork();
                try {
                    claims.run();
                } finally {
                    work.set(null);
                }
            }
        }

        private BlockClaims awaitWork() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            BlockClaims claims;
            while ((claims = work.get()) == null) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            return claims;
        }
    }

    /**
     * {@link #forEachBlock(int, BlockBody)}, except that a batch of one block runs on the calling
     * thread with its kernels parallel over the batch, unless its field holds fewer than
     * {@link #MIN_PARALLEL_VALUES} values ({@link #serialIfSmall}).
     */
    public static void forEachBlock(int blocks, long fieldValues, BlockBody body) {
        if (blocks == 1) {
            try (Scope scope = serialIfSmall(fieldValues)) {
                body.run(0, 0);
            }
            return;
        }
        forEachBlock(blocks, body);
    }

    /**
     * The blocks of one {@link #forEachBlock} call, claimed one at a time by its runners. The
     * caller waits for the blocks, not the runners: a runner the scheduler starts late finds
     * nothing left and does nothing.
     */
    private static final class BlockClaims implements Runnable {
        private final int blocks;
        private final BlockBody body;
        private final AtomicInteger nextBlock = new AtomicInteger(), nextSlot = new AtomicInteger();
        private final CountDownLatch done;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        BlockClaims(int blocks, BlockBody body) {
            this.blocks = blocks;
            this.body = body;
            this.done = new CountDownLatch(blocks);
        }

        @Override
        public void run() {
            int slot = nextSlot.getAndIncrement();
            boolean[] serial = SERIAL.get();
            boolean before = serial[0];
            serial[0] = true;
            try {
                for (int b; (b = nextBlock.getAndIncrement()) < blocks; ) {
                    try {
                        if (failure.get() == null) body.run(slot, b);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        done.countDown();
                    }
                }
            } finally {
                serial[0] = before;
            }
        }

        void awaitAll() {
            await(done);
            rethrow(failure.get());
        }
    }

    private static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        if (t != null) throw new IllegalStateException(t);
    }

    /**
     * The ranges of one call, claimed in turn by the caller and the workers. Which thread runs
     * a range does not change what the range computes (its bounds and chunk number are fixed),
     * so results stay deterministic; but when a worker is slow to be scheduled — another
     * process has the core — the caller runs its ranges instead of waiting for it, and a worker
     * that starts after everything is claimed finds nothing left. (A fixed hand-out made every
     * kernel wait for a descheduled worker: 89 ms instead of 12 ms per step under load.)
     */
    private static final class Claims implements Runnable {
        private final int n, chunks;
        private final RangeBody body;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch done;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Claims(int n, int chunks, RangeBody body) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.done = new CountDownLatch(chunks);
        }

        @Override
        public void run() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run(c, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done.countDown();
                }
            }
        }

        void awaitAll() {
            await(done);
            rethrow(failure.get());
        }
    }
}
