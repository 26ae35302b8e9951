package org.equiflow.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Every range runs exactly once with its fixed bounds, whoever runs it; failures reach the caller. */
class CpuParallelTest {

    @Test
    void everyItemIsCoveredOnceByItsChunksFixedRange() {
        for (int n : new int[] {1, 2, 3, 64, 1001}) {
            for (int repeat = 0; repeat < 200; repeat++) {
                int chunks = CpuParallel.chunksFor(n);
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                int[] firstOfChunk = new int[chunks];
                CpuParallel.forChunks(n, (chunk, from, to) -> {
                    firstOfChunk[chunk] = from;
                    for (int i = from; i < to; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "item " + i + " of " + n);
                int[] expected = new int[chunks];
                for (int c = 0; c < chunks; c++) expected[c] = (int) ((long) n * c / chunks);
                assertArrayEquals(expected, firstOfChunk, "chunk bounds for n = " + n);
            }
        }
    }

    @Test
    void aFailureInAnyChunkIsThrownToTheCaller() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        int last = CpuParallel.chunksFor(100) - 1;
        var thrown = assertThrows(IllegalArgumentException.class, () -> CpuParallel.forChunks(100, (chunk, from, to) -> {
            if (chunk == last) throw boom;
        }));
        assertSame(boom, thrown);
    }

    @Test
    void aSmallBatchRunsOnTheCallingThreadAndTheScopeRestoresTheDefault() {
        int parallelChunks = CpuParallel.chunksFor(64);
        try (var scope = CpuParallel.serialIfSmall(CpuParallel.MIN_PARALLEL_VALUES - 1)) {
            assertEquals(1, CpuParallel.chunksFor(64));
            Thread caller = Thread.currentThread();
            CpuParallel.forChunks(64, (chunk, from, to) -> assertSame(caller, Thread.currentThread()));
            try (var large = CpuParallel.serialIfSmall(CpuParallel.MIN_PARALLEL_VALUES)) {
                assertEquals(1, CpuParallel.chunksFor(64), "a nested scope does not undo an enclosing serial one");
            }
        }
        assertEquals(parallelChunks, CpuParallel.chunksFor(64));
        try (var scope = CpuParallel.serialIfSmall(CpuParallel.MIN_PARALLEL_VALUES)) {
            assertEquals(parallelChunks, CpuParallel.chunksFor(64));
        }
    }

    @Test
    void everyBlockRunsOnceWithItsKernelsSerialAndNoTwoRunnersShareASlot() {
        for (int blocks : new int[] {1, 2, 3, 17, 200}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(blocks);
            java.util.Map<Integer, Thread> slotOwner = new java.util.concurrent.ConcurrentHashMap<>();
            CpuParallel.forEachBlock(blocks, (slot, block) -> {
                runs.incrementAndGet(block);
                assertEquals(1, CpuParallel.chunksFor(1000), "kernels inside a block run on its thread");
                assertTrue(slot >= 0 && slot < CpuParallel.threads(), "slot " + slot);
                Thread previous = slotOwner.putIfAbsent(slot, Thread.currentThread());
                assertTrue(previous == null || previous == Thread.currentThread(), "slot " + slot + " used by two threads");
            });
            for (int b = 0; b < blocks; b++) assertEquals(1, runs.get(b), "block " + b + " of " + blocks);
        }
        assertEquals(CpuParallel.chunksFor(1000), Math.min(CpuParallel.threads(), 1000), "the caller's kernels are parallel again");
    }

    @Test
    void aFailureInAnyBlockIsThrownToTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        var thrown = assertThrows(IllegalStateException.class, () -> CpuParallel.forEachBlock(9, (slot, block) -> {
            if (block == 7) throw boom;
        }));
        assertSame(boom, thrown);
    }
}
