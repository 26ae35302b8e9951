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
 * values when it grows, an arena round frees its results, and many tensors cross in one
 * gathered copy each way ({@link OpenClBackend#syncToHost}, {@link OpenClBackend#sendToDevice}).
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

    @Test
    void manyTensorsCrossInOneGatheredCopyEachWay() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        SplittableRandom random = new SplittableRandom(4);
        List<Tensor> parameters = new ArrayList<>(), gradients = new ArrayList<>();
        try (var scope = Backends.use(device)) {
            for (int k = 0; k < 40; k++) {
                Tensor p = Tensor.randn(new Shape(1 + k % 5, 1 + k % 3, 3 + k), DType.F32, random);
                parameters.add(p);
                gradients.add(Ops.mulScalar(p, 2.0));
            }
        }
        OpenClBackend.Transfers before = device.transfers();
        List<Tensor> withRepeats = new ArrayList<>(gradients);
        withRepeats.add(gradients.getFirst());
        device.syncToHost(withRepeats);
        OpenClBackend.Transfers down = device.transfers().minus(before);
        assertEquals(1, down.toHost(), "one gathered copy brings all 40 gradients: " + down);
        assertEquals(1, down.toDevice(), "and sends the table of where they are: " + down);
        for (int k = 0; k < parameters.size(); k++) {
            Tensor p = parameters.get(k), g = gradients.get(k);
            for (int i = 0; i < p.size(); i++) assertEquals(2 * p.get(i), g.get(i), 0.0, "gradient " + k + " [" + i + "]");
        }
        assertEquals(1, device.transfers().minus(before).toHost(), "reading the synced gradients copies nothing more");

        // As Adam does: the host updates every parameter, then sends them all at once.
        for (Tensor p : parameters) for (int i = 0; i < p.size(); i++) p.set(i, p.get(i) + 1.0);
        OpenClBackend.Transfers beforeUp = device.transfers();
        device.sendToDevice(parameters);
        device.sendToDevice(parameters);
        OpenClBackend.Transfers up = device.transfers().minus(beforeUp);
        assertEquals(2, up.toDevice(), "one staging copy and its table send all 40 parameters, once: " + up);
        List<Tensor> scaled = new ArrayList<>();
        try (var scope = Backends.use(device)) {
            for (Tensor p : parameters) scaled.add(Ops.mulScalar(p, 3.0));
        }
        assertEquals(2, device.transfers().minus(beforeUp).toDevice(), "the launches find the parameters on the device");
        for (int k = 0; k < parameters.size(); k++) {
            Tensor p = parameters.get(k), y = scaled.get(k);
            for (int i = 0; i < p.size(); i++) assertEquals(3 * p.get(i), y.get(i), 1e-5 * Math.abs(y.get(i)), "parameter " + k + " [" + i + "]");
        }
    }

    @Test
    void gatheredCopiesSplitWhereTheyOutgrowTheStagingArraysAndKeepEachPrecision() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        SplittableRandom random = new SplittableRandom(5);
        List<Tensor> inputs = new ArrayList<>();
        // More tensors than one gathered copy has table entries for, one larger than the
        // largest staging array, float64 ones if the device has float64, and fresh zeros.
        for (int k = 0; k < ResidentKernelF32.MAX_SEGMENTS + 20; k++) inputs.add(Tensor.randn(new Shape(1, 3), DType.F32, random));
        inputs.add(Tensor.randn(new Shape(1, 1, ResidentKernelF32.LARGEST_STAGE + 77), DType.F32, random));
        inputs.add(Tensor.randn(new Shape(3, ResidentKernelF32.LARGEST_STAGE / 4), DType.F32, random));
        if (device.supportsFloat64()) {
            for (int k = 0; k < 5; k++) inputs.add(Tensor.randn(new Shape(2, 7 + k), DType.F64, random));
        }
        inputs.add(Tensor.zeros(new Shape(2, 5), DType.F32));
        device.sendToDevice(inputs);
        List<Tensor> results = new ArrayList<>();
        try (var scope = Backends.use(device)) {
            for (Tensor x : inputs) results.add(Ops.neg(x));
        }
        OpenClBackend.Transfers before = device.transfers();
        device.syncToHost(results.subList(0, ResidentKernelF32.MAX_SEGMENTS + 20));
        assertEquals(2, device.transfers().minus(before).toHost(), "a table holds " + ResidentKernelF32.MAX_SEGMENTS
                + " tensors, so " + (ResidentKernelF32.MAX_SEGMENTS + 20) + " take two gathered copies");
        device.syncToHost(results);
        OpenClBackend.Transfers after = device.transfers();
        for (int k = 0; k < inputs.size(); k++) {
            Tensor x = inputs.get(k), y = results.get(k);
            int stride = Math.max(1, x.size() / 5000);
            for (int i = 0; i < x.size(); i += stride) assertEquals(-x.get(i), y.get(i), 0.0, "tensor " + k + " [" + i + "]");
            assertEquals(-x.get(x.size() - 1), y.get(y.size() - 1), 0.0, "tensor " + k + " last");
        }
        assertEquals(0, device.transfers().minus(after).toHost(), "every result came back in the gathered copies");
    }
}
