package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The buffer arena recycles results between rounds, hands them out zeroed, and keeps to its budget. */
class BufferArenaTest {

    private static final Shape FIELD = new Shape(2, 1, 4, 4);

    @Test
    void aSecondRoundReusesTheFirstRoundsArraysZeroed() {
        BufferArena arena = new BufferArena(1 << 20);
        Tensor x = Tensor.full(FIELD, DType.F32, 2.0);
        float[] first;
        try (var round = arena.open()) {
            Tensor y = Ops.mulScalar(x, 3.0);
            first = y.f32();
            assertEquals(6.0, y.get(5), 0.0);
        }
        try (var round = arena.open()) {
            Tensor again = BufferArena.allocate(FIELD, DType.F32);
            assertSame(first, again.f32());
            for (int i = 0; i < again.size(); i++) assertEquals(0.0, again.get(i), 0.0, "element " + i);
            assertEquals(1.0, Ops.mulScalar(x, 0.5).get(3), 0.0);
        }
    }

    @Test
    void withoutAnOpenRoundResultsAreFresh() {
        BufferArena arena = new BufferArena(1 << 20);
        Tensor x = Tensor.full(FIELD, DType.F64, 1.0);
        double[] inRound;
        try (var round = arena.open()) {
            inRound = Ops.neg(x).f64();
        }
        assertNotSame(inRound, Ops.neg(x).f64());
    }

    @Test
    void beyondTheBudgetResultsAreAllocatedNormally() {
        BufferArena arena = new BufferArena(FIELD.size() * Float.BYTES);
        Tensor x = Tensor.full(FIELD, DType.F32, 1.0);
        float[] a, b;
        try (var round = arena.open()) {
            a = Ops.neg(x).f32();
            b = Ops.neg(x).f32(); // over budget: not recycled
        }
        try (var round = arena.open()) {
            float[] c = Ops.neg(x).f32();
            float[] d = Ops.neg(x).f32();
            assertSame(a, c);
            assertNotSame(b, d);
        }
    }

    @Test
    void roundsOfOneArenaDoNotNest() {
        BufferArena arena = new BufferArena(1 << 20);
        try (var round = arena.open()) {
            assertThrows(IllegalStateException.class, arena::open);
        }
    }
}
