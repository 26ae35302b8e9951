package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
 * documentation for the contract). Float32 tensors live on the device in the heap of one
 * {@link ResidentKernelF32} and cross to the host only when host code touches them; float64
 * primitives run one kernel object per family with Aparapi's automatic transfers. Each kernel
 * is translated and compiled once per backend; calls are serialized because a kernel's
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

    /** Host–device copies so far: how many each way and the bytes they moved. */
    public record Transfers(long toDevice, long toDeviceBytes, long toHost, long toHostBytes) {
        public Transfers minus(Transfers earlier) {
            return new Transfers(toDevice - earlier.toDevice, toDeviceBytes - earlier.toDeviceBytes,
                    toHost - earlier.toHost, toHostBytes - earlier.toHostBytes);
        }
    }

    /** The first heap: humongous for G1 (over half a region), so the collector never moves it. */
    private static final int INITIAL_HEAP = 1 << 22;
    /** Beyond this many elements a full heap first asks the collector for dead tensors' ranges. */
    private static final int COLLECT_BEFORE_GROWING = 1 << 26;
    private static final int MAX_HEAP = 1 << 30;

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

    private long toDevice;
    private long toDeviceBytes;
    private long toHost;
    private long toHostBytes;

    /** Float32: every family in one kernel over one device-resident heap. */
    private final ResidentKernelF32 resident = new ResidentKernelF32();
    private DeviceHeap heap;
    /** Ranges of tensors that hold device values, so that a collected tensor frees its range. */
    private final Set<Slot> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ReferenceQueue<Tensor> collected = new ReferenceQueue<>();
    private final Map<NeighbourTable, Integer> tableOffsets = new IdentityHashMap<>();
    private int tablesUsed;
    /** Tests: fill the host array of every device-only result with NaN, so a missed sync shows. */
    private boolean poisonStaleHostArrays;
    /** Ranges filled for the next launch only. */
    private final List<Slot> launchTemporaries = new ArrayList<>();
    /** Whether the resident kernel has run, so that its device buffers exist. */
    private boolean residentLaunched;

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
        resident.setExplicit(true);
        if (device.getType() != Device.TYPE.CPU && !collectorKeepsLargeArraysInPlace()) {
            WARNINGS.log(System.Logger.Level.WARNING, "the OpenCL backend keeps float32 tensors in one large array"
                    + " whose device buffer Aparapi rebuilds from the host copy if the garbage collector moves it;"
                    + " this collector may, which would lose device results: run with -XX:+UseG1GC (the default)");
        }
    }

    /** G1 and ZGC leave humongous (large) arrays where they are; the other collectors compact them. */
    private static boolean collectorKeepsLargeArraysInPlace() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .allMatch(gc -> gc.getName().startsWith("G1") || gc.getName().startsWith("ZGC"));
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
     * Host–device copies so far. Float32 values move through the resident kernel's staging
     * arrays (a whole staging array per copy); a float64 launch copies every array it binds to
     * the device and its result back, as Aparapi's automatic mode does.
     */
    public synchronized Transfers transfers() {
        return new Transfers(toDevice, toDeviceBytes, toHost, toHostBytes);
    }

    /** Bytes of the device heap that hold live float32 tensors (after freeing collected ones). */
    public synchronized long residentBytes() {
        drainCollected();
        return heap == null ? 0 : heap.used() * Float.BYTES;
    }

    /** For tests: poison the host arrays of device-only results (see {@link #poisonStaleHostArrays}). */
    synchronized void poisonStaleHostArrays(boolean poison) {
        this.poisonStaleHostArrays = poison;
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
        releaseTemporaries(preActivation);
    }

    private void activationGrad(ActivationGrad op, Tensor y, Tensor g, Tensor out) {
        switch (op.activation()) {
            case IDENTITY -> unary(new UnaryOp.MulScalar(1.0), g, out);
            case LEAKY_RELU -> {
                // f′ = (1 + slope)/2 + (1 − slope)/2 · sign(y): 1 where y > 0, slope where y < 0.
                Tensor sign = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Sign(), y, sign);
                Tensor scaled = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.MulScalar(0.5 * (1 - op.slope())), sign, scaled);
                Tensor derivative = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.AddScalar(0.5 * (1 + op.slope())), scaled, derivative);
                binary(new BinaryOp.Mul(), g, derivative, out);
                releaseTemporaries(sign, scaled, derivative);
            }
            case TANH -> {
                Tensor square = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Square(), y, square);
                Tensor negated = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.Neg(), square, negated);
                Tensor derivative = Tensor.zeros(y.shape(), y.dtype());
                unary(new UnaryOp.AddScalar(1.0), negated, derivative);
                binary(new BinaryOp.Mul(), g, derivative, out);
                releaseTemporaries(square, negated, derivative);
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
        releaseTemporaries(expS, scaled, updated);
    }

    /** Releases the kernels' device resources; the backend must not be used afterwards. */
    public synchronized void dispose() {
        for (Kernel k : List.of(resident, unaryF64, binaryF64, sumToF64, broadcastToF64, rollF64, channelCopyF64,
                whereF64, convF64, convWeightGradientF64, flipWeightsF64, splineF64, complexMatrixF64)) {
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
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.UNARY;
            resident.operation = code;
            resident.real = (float) parameter;
            resident.p0 = exponent;
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("UnaryKernelF32", out.size());
        } else {
            unaryF64.bind(x.f64(), out.f64(), code, parameter, exponent);
            launch(unaryF64, out.size(), out);
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
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(a);
            int at1 = inputAt(b);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.BINARY;
            resident.operation = code;
            resident.p0 = aStrides.batch();
            resident.p1 = aStrides.channel();
            resident.p2 = aStrides.site();
            resident.p3 = bStrides.batch();
            resident.p4 = bStrides.channel();
            resident.p5 = bStrides.site();
            resident.p6 = so.channels();
            resident.p7 = so.sites();
            resident.at0 = at0;
            resident.at1 = at1;
            resident.atOut = atOut;
            launchResident("BinaryKernelF32", out.size());
        } else {
            binaryF64.bind(code, a.f64(), aStrides, b.f64(), bStrides, out.f64(), so.channels(), so.sites());
            launch(binaryF64, out.size(), out);
        }
    }

    private void sumTo(Tensor x, Tensor out) {
        Shape si = x.shape(), so = out.shape();
        boolean sumBatch = so.batch() != si.batch();
        boolean sumChannels = so.channels() != si.channels();
        boolean sumSites = so.sites() != si.sites();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.SUM_TO;
            resident.p0 = si.batch();
            resident.p1 = si.channels();
            resident.p2 = si.sites();
            resident.p3 = so.channels();
            resident.p4 = so.sites();
            resident.p5 = sumBatch ? 1 : 0;
            resident.p6 = sumChannels ? 1 : 0;
            resident.p7 = sumSites ? 1 : 0;
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("SumToKernelF32", out.size());
        } else {
            sumToF64.bind(x.f64(), si.batch(), si.channels(), si.sites(), out.f64(), so.channels(), so.sites(),
                    sumBatch, sumChannels, sumSites);
            launch(sumToF64, out.size(), out);
        }
    }

    private void broadcastTo(Tensor x, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(x.shape(), so);
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.BROADCAST_TO;
            resident.p0 = strides.batch();
            resident.p1 = strides.channel();
            resident.p2 = strides.site();
            resident.p3 = so.channels();
            resident.p4 = so.sites();
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("BroadcastToKernelF32", out.size());
        } else {
            broadcastToF64.bind(x.f64(), strides, out.f64(), so.channels(), so.sites());
            launch(broadcastToF64, out.size(), out);
        }
    }

    private void complexProduct(ComplexMatMul op, Tensor a, Tensor b, Tensor out) {
        int sites = a.shape().sites();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(a);
            int at1 = inputAt(b);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.COMPLEX_PRODUCT;
            resident.p0 = op.n();
            resident.p1 = sites;
            resident.p2 = op.adjointLeft() ? 1 : 0;
            resident.p3 = op.adjointRight() ? 1 : 0;
            resident.at0 = at0;
            resident.at1 = at1;
            resident.atOut = atOut;
            launchResident("ComplexMatrixKernelF32", out.size() / 2);
        } else {
            complexMatrixF64.bindProduct(a.f64(), b.f64(), out.f64(), op.n(), sites, op.adjointLeft(), op.adjointRight());
            launch(complexMatrixF64, out.size() / 2, out);
        }
    }

    private void complexTrace(ComplexTrace op, Tensor a, Tensor out) {
        int sites = a.shape().sites();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(a);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.COMPLEX_TRACE;
            resident.p0 = op.n();
            resident.p1 = sites;
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("ComplexMatrixKernelF32", out.size() / 2);
        } else {
            complexMatrixF64.bindTrace(a.f64(), out.f64(), op.n(), sites);
            launch(complexMatrixF64, out.size() / 2, out);
        }
    }

    private void roll(Tensor x, int axis, int shift, Tensor out) {
        Shape s = x.shape();
        int extent = s.latticeExtent(axis), inner = s.latticeStride(axis);
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.ROLL;
            resident.p0 = extent;
            resident.p1 = inner;
            // Reduced to [0, extent), so the source index needs one non-negative modulo.
            resident.p2 = Math.floorMod(shift, extent);
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("RollKernelF32", out.size());
        } else {
            rollF64.bind(x.f64(), out.f64(), extent, inner, shift);
            launch(rollF64, out.size(), out);
        }
    }

    private void copyChannels(Tensor source, int sourceFirst, int count, Tensor target, int targetFirst) {
        Shape ss = source.shape(), st = target.shape();
        int workItems = ss.batch() * count * ss.sites();
        if (target.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(source);
            int atOut = outputAt(target);
            resident.family = ResidentKernelF32.CHANNEL_COPY;
            resident.p0 = ss.channels();
            resident.p1 = sourceFirst;
            resident.p2 = st.channels();
            resident.p3 = targetFirst;
            resident.p4 = ss.sites();
            resident.p5 = count * ss.sites();
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("ChannelCopyKernelF32", workItems);
        } else {
            channelCopyF64.bind(source.f64(), ss.channels(), sourceFirst, target.f64(), st.channels(), targetFirst,
                    count, ss.sites());
            launch(channelCopyF64, workItems, target);
        }
    }

    private void where(Tensor mask, Tensor whenSet, Tensor whenClear, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(mask.shape(), so);
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(mask);
            int at1 = inputAt(whenSet);
            int at2 = inputAt(whenClear);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.WHERE;
            resident.p0 = strides.batch();
            resident.p1 = strides.channel();
            resident.p2 = strides.site();
            resident.p3 = so.channels();
            resident.p4 = so.sites();
            resident.at0 = at0;
            resident.at1 = at1;
            resident.at2 = at2;
            resident.atOut = atOut;
            launchResident("WhereKernelF32", out.size());
        } else {
            whereF64.bind(mask.f64(), strides, whenSet.f64(), whenClear.f64(), out.f64(), so.channels(), so.sites());
            launch(whereF64, out.size(), out);
        }
    }

    private void conv(Tensor x, Tensor weight, Tensor bias, Tensor out) {
        Shape sx = x.shape(), sw = weight.shape();
        var table = NeighbourTable.of(sx.lattice(), sw.latticeExtent(0));
        int outChannels = sw.batch();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int at1 = inputAt(weight);
            int at2 = bias == null ? 0 : inputAt(bias);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.CONV;
            resident.p0 = sx.channels();
            resident.p1 = outChannels;
            resident.p2 = sx.sites();
            resident.p3 = table.offsets;
            resident.p4 = tableAt(table);
            resident.p5 = bias == null ? 0 : 1;
            resident.at0 = at0;
            resident.at1 = at1;
            resident.at2 = at2;
            resident.atOut = atOut;
            launchResident("ConvKernelF32", out.size());
        } else {
            double[] b = bias == null ? new double[outChannels] : bias.f64();
            convF64.bind(x.f64(), weight.f64(), b, out.f64(), table, sx.channels(), outChannels, sx.sites());
            launch(convF64, out.size(), out);
        }
    }

    private void convWeightGradient(Tensor x, Tensor outputGrad, int kernel, Tensor out) {
        Shape sx = x.shape();
        var table = NeighbourTable.of(sx.lattice(), kernel);
        int outChannels = outputGrad.shape().channels();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int at1 = inputAt(outputGrad);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.CONV_WEIGHT_GRADIENT;
            resident.p0 = sx.batch();
            resident.p1 = sx.channels();
            resident.p2 = outChannels;
            resident.p3 = sx.sites();
            resident.p4 = table.offsets;
            resident.p5 = tableAt(table);
            resident.at0 = at0;
            resident.at1 = at1;
            resident.atOut = atOut;
            launchResident("ConvWeightGradientKernelF32", out.size());
        } else {
            convWeightGradientF64.bind(x.f64(), outputGrad.f64(), out.f64(), table, sx.batch(), sx.channels(),
                    outChannels, sx.sites());
            launch(convWeightGradientF64, out.size(), out);
        }
    }

    /** One work item per configuration and site of x, whichever quantity the mode writes. */
    private void spline(int mode, int bins, double bound, Tensor x, Tensor p, Tensor g, Tensor out) {
        int sites = x.shape().sites();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(x);
            int at1 = inputAt(p);
            int at2 = g == null ? at0 : inputAt(g);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.SPLINE;
            resident.operation = mode;
            resident.p0 = bins;
            resident.p1 = sites;
            resident.real = (float) bound;
            resident.at0 = at0;
            resident.at1 = at1;
            // The forward modes read no cotangent; x stands in for it.
            resident.at2 = at2;
            resident.atOut = atOut;
            launchResident("SplineKernelF32", x.size());
        } else {
            splineF64.bind(mode, bins, bound, x.f64(), p.f64(), (g == null ? x : g).f64(), out.f64(), sites);
            launch(splineF64, x.size(), out);
        }
    }

    private void flipWeights(Tensor weight, Tensor out) {
        Shape sw = weight.shape();
        if (out.dtype() == DType.F32) {
            // Operands first: an upload launches the staging family through the same registers.
            int at0 = inputAt(weight);
            int atOut = outputAt(out);
            resident.family = ResidentKernelF32.FLIP_WEIGHTS;
            resident.p0 = sw.batch();
            resident.p1 = sw.channels();
            resident.p2 = sw.sites();
            resident.at0 = at0;
            resident.atOut = atOut;
            launchResident("FlipWeightsKernelF32", out.size());
        } else {
            flipWeightsF64.bind(weight.f64(), out.f64(), sw.batch(), sw.channels(), sw.sites());
            launch(flipWeightsF64, out.size(), out);
        }
    }

    // ---------------------------------------------------------------- float32 residency

    /**
     * A float32 tensor's range of the heap. The tensor holds it as its device copy
     * ({@link Tensor#parkOnDevice}); the backend holds it weakly, so a collected tensor's
     * range returns to the heap.
     */
    private final class Slot extends WeakReference<Tensor> implements Tensor.DeviceCopy {
        final int at;
        final int length;
        /** Whether the host array holds the same values as the device (it was uploaded from there). */
        boolean hostCurrent;
        boolean freed;

        Slot(Tensor tensor, int at, int length) {
            super(tensor, collected);
            this.at = at;
            this.length = length;
        }

        OpenClBackend backend() {
            return OpenClBackend.this;
        }

        @Override
        public void toHost(Tensor tensor) {
            synchronized (OpenClBackend.this) {
                if (freed) return;
                if (!hostCurrent) download(at, (float[]) tensor.storage());
                release(this);
            }
        }

        @Override
        public void discard(Tensor tensor) {
            synchronized (OpenClBackend.this) {
                release(this);
            }
        }
    }

    /** This backend's live slot holding {@code t}, or null. */
    private Slot slotOf(Tensor t) {
        return t.deviceCopy() instanceof Slot s && s.backend() == this && !s.freed ? s : null;
    }

    /** Where an operand's values are on the device, uploading them when only the host has them. */
    private int inputAt(Tensor t) {
        Slot slot = slotOf(t);
        if (slot != null) return slot.at;
        if (t.deviceCopy() instanceof Tensor.Uniform uniform) {
            // Fresh zeros or constants (VJP zeros, the loss seed): filled on the device for this
            // launch only, since refilling is cheaper than a range held until the collector runs.
            slot = allocate(t, t.size());
            resident.family = ResidentKernelF32.FILL;
            resident.real = (float) uniform.value();
            resident.atOut = slot.at;
            execute(resident, "ResidentKernelF32 (fill)", t.size());
            launchTemporaries.add(slot);
            return slot.at;
        } else {
            float[] values = t.f32();
            slot = allocate(t, values.length);
            upload(values, slot.at);
        }
        slot.hostCurrent = true;
        t.parkOnDevice(slot);
        return slot.at;
    }

    /** Where a result goes: its range, from now on the only current copy of its values. */
    private int outputAt(Tensor out) {
        Slot slot = slotOf(out);
        if (slot == null) {
            slot = allocate(out, out.size());
            out.parkOnDevice(slot);
        }
        if (slot.hostCurrent || poisonStaleHostArrays) {
            slot.hostCurrent = false;
            if (poisonStaleHostArrays) Arrays.fill((float[]) out.storage(), Float.NaN);
        }
        return slot.at;
    }

    /** Frees the ranges of a composite's intermediates, which nothing outside it can reach. */
    private void releaseTemporaries(Tensor... temporaries) {
        for (Tensor t : temporaries) {
            Slot slot = slotOf(t);
            if (slot != null) release(slot);
        }
    }

    private void release(Slot slot) {
        if (slot.freed) return;
        slot.freed = true;
        slot.clear();
        live.remove(slot);
        heap.free(slot.at, slot.length);
    }

    private void drainCollected() {
        for (Reference<? extends Tensor> r; (r = collected.poll()) != null; ) {
            release((Slot) r);
        }
    }

    private Slot allocate(Tensor tensor, int length) {
        if (heap == null) {
            heap = new DeviceHeap(INITIAL_HEAP);
            resident.heap = new float[INITIAL_HEAP];
            // Aparapi creates each buffer from its host array at the first launch.
            long staging = 0;
            for (int tier = 0; tier < ResidentKernelF32.TIERS; tier++) staging += resident.stage(tier).length;
            countToDevice(INITIAL_HEAP + staging, Float.BYTES, 1 + ResidentKernelF32.TIERS);
        }
        drainCollected();
        int at = heap.allocate(length);
        if (at < 0 && heap.capacity() >= COLLECT_BEFORE_GROWING) {
            // Dead tensors' ranges come back only once the collector has found them.
            System.gc();
            try {
                for (Reference<? extends Tensor> r; (r = collected.remove(50)) != null; ) release((Slot) r);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            at = heap.allocate(length);
        }
        while (at < 0) {
            growHeap(length);
            at = heap.allocate(length);
        }
        Slot slot = new Slot(tensor, at, length);
        live.add(slot);
        return slot;
    }

    /**
     * Doubles the heap. The device buffer belongs to the heap array, so its values come to the
     * host once, move into the larger array, and go back with it at the next launch.
     */
    private void growHeap(int atLeast) {
        long wanted = Math.max(2L * heap.capacity(), heap.capacity() + (long) DeviceHeap.rounded(atLeast));
        if (wanted > MAX_HEAP) {
            throw new IllegalStateException("the OpenCL device heap would need " + wanted * Float.BYTES
                    + " bytes of live float32 tensors; the limit is " + (long) MAX_HEAP * Float.BYTES
                    + " (use a smaller batch or lattice, or --device cpu)");
        }
        float[] old = resident.heap;
        if (residentLaunched) {
            resident.get(old);
            countToHost(old.length, Float.BYTES, 1);
        }
        resident.heap = Arrays.copyOf(old, (int) wanted);
        countToDevice(wanted, Float.BYTES, 1);
        heap.grow((int) wanted);
    }

    /** Where a neighbour table starts in the resident kernel's table array (appended once per table). */
    private int tableAt(NeighbourTable table) {
        Integer known = tableOffsets.get(table);
        if (known != null) return known;
        int at = tablesUsed;
        int[] grown = Arrays.copyOf(resident.tables, Math.max(resident.tables.length, at + table.sites.length));
        System.arraycopy(table.sites, 0, grown, at, table.sites.length);
        resident.tables = grown;
        resident.put(grown);
        countToDevice(grown.length, Integer.BYTES, 1);
        tablesUsed = at + table.sites.length;
        tableOffsets.put(table, at);
        return at;
    }

    private void upload(float[] values, int at) {
        for (int from = 0; from < values.length; from += ResidentKernelF32.LARGEST_STAGE) {
            int count = Math.min(ResidentKernelF32.LARGEST_STAGE, values.length - from);
            int tier = ResidentKernelF32.tierFor(count);
            float[] stage = resident.stage(tier);
            System.arraycopy(values, from, stage, 0, count);
            resident.put(stage);
            resident.family = ResidentKernelF32.STAGE_IN;
            resident.operation = tier;
            resident.atOut = at + from;
            execute(resident, "ResidentKernelF32 (staging)", count);
            countToDevice(stage.length, Float.BYTES, 1);
        }
    }

    private void download(int at, float[] values) {
        for (int from = 0; from < values.length; from += ResidentKernelF32.LARGEST_STAGE) {
            int count = Math.min(ResidentKernelF32.LARGEST_STAGE, values.length - from);
            int tier = ResidentKernelF32.tierFor(count);
            float[] stage = resident.stage(tier);
            resident.family = ResidentKernelF32.STAGE_OUT;
            resident.operation = tier;
            resident.at0 = at + from;
            execute(resident, "ResidentKernelF32 (staging)", count);
            resident.get(stage);
            countToHost(stage.length, Float.BYTES, 1);
            System.arraycopy(stage, 0, values, from, count);
        }
    }

    private void countToDevice(long elements, int elementBytes, int copies) {
        toDevice += copies;
        toDeviceBytes += elements * elementBytes;
    }

    private void countToHost(long elements, int elementBytes, int copies) {
        toHost += copies;
        toHostBytes += elements * elementBytes;
    }

    // ---------------------------------------------------------------- launching

    private void launchResident(String family, int workItems) {
        boolean onDevice;
        try {
            onDevice = execute(resident, family, workItems);
        } finally {
            for (Slot slot : launchTemporaries) release(slot);
            launchTemporaries.clear();
        }
        launches.merge(family, onDevice ? new LaunchCount(1, 0) : new LaunchCount(0, 1),
                (x, y) -> new LaunchCount(x.onDevice() + y.onDevice(), x.offDevice() + y.offDevice()));
    }

    /** Array fields of the automatic-transfer kernels, for counting what a launch copies. */
    private static final Map<Class<?>, List<Field>> ARRAY_FIELDS = new ConcurrentHashMap<>();

    /** A float64 launch: Aparapi copies every bound array to the device and the result back. */
    private void launch(Kernel kernel, int workItems, Tensor out) {
        String name = kernel.getClass().getSimpleName();
        boolean onDevice = execute(kernel, name, workItems);
        launches.merge(name, onDevice ? new LaunchCount(1, 0) : new LaunchCount(0, 1),
                (x, y) -> new LaunchCount(x.onDevice() + y.onDevice(), x.offDevice() + y.offDevice()));
        if (!onDevice) return;
        for (Field field : ARRAY_FIELDS.computeIfAbsent(kernel.getClass(), OpenClBackend::arrayFields)) {
            try {
                Object array = field.get(kernel);
                int bytes = array instanceof double[] ? Double.BYTES : array instanceof float[] ? Float.BYTES : Integer.BYTES;
                countToDevice(java.lang.reflect.Array.getLength(array), bytes, 1);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        countToHost(out.size(), Double.BYTES, 1);
    }

    private static List<Field> arrayFields(Class<?> kernelClass) {
        List<Field> fields = new ArrayList<>();
        for (Field f : kernelClass.getDeclaredFields()) {
            if (f.getType().isArray() && !java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                fields.add(f);
            }
        }
        return fields;
    }

    /** Runs a kernel; false when Aparapi ran it on Java threads (an exception under {@link FallbackPolicy#FAIL}). */
    private boolean execute(Kernel kernel, String name, int workItems) {
        String kernelClass = kernel.getClass().getSimpleName();
        // Once Aparapi has demoted a kernel to Java threads it rejects a range bound to the
        // OpenCL device, so later launches of that kernel take a range without a device.
        kernel.execute(fellBack.contains(kernelClass) ? Range.create(workItems) : device.createRange(workItems));
        if (kernel == resident) residentLaunched = true;
        boolean onDevice = kernel.isRunningCL();
        if (onDevice) return true;
        String message = "OpenCL kernel " + name + " did not run on " + describe(device)
                + ": Aparapi fell back to Java threads (its log says why, usually a construct OpenCL C cannot"
                + " express or a feature the device lacks); the result is correct but was computed on the CPU";
        boolean first = fellBack.add(kernelClass);
        if (policy == FallbackPolicy.FAIL) throw new IllegalStateException(message);
        if (first) WARNINGS.log(System.Logger.Level.WARNING, message);
        return false;
    }
}
