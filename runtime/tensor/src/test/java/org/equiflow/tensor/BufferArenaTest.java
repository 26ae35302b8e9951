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

    /** A little conditioner and coupling: every primitive that skips the zeroing takes part. */
    private static Tensor pipeline(Tensor x, Tensor w, Tensor b, Tensor w2, Tensor mask) {
        Tensor h = Ops.apply(new ConvAct(Activation.LEAKY_RELU, 0.01), x, w, b);
        Tensor st = Ops.apply(new ConvAct(Activation.TANH, 0), h, w2);
        Tensor s = Ops.sliceChannels(st, 0, 1), t = Ops.sliceChannels(st, 1, 2);
        Tensor y = Ops.apply(new AffineCoupling(), x, s, t, mask);
        Tensor g = Ops.apply(new ActivationGrad(Activation.TANH, 0), st, Ops.exp(st));
        return Ops.add(Ops.mul(y, Ops.sliceChannels(g, 0, 1)), Ops.sliceChannels(Ops.conv(y, w), 2, 3));
    }

    @Test
    void resultsFromRecycledArraysEqualFreshOnes() {
        var random = new java.util.SplittableRandom(7);
        Shape field = new Shape(3, 1, 8, 8);
        Tensor w = Tensor.randn(new Shape(8, 1, 3, 3), DType.F32, random), b = Tensor.randn(Shape.perConfiguration(1, 8), DType.F32, random);
        Tensor w2 = Tensor.randn(new Shape(2, 8, 3, 3), DType.F32, random);
        Tensor mask = Tensor.zeros(new Shape(1, 1, 8, 8), DType.F32);
        for (int i = 0; i < 64; i += 2) mask.set(i + (i / 8) % 2, 1.0);
        BufferArena arena = new BufferArena(1 << 24);
        try (var round = arena.open()) {
            pipeline(Tensor.randn(field, DType.F32, random), w, b, w2, mask); // leaves values in the arrays
        }
        Tensor x = Tensor.randn(field, DType.F32, random);
        Tensor fresh = pipeline(x, w, b, w2, mask);
        try (var round = arena.open()) {
            Tensor recycled = pipeline(x, w, b, w2, mask);
            for (int i = 0; i < fresh.size(); i++) assertEquals(fresh.get(i), recycled.get(i), 0.0, "element " + i);
        }
    }
}
