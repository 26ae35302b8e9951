package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The resident heap's first-fit allocator: aligned, disjoint ranges, and freed neighbours merge back. */
class DeviceHeapTest {

    @Test
    void rangesAreAlignedAndDisjointAndFreeingEverythingLeavesOneBlock() {
        DeviceHeap heap = new DeviceHeap(1 << 16);
        SplittableRandom random = new SplittableRandom(4);
        List<int[]> taken = new ArrayList<>();
        for (int round = 0; round < 2000; round++) {
            if (!taken.isEmpty() && random.nextInt(3) == 0) {
                int[] range = taken.remove(random.nextInt(taken.size()));
                heap.free(range[0], range[1]);
                continue;
            }
            int length = 1 + random.nextInt(700);
            int at = heap.allocate(length);
            if (at < 0) continue;
            assertEquals(0, at % DeviceHeap.ALIGNMENT, "offset " + at);
            assertTrue(at + length <= heap.capacity());
            for (int[] other : taken) {
                boolean apart = at + length <= other[0] || other[0] + other[1] <= at;
                assertTrue(apart, "[" + at + ", " + (at + length) + ") overlaps [" + other[0] + ", " + (other[0] + other[1]) + ")");
            }
            taken.add(new int[] {at, length});
        }
        for (int[] range : taken) heap.free(range[0], range[1]);
        assertEquals(0, heap.used());
        // Everything merged back: the whole capacity is one free range again.
        assertEquals(0, heap.allocate(heap.capacity()));
    }

    @Test
    void growingAddsAFreeTailThatMergesWithTheLastFreeRange() {
        DeviceHeap heap = new DeviceHeap(64);
        int first = heap.allocate(32);
        assertEquals(-1, heap.allocate(64));
        heap.grow(128);
        assertEquals(32, heap.allocate(96));
        heap.free(first, 32);
        assertEquals(0, heap.allocate(20));
    }
}
