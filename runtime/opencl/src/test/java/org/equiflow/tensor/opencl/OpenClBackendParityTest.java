package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import org.equiflow.tensor.Backends;
import org.equiflow.tensor.Activation;
import org.equiflow.tensor.ActivationGrad;
import org.equiflow.tensor.AffineCoupling;
import org.equiflow.tensor.BinaryOp;
import org.equiflow.tensor.Conditioner;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.BroadcastTo;
import org.equiflow.tensor.ComplexMatMul;
import org.equiflow.tensor.ComplexTrace;
import org.equiflow.tensor.SuThreeEigenphases;
import org.equiflow.tensor.AlgebraProjection;
import org.equiflow.tensor.MatrixExponential;
import org.equiflow.tensor.ConcatChannels;
import org.equiflow.tensor.Conv;
import org.equiflow.tensor.ConvWeightGradient;
import org.equiflow.tensor.CpuBackend;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.FlipKernel;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.PrimitiveCases;
import org.equiflow.tensor.PrimitiveCases.Case;
import org.equiflow.tensor.Roll;
import org.equiflow.tensor.SliceChannels;
import org.equiflow.tensor.SplineGradient;
import org.equiflow.tensor.SplineInverse;
import org.equiflow.tensor.Spline;
import org.equiflow.tensor.SumTo;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.UnaryOp;
import org.equiflow.tensor.Where;

/**
 * The OpenCL backend against the CPU backend on every case of {@link PrimitiveCases} (so on
 * every primitive of the closed set), forward in float32 and float64 and one VJP per primitive,
 * each time checking that the expected kernel really ran on the OpenCL device.
 */
@Tag("opencl")
class OpenClBackendParityTest {

    /**
     * Float32 agreement. The kernels evaluate in float where the CPU backend often evaluates in
     * double and rounds once, and OpenCL's float exp/log/sin/cos/tanh may be off by a few ulps
     * (about 3e-7 relative), so a few ulps plus an absolute floor for sums that cancel.
     */
    private static final double F32_RELATIVE = 1e-5;
    private static final double F32_ABSOLUTE = 1e-6;
    /** Float64 agreement: only summation order differs. */
    private static final double F64_RELATIVE = 1e-12;
    private static final double F64_ABSOLUTE = 1e-12;

    private final PrimitiveCases table = new PrimitiveCases(20260211L);

    @Test
    void theCaseTableCoversEveryPrimitive() {
        Set<Class<?>> missing = new LinkedHashSet<>(PrimitiveCases.primitiveClasses());
        missing.removeAll(table.all().keySet());
        assertTrue(missing.isEmpty(), "primitives without a parity case: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> float32ForwardMatchesCpu() {
        OpenClBackend backend = OpenClTestDevice.backendOrSkip();
        return allCases().map(c -> DynamicTest.dynamicTest(c.label(),
                () -> checkForward(backend, c, DType.F32, float32Relative(c.primitive()), F32_ABSOLUTE)));
    }

    @TestFactory
    Stream<DynamicTest> float64ForwardMatchesCpu() {
        OpenClBackend backend = OpenClTestDevice.backendOrSkip();
        assumeTrue(backend.supportsFloat64(), backend.description() + " has no float64 support; float64 runs on the CPU");
        return allCases().map(c -> DynamicTest.dynamicTest(c.label(),
                () -> checkForward(backend, c, DType.F64, F64_RELATIVE, F64_ABSOLUTE)));
    }

    /** One VJP per primitive: backward passes are made of Ops, so they must follow the backend too. */
    @TestFactory
    Stream<DynamicTest> float32VjpMatchesCpu() {
        OpenClBackend backend = OpenClTestDevice.backendOrSkip();
        return table.all().values().stream().map(List::getFirst)
                .map(c -> DynamicTest.dynamicTest(c.label(), () -> checkVjp(backend, c)));
    }

    private Stream<Case> allCases() {
        return table.all().values().stream().flatMap(List::stream);
    }

    private static void checkForward(OpenClBackend backend, Case c, DType dtype, double relative, double absolute) {
        List<Tensor> inputs = c.inputs().stream().map(t -> t.to(dtype)).toList();
        Tensor expected = Ops.apply(c.primitive(), inputs);
        Tensor actual = Tensor.zeros(expected.shape(), dtype);
        Map<String, OpenClBackend.LaunchCount> before = backend.launches();
        backend.forward(c.primitive(), inputs, actual);
        String precision = dtype == DType.F32 ? "F32" : "F64";
        assertRanOnDevice(kernelFamilies(c.primitive()).stream().map(k -> k + precision).toList(), before, backend.launches(), c.label());
        assertClose(expected, actual, relative, absolute, c.label());
    }

    private static void checkVjp(OpenClBackend backend, Case c) {
        List<Tensor> inputs = c.inputs().stream().map(t -> t.to(DType.F32)).toList();
        Tensor output = Ops.apply(c.primitive(), inputs);
        Tensor cotangent = Tensor.randn(output.shape(), DType.F32, new SplittableRandom(7));
        for (int k = 0; k < inputs.size(); k++) {
            if (!c.primitive().differentiable(k)) continue;
            Tensor expected = c.primitive().vjp(k, inputs, output, cotangent);
            Map<String, OpenClBackend.LaunchCount> before = backend.launches();
            Tensor actual;
            try (var scope = Backends.use(backend)) {
                actual = c.primitive().vjp(k, inputs, output, cotangent);
            }
            List<String> launched = launchedSince(before, backend.launches(), c.label());
            // A VJP that hands the cotangent back unchanged (AddScalar's) launches nothing, nor does a host-run primitive's.
            if (actual != cotangent && !kernelFamilies(c.primitive()).isEmpty()) {
                assertFalse(launched.isEmpty(), c.label() + ": the VJP of operand " + k + " launched no kernel");
            }
            assertClose(expected, actual, float32Relative(c.primitive()), F32_ABSOLUTE, c.label() + " VJP of operand " + k);
        }
        assertEquals(CpuBackend.INSTANCE, Backends.current(), "the backend scope was not restored");
    }

    /**
     * The spline's derivatives subtract nearly equal terms (N_ξ/N − 2D_ξ/D), so float32 device
     * arithmetic lands some ten ulps from the CPU, which evaluates float32 operands in float64.
     */
    private static double float32Relative(Primitive primitive) {
        return primitive instanceof Spline s && s.quantity() == SplineGradient.Quantity.LOG_DERIVATIVE || primitive instanceof SplineGradient || primitive instanceof SplineInverse
                ? 1e-4 : F32_RELATIVE;
    }

    /** The kernel classes (without their precision suffix) that must run a primitive. */
    private static List<String> kernelFamilies(Primitive primitive) {
        return switch (primitive) {
            case UnaryOp op -> List.of("UnaryKernel");
            case BinaryOp op -> List.of("BinaryKernel");
            case SumTo op -> List.of("SumToKernel");
            case BroadcastTo op -> List.of("BroadcastToKernel");
            case Roll op -> List.of("RollKernel");
            case SliceChannels op -> List.of("ChannelCopyKernel");
            case ConcatChannels op -> List.of("ChannelCopyKernel");
            case Where op -> List.of("WhereKernel");
            case Conv op -> List.of("ConvKernel");
            case ConvWeightGradient op -> List.of("ConvWeightGradientKernel");
            case FlipKernel op -> List.of("FlipWeightsKernel");
            // Fused primitives are composed from device kernels.
            case ConvAct op -> op.activation() == Activation.IDENTITY ? List.of("ConvKernel") : List.of("ConvKernel", "UnaryKernel");
            case ActivationGrad op -> op.activation() == Activation.IDENTITY ? List.of("UnaryKernel") : List.of("BinaryKernel", "UnaryKernel");
            case Conditioner op -> op.masked() ? List.of("BinaryKernel", "ConvKernel", "UnaryKernel") : List.of("ConvKernel", "UnaryKernel");
            case AffineCoupling op -> List.of("BinaryKernel", "UnaryKernel", "WhereKernel");
            case Spline op -> List.of("SplineKernel");
            case SplineGradient op -> List.of("SplineKernel");
            // Its VJPs are the forward spline's log-derivative and parameter gradient, elementwise ops around them.
            case SplineInverse op -> List.of("SplineKernel");
            case ComplexMatMul op -> List.of("ComplexMatrixKernel");
            case ComplexTrace op -> List.of("ComplexMatrixKernel");
            // Runs on the host by design, forward (OpenClBackend.forward) and VJP (one 3×3 Jacobi per site): no kernel launches.
            case SuThreeEigenphases op -> List.of();
            // Host-run as well (a gradient flow's few matrices per link); the projection's VJP is itself, the exponential's a host loop.
            case AlgebraProjection op -> List.of();
            case MatrixExponential op -> List.of();
        };
    }

    private static void assertRanOnDevice(List<String> kernels, Map<String, OpenClBackend.LaunchCount> before,
                                          Map<String, OpenClBackend.LaunchCount> after, String label) {
        List<String> launched = launchedSince(before, after, label);
        assertEquals(kernels.stream().sorted().toList(), launched.stream().sorted().toList(), label + ": kernels launched");
    }

    /** The kernels launched between two snapshots; fails if any of them ran off the device. */
    private static List<String> launchedSince(Map<String, OpenClBackend.LaunchCount> before,
                                              Map<String, OpenClBackend.LaunchCount> after, String label) {
        List<String> launched = new ArrayList<>();
        for (var entry : after.entrySet()) {
            var earlier = before.getOrDefault(entry.getKey(), new OpenClBackend.LaunchCount(0, 0));
            long onDevice = entry.getValue().onDevice() - earlier.onDevice();
            long offDevice = entry.getValue().offDevice() - earlier.offDevice();
            if (offDevice > 0) fail(label + ": " + entry.getKey() + " ran on Java threads, not on OpenCL");
            if (onDevice > 0) launched.add(entry.getKey());
        }
        launched.sort(null);
        return launched;
    }

    private static void assertClose(Tensor expected, Tensor actual, double relative, double absolute, String label) {
        assertEquals(expected.shape(), actual.shape(), label + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), label + ": dtype");
        double scale = 1.0;
        for (int i = 0; i < expected.size(); i++) scale = Math.max(scale, Math.abs(expected.get(i)));
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i), a = actual.get(i);
            if (!(Math.abs(a - e) <= relative * Math.abs(e) + absolute * scale)) {
                fail(label + ": element " + i + " is " + a + " on OpenCL, " + e + " on the CPU (difference "
                        + Math.abs(a - e) + ")");
            }
        }
    }
}
