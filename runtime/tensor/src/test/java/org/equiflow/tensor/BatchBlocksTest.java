package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The cut of a batch into blocks: whole configurations, sizes within one of each other, fixed by the shape alone. */
class BatchBlocksTest {

    @Test
    void blocksTileTheBatchWithSizesWithinOne() {
        for (int l : new int[] {4, 8, 16, 32}) {
            for (int batch : new int[] {1, 2, 7, 64, 100, 1024}) {
                var blocks = BatchBlocks.of(new Shape(batch, 1, l, l), 2048);
                int expected = 0, smallest = Integer.MAX_VALUE, largest = 0;
                for (int b = 0; b < blocks.count(); b++) {
                    assertEquals(expected, blocks.from(b));
                    int size = blocks.to(b) - blocks.from(b);
                    smallest = Math.min(smallest, size);
                    largest = Math.max(largest, size);
                    expected = blocks.to(b);
                }
                assertEquals(batch, expected, "blocks cover L = " + l + ", batch " + batch);
                assertTrue(smallest >= 1 && largest - smallest <= 1, "sizes " + smallest + ".." + largest);
                assertTrue((long) smallest * l * l <= 2048 || smallest == 1, "a block holds about the target or one configuration");
            }
        }
    }

    @Test
    void samplingBlocksFillTheConditionerKernelsLaneGroups() {
        // BatchBlocks.TARGET_VALUES may be overridden by a property: compare with of() where it already gives 16 or more.
        assertEquals(BatchBlocks.of(new Shape(1024, 1, 8, 8)).count(), BatchBlocks.forLaneGroups(new Shape(1024, 1, 8, 8)).count());
        for (int l : new int[] {16, 32, 64}) {
            var blocks = BatchBlocks.forLaneGroups(new Shape(1024, 1, l, l));
            for (int b = 0; b < blocks.count(); b++) {
                assertTrue(blocks.to(b) - blocks.from(b) >= BatchBlocks.LANE_GROUP_CONFIGURATIONS, "L = " + l + ", block " + b);
            }
        }
        assertEquals(64, BatchBlocks.forLaneGroups(new Shape(1024, 1, 32, 32)).count(), "L = 32: 64 blocks of 16");
    }

    @Test
    void theNotebookCasesGetTheirDocumentedBlocks() {
        assertEquals(2, BatchBlocks.of(new Shape(64, 1, 8, 8), 2048).count(), "L = 8, B = 64: two blocks of 32");
        assertEquals(32, BatchBlocks.of(new Shape(1024, 1, 8, 8), 2048).count());
        assertEquals(128, BatchBlocks.of(new Shape(1024, 1, 16, 16), 2048).count());
        assertEquals(512, BatchBlocks.of(new Shape(1024, 1, 32, 32), 2048).count());
        assertEquals(64, BatchBlocks.of(new Shape(64, 1, 64, 64), 2048).count(), "a configuration larger than the target is a block");
    }

    @Test
    void configurationsAreACopyOfTheirSlice() {
        Tensor t = Tensor.zeros(new Shape(5, 2, 3), DType.F32);
        for (int i = 0; i < t.size(); i++) t.set(i, i);
        Tensor slice = BatchBlocks.configurations(t, 1, 3);
        assertEquals(new Shape(2, 2, 3), slice.shape());
        for (int i = 0; i < slice.size(); i++) assertEquals(6 + i, slice.get(i));
        slice.set(0, -1);
        assertEquals(6, t.get(6), "the slice does not share storage");
    }
}
