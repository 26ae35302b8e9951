package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import com.aparapi.internal.opencl.OpenCLPlatform;

import org.equiflow.tensor.Activation;
import org.equiflow.tensor.ActivationGrad;
import org.equiflow.tensor.AffineCoupling;
import org.equiflow.tensor.RationalQuadraticSpline;
import org.equiflow.tensor.SplineGradient;
import org.equiflow.tensor.SplineLogDerivative;
import org.equiflow.tensor.SplineTransform;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.BinaryOp;
import org.equiflow.tensor.BroadcastTo;
import org.equiflow.tensor.ComplexMatMul;
import org.equiflow.tensor.ComplexTrace;
import org.equiflow.tensor.ConcatChannels;
import org.equiflow.tensor.Conv;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.ConvWeightGradient;
import org.equiflow.tensor.CpuBackend;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.FlipKernel;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Roll;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.SliceChannels;
import org.equiflow.tensor.SumTo;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.UnaryOp;
import org.equiflow.tensor.Where;

/**
 * Runs every primitive as an Aparapi kernel on one OpenCL device (see the package
 * documentation for the contract). One kernel object per family and precision is reused, so
 * each is translated and compiled once per backend; calls are serialized because a kernel's
 * arguments are its fields.
 */
public final class OpenClBackend implements Backend {

    /** What to do when Aparapi ran a kernel on Java threads instead of the device. */
    public enum FallbackPolicy {
        /** Throw: for tests, and wherever a silent CPU run would make a measurement lie. */
        FAIL,
        /** Log a warning once per kernel and keep the (correct) Java-thread result. */
        WARN
    }

    /** Kernel launches of one kernel class, split by where they ran. */
    public record LaunchCount(long onDevice, long offDevice) {
    }

    private static final System.Logger WARNINGS = System.getLogger(OpenClBackend.class.getName());

    private record Discovery(List<OpenCLDevice> devices, String problem) {
    }

    private static Discovery discovery;

    private final OpenCLDevice device;
    private final FallbackPolicy policy;
    private final Map<String, LaunchCount> launches = new LinkedHashMap<>();
    /** Kernels Aparapi has run on Java threads at least once. */
    private final Set<String> fellBack = new HashSet<>();
    /** Null until the first float64 primitive asks. */
    private Boolean float64Supported;

    private final UnaryKernelF32 unaryF32 = new UnaryKernelF32();
    private final BinaryKernelF32 binaryF32 = new BinaryKernelF32();
    private final SumToKernelF32 sumToF32 = new SumToKernelF32();
    private final BroadcastToKernelF32 broadcastToF32 = new BroadcastToKernelF32();
    private final RollKernelF32 rollF32 = new RollKernelF32();
    private final ComplexMatrixKernelF32 complexMatrixF32 = new ComplexMatrixKernelF32();
    private final ChannelCopyKernelF32 channelCopyF32 = new ChannelCopyKernelF32();
    private final WhereKernelF32 whereF32 = new WhereKernelF32();
    private final ConvKernelF32 convF32 = new ConvKernelF32();
    private final ConvWeightGradientKernelF32 convWeightGradientF32 = new ConvWeightGradientKernelF32();
    private final FlipWeightsKernelF32 flipWeightsF32 = new FlipWeightsKernelF32();
    private final SplineKernelF32 splineF32 = new SplineKernelF32();

    private final UnaryKernelF64 unaryF64 = new UnaryKernelF64();
    private final BinaryKernelF64 binaryF64 = new BinaryKernelF64();
    private final SumToKernelF64 sumToF64 = new SumToKernelF64();
    private final BroadcastToKernelF64 broadcastToF64 = new BroadcastToKernelF64();
    private final RollKernelF64 rollF64 = new RollKernelF64();
    private final ComplexMatrixKernelF64 complexMatrixF64 = new ComplexMatrixKernelF64();
    private final ChannelCopyKernelF64 channelCopyF64 = new ChannelCopyKernelF64();
    private final WhereKernelF64 whereF64 = new WhereKernelF64();
    private final ConvKernelF64 convF64 = new ConvKernelF64();
    private final ConvWeightGradientKernelF64 convWeightGradientF64 = new ConvWeightGradientKernelF64();
    private final FlipWeightsKernelF64 flipWeightsF64 = new FlipWeightsKernelF64();
    private final SplineKernelF64 splineF64 = new SplineKernelF64();

    public OpenClBackend(OpenCLDevice device, FallbackPolicy policy) {
        this.device = device;
        this.policy = policy;
    }

    // ---------------------------------------------------------------- devices

    /** Whether any OpenCL device can run kernels here. */
    public static boolean available() {
        return !discover().devices.isEmpty();
    }

    /** Why no OpenCL device is available, or null when one is. */
    public static String unavailableReason() {
        return discover().problem;
    }

    /** Whether one of the devices is a GPU (the case where OpenCL beats the CPU backend). */
    public static boolean gpuAvailable() {
        return discover().devices.stream().anyMatch(d -> d.getType() == Device.TYPE.GPU);
    }

    /** One line per OpenCL device, best first. */
    public static List<String> deviceDescriptions() {
        return discover().devices.stream().map(OpenClBackend::describe).toList();
    }

    /** A backend on the best device: GPUs, then accelerators, then CPUs; more compute units first. */
    public static OpenClBackend onBestDevice(FallbackPolicy policy) {
        Discovery found = discover();
        if (found.devices.isEmpty()) throw new IllegalStateException("no OpenCL device: " + found.problem);
        return new OpenClBackend(found.devices.getFirst(), policy);
    }

    private static synchronized Discovery discover() {
        if (discovery == null) discovery = findDevices();
        return discovery;
    }

    private static Discovery findDevices() {
        try {
            if (!OpenCLLoader.isOpenCLAvailable()) {
                return new Discovery(List.of(), "Aparapi found no OpenCL runtime (libOpenCL.so with an installed ICD)");
            }
            List<OpenCLDevice> devices = new ArrayList<>();
            for (OpenCLPlatform platform : new OpenCLPlatform().getOpenCLPlatforms()) {
                devices.addAll(platform.getOpenCLDevices());
            }
            if (devices.isEmpty()) {
                return new Discovery(List.of(), "the OpenCL runtime loaded, but no platform reports a device");
            }
            devices.sort(Comparator.comparingInt((OpenCLDevice d) -> typeRank(d.getType()))
                    .thenComparing(Comparator.comparingInt(OpenCLDevice::getMaxComputeUnits).reversed()));
            return new Discovery(List.copyOf(devices), null);
        } catch (LinkageError | RuntimeException e) {
            // A missing or incompatible native library surfaces as an error, not as "no devices".
            return new Discovery(List.of(), "the OpenCL runtime could not be loaded: " + e);
        }
    }

    private static int typeRank(Device.TYPE type) {
        return type == Device.TYPE.GPU ? 0 : type == Device.TYPE.ACC ? 1 : 2;
    }

    private static String describe(OpenCLDevice device) {
        OpenCLPlatform platform = device.getOpenCLPlatform();
        return device.getType() + " " + device.getName().strip() + " (" + platform.getName().strip()
                + ", " + platform.getVersion().strip() + ", " + device.getMaxComputeUnits() + " compute units)";
    }

    // ---------------------------------------------------------------- backend

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String description() {
        return "OpenCL " + describe(device);
    }

    public boolean deviceIsGpu() {
        return device.getType() == Device.TYPE.GPU;
    }

    /** Launches so far per kernel class (simple name), in first-launch order. */
    public synchronized Map<String, LaunchCount> launches() {
        return Map.copyOf(launches);
    }

    /**
     * Whether float64 kernels run on this device (OpenCL's optional cl_khr_fp64). Found out by
     * running a minimal float64 kernel once, since Aparapi exposes no extension query.
     */
    public synchronized boolean supportsFloat64() {
        if (float64Supported == null) {
            Float64ProbeKernel probe = new Float64ProbeKernel();
            probe.execute(device.createRange(1));
            float64Supported = probe.isRunningCL() && probe.values[0] == 3.0;
            probe.dispose();
            if (!float64Supported) {
                WARNINGS.log(System.Logger.Level.WARNING, "OpenCL device " + describe(device) + " has no float64 support"
                        + " (cl_khr_fp64): float64 primitives run on the CPU backend instead");
            }
        }
        return float64Supported;
    }

    @Override
    public synchronized void forward(Primitive primitive, List<Tensor> inputs, Tensor out) {
        if (out.dtype() == DType.F64 && !supportsFloat64()) {
            CpuBackend.INSTANCE.forward(primitive, inputs, out);
            return;
        }
        switch (primitive) {
            case UnaryOp op -> unary(op, inputs.getFirst(), out);
            case BinaryOp op -> binary(op, inputs.get(0), inputs.get(1), out);
            case SumTo op -> sumTo(inputs.getFirst(), out);
            case BroadcastTo op -> broadcastTo(inputs.getFirst(), out);
            case Roll op -> roll(inputs.getFirst(), op.axis(), op.shift(), out);
            case SliceChannels op -> copyChannels(inputs.getFirst(), op.from(), op.to() - op.from(), out, 0);
            case ConcatChannels op -> {
                int channel = 0;
                for (Tensor part : inputs) {
                    copyChannels(part, 0, part.shape().channels(), out, channel);
                    channel += part.shape().channels();
                }
            }
            case Where op -> where(inputs.get(0), inputs.get(1), inputs.get(2), out);
            case Conv op -> conv(inputs.get(0), inputs.get(1), inputs.size() == 3 ? inputs.get(2) : null, out);
            case ConvWeightGradient op -> convWeightGradient(inputs.get(0), inputs.get(1), op.kernel(), out);
            case FlipKernel op -> flipWeights(inputs.getFirst(), out);
            case ConvAct op -> convAct(op, inputs, out);
            case ActivationGrad op -> activationGrad(op, inputs.get(0), inputs.get(1), out);
            case AffineCoupling op -> affineCoupling(inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), out);
            case SplineTransform op -> spline(RationalQuadraticSpline.TRANSFORM, op.bins(), op.bound(), inputs.get(0), inputs.get(1), null, out);
            case SplineLogDerivative op -> spline(RationalQuadraticSpline.LOG_DERIVATIVE, op.bins(), op.bound(), inputs.get(0), inputs.get(1), null, out);
            case SplineGradient op -> spline(op.mode(), op.bins(), op.bound(), inputs.get(0), inputs.get(1), inputs.get(2), out);
            case ComplexMatMul op -> complexProduct(op, inputs.get(0), inputs.get(1), out);
            case ComplexTrace op -> complexTrace(op, inputs.getFirst(), out);
        }
    }

    // ---------------------------------------------------------------- fused primitives
    // Composed from the device kernels below: every step still runs on the device, with
    // temporaries where the CPU fuses in place; fused device kernels are future work.

    private void convAct(ConvAct op, List<Tensor> inputs, Tensor out) {
        if (op.activation() == Activation.IDENTITY) {
            conv(inputs.get(0), inputs.get(1), inputs.size() == 3 ? inputs.get(2) : null, out);
            return;
        }
        Tensor preActivation = Tensor.zeros(out.shape(), out.dtype());
        conv(inputs.get(0), inputs.get(1), inputs.size() == 3 ? inputs.get(2) : null, preActivation);
        unary(op.activation() == Activation.TANH ? new UnaryOp.Tanh() : new UnaryOp.LeakyRelu(op.slope()), preActivation, out);
    }

    private void activationGrad(ActivationGrad op, Tensor y, Tensor g, Tensor out) {
        Tensor derivative = Tensor.zeros(y.shape(), y.dtype());
        switch (op.activation()) {
            case IDENTITY -> unary(new UnaryOp.MulScalar(1.0), g, out);
            case LEAKY_RELU -> {
                // f′ = (1 + slope)/2 + (1 − slope)/2 · sign(y): 1 where y > 0, slope where y < 0.
                Tensor sign = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Sign(), y, sign);
                Tensor scaled = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.MulScalar(0.5 * (1 - op.slope())), sign, scaled);
                unary(new UnaryOp.AddScalar(0.5 * (1 + op.slope())), scaled, derivative);
                binary(new BinaryOp.Mul(), g, derivative, out);
            }
            case TANH -> {
                Tensor square = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Square(), y, square);
                Tensor negated = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Neg(), square, negated);
                unary(new UnaryOp.AddScalar(1.0), negated, derivative);
                binary(new BinaryOp.Mul(), g, derivative, out);
            }
        }
    }

    private void affineCoupling(Tensor x, Tensor s, Tensor t, Tensor active, Tensor out) {
        Tensor expS = Tensor.zeros(x.shape(), x.dtype());
        unary(new UnaryOp.Exp(), s, expS);
        Tensor scaled = Tensor.zeros(x.shape(), x.dtype());
        binary(new BinaryOp.Mul(), x, expS, scaled);
        Tensor updated = Tensor.zeros(x.shape(), x.dtype());
        binary(new BinaryOp.Add(), scaled, t, updated);
        where(active, updated, x, out);
    }

    /** Releases the kernels' device resources; the backend must not be used afterwards. */
    public synchronized void dispose() {
        for (Kernel k : List.of(unaryF32, binaryF32, sumToF32, broadcastToF32, rollF32, channelCopyF32, whereF32,
                convF32, convWeightGradientF32, flipWeightsF32, splineF32, unaryF64, binaryF64, sumToF64, broadcastToF64, rollF64,
                channelCopyF64, whereF64, convF64, convWeightGradientF64, flipWeightsF64, splineF64, complexMatrixF32,
                complexMatrixF64)) {
            k.dispose();
        }
    }

    // ---------------------------------------------------------------- families

    private void unary(UnaryOp op, Tensor x, Tensor out) {
        int code = switch (op) {
            case UnaryOp.Neg n -> NEG;
            case UnaryOp.Exp e -> EXP;
            case UnaryOp.Log l -> LOG;
            case UnaryOp.Tanh t -> TANH;
            case UnaryOp.Sigmoid s -> SIGMOID;
            case UnaryOp.Abs a -> ABS;
            case UnaryOp.Sign s -> SIGN;
            case UnaryOp.Sin s -> SIN;
            case UnaryOp.Cos c -> COS;
            case UnaryOp.Square s -> SQUARE;
            case UnaryOp.PowInt p -> POW_INT;
            case UnaryOp.LeakyRelu r -> LEAKY_RELU;
            case UnaryOp.MulScalar m -> MUL_SCALAR;
            case UnaryOp.AddScalar a -> ADD_SCALAR;
            case UnaryOp.Tan t -> TAN;
            case UnaryOp.Atan a -> ATAN;
            case UnaryOp.WrapAngle w -> WRAP_ANGLE;
        };
        double parameter = switch (op) {
            case UnaryOp.LeakyRelu r -> r.slope();
            case UnaryOp.MulScalar m -> m.factor();
            case UnaryOp.AddScalar a -> a.term();
            default -> 0.0;
        };
        int exponent = op instanceof UnaryOp.PowInt p ? p.exponent() : 0;
        if (out.dtype() == DType.F32) {
            unaryF32.bind(x.f32(), out.f32(), code, (float) parameter, exponent);
            launch(unaryF32, out.size());
        } else {
            unaryF64.bind(x.f64(), out.f64(), code, parameter, exponent);
            launch(unaryF64, out.size());
        }
    }

    private void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int code = switch (op.kind()) {
            case ADD -> ADD;
            case SUB -> SUB;
            case MUL -> MUL;
            case DIV -> DIV;
        };
        Shape so = out.shape();
        var aStrides = BroadcastStrides.of(a.shape(), so);
        var bStrides = BroadcastStrides.of(b.shape(), so);
        if (out.dtype() == DType.F32) {
            binaryF32.bind(code, a.f32(), aStrides, b.f32(), bStrides, out.f32(), so.channels(), so.sites());
            launch(binaryF32, out.size());
        } else {
            binaryF64.bind(code, a.f64(), aStrides, b.f64(), bStrides, out.f64(), so.channels(), so.sites());
            launch(binaryF64, out.size());
        }
    }

    private void sumTo(Tensor x, Tensor out) {
        Shape si = x.shape(), so = out.shape();
        boolean sumBatch = so.batch() != si.batch();
        boolean sumChannels = so.channels() != si.channels();
        boolean sumSites = so.sites() != si.sites();
        if (out.dtype() == DType.F32) {
            sumToF32.bind(x.f32(), si.batch(), si.channels(), si.sites(), out.f32(), so.channels(), so.sites(),
                    sumBatch, sumChannels, sumSites);
            launch(sumToF32, out.size());
        } else {
            sumToF64.bind(x.f64(), si.batch(), si.channels(), si.sites(), out.f64(), so.channels(), so.sites(),
                    sumBatch, sumChannels, sumSites);
            launch(sumToF64, out.size());
        }
    }

    private void broadcastTo(Tensor x, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(x.shape(), so);
        if (out.dtype() == DType.F32) {
            broadcastToF32.bind(x.f32(), strides, out.f32(), so.channels(), so.sites());
            launch(broadcastToF32, out.size());
        } else {
            broadcastToF64.bind(x.f64(), strides, out.f64(), so.channels(), so.sites());
            launch(broadcastToF64, out.size());
        }
    }

    private void complexProduct(ComplexMatMul op, Tensor a, Tensor b, Tensor out) {
        int sites = a.shape().sites();
        if (out.dtype() == DType.F32) {
            complexMatrixF32.bindProduct(a.f32(), b.f32(), out.f32(), op.n(), sites, op.adjointLeft(), op.adjointRight());
            launch(complexMatrixF32, out.size() / 2);
        } else {
            complexMatrixF64.bindProduct(a.f64(), b.f64(), out.f64(), op.n(), sites, op.adjointLeft(), op.adjointRight());
            launch(complexMatrixF64, out.size() / 2);
        }
    }

    private void complexTrace(ComplexTrace op, Tensor a, Tensor out) {
        int sites = a.shape().sites();
        if (out.dtype() == DType.F32) {
            complexMatrixF32.bindTrace(a.f32(), out.f32(), op.n(), sites);
            launch(complexMatrixF32, out.size() / 2);
        } else {
            complexMatrixF64.bindTrace(a.f64(), out.f64(), op.n(), sites);
            launch(complexMatrixF64, out.size() / 2);
        }
    }

    private void roll(Tensor x, int axis, int shift, Tensor out) {
        Shape s = x.shape();
        int extent = s.latticeExtent(axis), inner = s.latticeStride(axis);
        if (out.dtype() == DType.F32) {
            rollF32.bind(x.f32(), out.f32(), extent, inner, shift);
            launch(rollF32, out.size());
        } else {
            rollF64.bind(x.f64(), out.f64(), extent, inner, shift);
            launch(rollF64, out.size());
        }
    }

    private void copyChannels(Tensor source, int sourceFirst, int count, Tensor target, int targetFirst) {
        Shape ss = source.shape(), st = target.shape();
        int workItems = ss.batch() * count * ss.sites();
        if (target.dtype() == DType.F32) {
            channelCopyF32.bind(source.f32(), ss.channels(), sourceFirst, target.f32(), st.channels(), targetFirst,
                    count, ss.sites());
            launch(channelCopyF32, workItems);
        } else {
            channelCopyF64.bind(source.f64(), ss.channels(), sourceFirst, target.f64(), st.channels(), targetFirst,
                    count, ss.sites());
            launch(channelCopyF64, workItems);
        }
    }

    private void where(Tensor mask, Tensor whenSet, Tensor whenClear, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(mask.shape(), so);
        if (out.dtype() == DType.F32) {
            whereF32.bind(mask.f32(), strides, whenSet.f32(), whenClear.f32(), out.f32(), so.channels(), so.sites());
            launch(whereF32, out.size());
        } else {
            whereF64.bind(mask.f64(), strides, whenSet.f64(), whenClear.f64(), out.f64(), so.channels(), so.sites());
            launch(whereF64, out.size());
        }
    }

    private void conv(Tensor x, Tensor weight, Tensor bias, Tensor out) {
        Shape sx = x.shape(), sw = weight.shape();
        var table = NeighbourTable.of(sx.lattice(), sw.latticeExtent(0));
        int outChannels = sw.batch();
        if (out.dtype() == DType.F32) {
            float[] b = bias == null ? new float[outChannels] : bias.f32();
            convF32.bind(x.f32(), weight.f32(), b, out.f32(), table, sx.channels(), outChannels, sx.sites());
            launch(convF32, out.size());
        } else {
            double[] b = bias == null ? new double[outChannels] : bias.f64();
            convF64.bind(x.f64(), weight.f64(), b, out.f64(), table, sx.channels(), outChannels, sx.sites());
            launch(convF64, out.size());
        }
    }

    private void convWeightGradient(Tensor x, Tensor outputGrad, int kernel, Tensor out) {
        Shape sx = x.shape();
        var table = NeighbourTable.of(sx.lattice(), kernel);
        int outChannels = outputGrad.shape().channels();
        if (out.dtype() == DType.F32) {
            convWeightGradientF32.bind(x.f32(), outputGrad.f32(), out.f32(), table, sx.batch(), sx.channels(),
                    outChannels, sx.sites());
            launch(convWeightGradientF32, out.size());
        } else {
            convWeightGradientF64.bind(x.f64(), outputGrad.f64(), out.f64(), table, sx.batch(), sx.channels(),
                    outChannels, sx.sites());
            launch(convWeightGradientF64, out.size());
        }
    }

    /** One work item per configuration and site of x, whichever quantity the mode writes. */
    private void spline(int mode, int bins, double bound, Tensor x, Tensor p, Tensor g, Tensor out) {
        int sites = x.shape().sites();
        if (out.dtype() == DType.F32) {
            // The forward modes read no cotangent; x stands in for it so the kernel binds an array.
            splineF32.bind(mode, bins, (float) bound, x.f32(), p.f32(), (g == null ? x : g).f32(), out.f32(), sites);
            launch(splineF32, x.size());
        } else {
            splineF64.bind(mode, bins, bound, x.f64(), p.f64(), (g == null ? x : g).f64(), out.f64(), sites);
            launch(splineF64, x.size());
        }
    }

    private void flipWeights(Tensor weight, Tensor out) {
        Shape sw = weight.shape();
        if (out.dtype() == DType.F32) {
            flipWeightsF32.bind(weight.f32(), out.f32(), sw.batch(), sw.channels(), sw.sites());
            launch(flipWeightsF32, out.size());
        } else {
            flipWeightsF64.bind(weight.f64(), out.f64(), sw.batch(), sw.channels(), sw.sites());
            launch(flipWeightsF64, out.size());
        }
    }

    // ---------------------------------------------------------------- launching

    private void launch(Kernel kernel, int workItems) {
        String name = kernel.getClass().getSimpleName();
        // Once Aparapi has demoted a kernel to Java threads it rejects a range bound to the
        // OpenCL device, so later launches of that kernel take a range without a device.
        kernel.execute(fellBack.contains(name) ? Range.create(workItems) : device.createRange(workItems));
        boolean onDevice = kernel.isRunningCL();
        launches.merge(name, onDevice ? new LaunchCount(1, 0) : new LaunchCount(0, 1),
                (x, y) -> new LaunchCount(x.onDevice() + y.onDevice(), x.offDevice() + y.offDevice()));
        if (onDevice) return;
        String message = "OpenCL kernel " + name + " did not run on " + describe(device)
                + ": Aparapi fell back to Java threads (its log says why, usually a construct OpenCL C cannot"
                + " express or a feature the device lacks); the result is correct but was computed on the CPU";
        boolean first = fellBack.add(name);
        if (policy == FallbackPolicy.FAIL) throw new IllegalStateException(message);
        if (first) WARNINGS.log(System.Logger.Level.WARNING, message);
    }
}
