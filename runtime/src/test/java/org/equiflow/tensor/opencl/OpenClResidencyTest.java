package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.equiflow.tensor.BufferArena;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.Backends;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The float32 device residency of the OpenCL backend: results stay on the device until the
 * host touches them, a host write after an upload reaches the next launch, the heap keeps its
 * values when it grows, and an arena round frees its results.
 */
@Tag("opencl")
class OpenClResidencyTest {

    @Test
    void aChainOfOperationsCopiesOnlyItsInputAndTheValueTheHostReads() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        Tensor x = Tensor.randn(new Shape(8, 2, 4, 4), DType.F32, new SplittableRandom(1));
        double expected = 0;
        for (int i = 0; i < x.size(); i++) expected += Math.tanh(2 * x.get(i)) + 1;
        OpenClBackend.Transfers before = device.transfers();
        Tensor sum;
        try (var scope = Backends.use(device)) {
            Tensor y = x;
            y = Ops.mulScalar(y, 2.0);
            y = Ops.tanh(y);
            y = Ops.addScalar(y, 1.0);
            sum = Ops.apply(new org.equiflow.tensor.SumTo(new Shape(1, 1)), y);
        }
        OpenClBackend.Transfers afterLaunches = device.transfers().minus(before);
        assertEquals(1, afterLaunches.toDevice(), "x goes to the device once: " + afterLaunches);
        assertEquals(0, afterLaunches.toHost(), "nothing comes back before the host reads: " + afterLaunches);
        assertEquals(expected, sum.get(0), 1e-4 * Math.abs(expected));
        assertEquals(1, device.transfers().minus(before).toHost(), "reading the sum copies it once");
        sum.get(0);
        assertEquals(1, device.transfers().minus(before).toHost(), "a second read copies nothing");
    }

    @Test
    void aHostWriteAfterAnUploadReachesTheNextLaunch() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        Tensor p = Tensor.full(new Shape(1, 3), DType.F32, 2.0);
        p.set(0, 2.0);
        try (var scope = Backends.use(device)) {
            assertEquals(4.0, Ops.mulScalar(p, 2.0).get(1), 0.0);
            // As Adam does with a parameter the device holds a copy of.
            for (int i = 0; i < p.size(); i++) p.set(i, p.get(i) + 1.0);
            assertEquals(6.0, Ops.mulScalar(p, 2.0).get(2), 0.0);
        }
    }

    @Test
    void valuesSurviveTheHeapGrowingPastItsFirstSize() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        SplittableRandom random = new SplittableRandom(2);
        List<Tensor> inputs = new ArrayList<>(), results = new ArrayList<>();
        // 2 x 6 tensors of 1 Mi floats: 48 MiB live, three times the first heap.
        try (var scope = Backends.use(device)) {
            for (int k = 0; k < 6; k++) {
                Tensor x = Tensor.randn(new Shape(16, 1, 256, 256), DType.F32, random);
                inputs.add(x);
                results.add(Ops.neg(x));
            }
        }
        for (int k = 0; k < inputs.size(); k++) {
            Tensor x = inputs.get(k), y = results.get(k);
            for (int i = 0; i < x.size(); i += 997) assertEquals(-x.get(i), y.get(i), 0.0, "tensor " + k + " [" + i + "]");
        }
    }

    @Test
    void aClosedArenaRoundFreesItsResultsAndForbidsTouchingThem() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        Tensor x = Tensor.randn(new Shape(4, 1, 8, 8), DType.F32, new SplittableRandom(3));
        BufferArena arena = BufferArena.withDefaultBudget();
        Tensor inside;
        try (var scope = Backends.use(device); var round = arena.open()) {
            Ops.exp(x);
            inside = Ops.exp(Ops.neg(x));
            assertTrue(device.residentBytes() >= 3L * x.size() * Float.BYTES);
        }
        IllegalStateException touched = assertThrows(IllegalStateException.class, () -> inside.get(0));
        assertTrue(touched.getMessage().contains("round"), touched.getMessage());
    }
}
