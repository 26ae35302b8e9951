package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TapeTest {

    private final SplittableRandom random = new SplittableRandom(7);
    private final Shape field = new Shape(3, 2, 4, 4);

    @Test
    void fanOutGradientsAddUp() {
        // f(a, b) = sum(a * a * b + exp(a)):  df/da = 2ab + exp(a),  df/db = a^2.
        Tensor a = Tensor.randn(field, DType.F64, random).requiresGrad(true);
        Tensor b = Tensor.randn(field, DType.F64, random).requiresGrad(true);
        try (Tape tape = Tape.open()) {
            Tensor f = Ops.sumTo(Ops.add(Ops.mul(Ops.mul(a, a), b), Ops.exp(a)), Shape.scalar());
            tape.backward(f);
        }
        for (int i = 0; i < a.size(); i++) {
            assertEquals(2 * a.get(i) * b.get(i) + Math.exp(a.get(i)), a.grad().get(i), 1e-12);
            assertEquals(a.get(i) * a.get(i), b.grad().get(i), 1e-12);
        }
    }

    @Test
    void broadcastParameterCollectsGradientFromEverySite() {
        // y = x + bias[c]; d sum(w * y) / d bias[c] = sum over batch and sites of w[., c, .].
        Tensor x = Tensor.randn(field, DType.F32, random);
        Tensor w = Tensor.randn(field, DType.F32, random);
        Tensor bias = Tensor.zeros(Shape.perConfiguration(1, 2), DType.F32).requiresGrad(true);
        try (Tape tape = Tape.open()) {
            tape.backward(Ops.sumTo(Ops.mul(w, Ops.add(x, bias)), Shape.scalar()));
        }
        for (int c = 0; c < 2; c++) {
            double expected = 0.0;
            for (int b = 0; b < 3; b++) for (int s = 0; s < 16; s++) expected += w.get(field.index(b, c, s));
            assertEquals(expected, bias.grad().get(c), 1e-5);
        }
        assertNull(x.grad(), "constants get no gradient");
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardPassesUntilCleared() {
        Tensor p = Tensor.full(Shape.scalar(), DType.F64, 3.0).requiresGrad(true);
        for (int pass = 0; pass < 2; pass++) {
            try (Tape tape = Tape.open()) {
                tape.backward(Ops.square(p));
            }
        }
        assertEquals(12.0, p.grad().get(0), 1e-15);
        p.zeroGrad();
        assertNull(p.grad());
    }

    @Test
    void aCheckpointedSegmentIsRecomputedInTheBackwardPassAndGivesTheSameGradients() {
        // segment (a, b) ↦ (a·b, exp(a), a + b) run unrecorded; after it f = sum(y1·y2) + sum(y1), y3 unused
        Tensor a = Tensor.randn(field, DType.F64, random).requiresGrad(true);
        Tensor b = Tensor.randn(field, DType.F64, random).requiresGrad(true);
        int[] recomputed = {0};
        try (Tape tape = Tape.open()) {
            Tensor[] y = new Tensor[3];
            Tape.withoutRecording(() -> {
                y[0] = Ops.mul(a, b);
                y[1] = Ops.exp(a);
                y[2] = Ops.add(a, b);
            });
            assertFalse(y[0].requiresGrad(), "nothing recorded inside the segment");
            Tape.recordSegment(java.util.List.of(a, b), java.util.List.of(y[0], y[1], y[2]), (inputs, cotangents) -> {
                recomputed[0]++;
                assertNull(cotangents[2], "an output nothing read gets no cotangent");
                Tensor standInA = inputs.get(0).reshape(inputs.get(0).shape()).requiresGrad(true);
                Tensor standInB = inputs.get(1).reshape(inputs.get(1).shape()).requiresGrad(true);
                try (Tape nested = Tape.open()) {
                    var outputs = java.util.List.of(Ops.mul(standInA, standInB), Ops.exp(standInA));
                    return nested.gradients(outputs, new Tensor[] {cotangents[0], cotangents[1]}, java.util.List.of(standInA, standInB));
                }
            });
            assertTrue(y[0].requiresGrad() && y[1].requiresGrad(), "the segment's outputs carry gradients on");
            assertEquals(1, tape.size(), "one entry for the whole segment");
            tape.backward(Ops.add(Ops.sumTo(Ops.mul(y[0], y[1]), Shape.scalar()), Ops.sumTo(y[0], Shape.scalar())));
        }
        assertEquals(1, recomputed[0]);
        for (int i = 0; i < a.size(); i++) {
            double ai = a.get(i), bi = b.get(i);
            // ∂/∂a (ab·eᵃ + ab) = b·eᵃ + ab·eᵃ + b, ∂/∂b = a·eᵃ + a
            assertEquals(bi * Math.exp(ai) + ai * bi * Math.exp(ai) + bi, a.grad().get(i), 1e-12);
            assertEquals(ai * Math.exp(ai) + ai, b.grad().get(i), 1e-12);
        }
    }

    @Test
    void nothingIsRecordedWithoutAnOpenTapeOrWithoutParameters() {
        Tensor p = Tensor.randn(field, DType.F32, random).requiresGrad(true);
        Tensor untracked = Ops.exp(p);
        assertFalse(untracked.requiresGrad(), "no tape, no recording");
        try (Tape tape = Tape.open()) {
            Tensor constant = Ops.exp(Tensor.randn(field, DType.F32, random));
            assertFalse(constant.requiresGrad());
            assertEquals(0, tape.size());
            Tensor tracked = Ops.tanh(p);
            assertTrue(tracked.requiresGrad());
            assertEquals(1, tape.size());
        }
        assertFalse(Ops.tanh(p).requiresGrad(), "closing the tape stops recording");
    }

    @Test
    void backwardNeedsASingleNumberOrASeed() {
        Tensor p = Tensor.randn(field, DType.F64, random).requiresGrad(true);
        try (Tape tape = Tape.open()) {
            Tensor y = Ops.mulScalar(p, 2.0);
            assertThrows(IllegalArgumentException.class, () -> tape.backward(y));
            tape.backward(y, Tensor.full(field, DType.F64, 1.0));
        }
        assertEquals(2.0, p.grad().get(5), 0.0);
    }

    @Test
    void mixedPrecisionIsRefused() {
        Tensor a = Tensor.zeros(field, DType.F32);
        Tensor b = Tensor.zeros(field, DType.F64);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.add(a, b));
        assertTrue(e.getMessage().contains("F32") && e.getMessage().contains("F64"), e.getMessage());
    }
}
