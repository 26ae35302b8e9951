package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
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
import org.equiflow.tensor.Spline;
import org.equiflow.tensor.SplineGradient;
import org.equiflow.tensor.SplineInverse;
import org.equiflow.tensor.SuThreeEigenphases;
import org.equiflow.tensor.AlgebraProjection;
import org.equiflow.tensor.MatrixExponential;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.BinaryOp;
import org.equiflow.tensor.BroadcastTo;
import org.equiflow.tensor.ComplexMatMul;
import org.equiflow.tensor.ComplexTrace;
import org.equiflow.tensor.ConcatChannels;
import org.equiflow.tensor.Conditioner;
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
 * documentation for the contract). Tensors live on the device in the heap of one resident
 * kernel per precision ({@link ResidentKernelF32}, {@link ResidentKernelF64}) and cross to the
 * host only when host code touches them. Each kernel is translated and compiled once per
 * backend; calls are serialized because a kernel's arguments are its fields.
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

    /** The first heap, 16 MiB: humongous for G1 (over half a region), so the collector never moves it. */
    private static final long INITIAL_HEAP_BYTES = 16L << 20;
    /** Beyond this size a full heap first asks the collector for dead tensors' ranges. */
    private static final long COLLECT_BEFORE_GROWING_BYTES = 256L << 20;
    private static final long MAX_HEAP_BYTES = 4L << 30;

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

    /** Each precision: every family in one kernel over one device-resident heap. */
    private final Residency float32 = new Residency(new ResidentKernelF32(), "F32");
    private final Residency float64 = new Residency(new ResidentKernelF64(), "F64");
    private final ReferenceQueue<Tensor> collected = new ReferenceQueue<>();
    /** Tests: fill the host array of every device-only result with NaN, so a missed sync shows. */
    private boolean poisonStaleHostArrays;

    public OpenClBackend(OpenCLDevice device, FallbackPolicy policy) {
        this.device = device;
        this.policy = policy;
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
     * Host–device copies so far: values move through the resident kernels' staging arrays (a
     * whole staging array per copy); heaps and neighbour tables travel when created or grown.
     */
    public synchronized Transfers transfers() {
        return new Transfers(toDevice, toDeviceBytes, toHost, toHostBytes);
    }

    /** Bytes of the device heaps that hold live tensors (after freeing collected ones). */
    public synchronized long residentBytes() {
        drainCollected();
        return float32.usedBytes() + float64.usedBytes();
    }

    /** For tests: poison the host arrays of device-only results (see {@link #poisonStaleHostArrays}). */
    synchronized void poisonStaleHostArrays(boolean poison) {
        this.poisonStaleHostArrays = poison;
    }

    /**
     * Whether float64 kernels run on this device (OpenCL's optional cl_khr_fp64). Found out by
     * running a minimal float64 kernel once, since Aparapi exposes no extension query.
     */
    @Override
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
            case Conditioner op -> conditioner(op, inputs, out);
            case ActivationGrad op -> activationGrad(op, inputs.get(0), inputs.get(1), out);
            case AffineCoupling op -> affineCoupling(inputs.get(0), inputs.get(1), inputs.get(2), inputs.get(3), out);
            case Spline op -> spline(op.mode(), op.bins(), op.bound(), op.learnedEnds(), inputs.get(0), inputs.get(1), null,
                    op.masked() ? inputs.get(2) : null, out);
            case SplineGradient op -> spline(op.mode(), op.bins(), op.bound(), op.learnedEnds(), inputs.get(0), inputs.get(1), inputs.get(2),
                    op.masked() ? inputs.get(3) : null, out);
            case SplineInverse op -> spline(ResidentKernelF32.SPLINE_INVERSE, op.bins(), op.bound(), op.learnedEnds(), inputs.get(0), inputs.get(1), null,
                    null, out);
            case ComplexMatMul op -> complexProduct(op, inputs.get(0), inputs.get(1), out);
            case ComplexTrace op -> complexTrace(op, inputs.getFirst(), out);
            // One cubic per active plaquette, a few per configuration: not worth a kernel; the host
            // copy is read and written through the tensors like the float64 fallback above.
            case SuThreeEigenphases op -> CpuBackend.INSTANCE.forward(op, inputs, out);
            // A gradient flow's projection and group step, a few small matrices per link and step,
            // host-run for the same reason (the exponential's series length depends on each matrix).
            case AlgebraProjection op -> CpuBackend.INSTANCE.forward(op, inputs, out);
            case MatrixExponential op -> CpuBackend.INSTANCE.forward(op, inputs, out);
        }
    }

    /**
     * A conditioner network as its chain of fused convolutions, then 0 off the mask when it has
     * one (ConditionerNode sends the chain itself on this backend; this serves direct use).
     */
    private void conditioner(Conditioner op, List<Tensor> inputs, Tensor out) {
        Tensor last = op.chain(inputs, op.masked() ? null : out, this::convAct).getLast();
        if (op.masked()) binary(new BinaryOp.Mul(), last, inputs.getLast(), out);
    }

    /**
     * Downloads every device-only tensor among {@code tensors} in one gathered copy per
     * precision (a few when they outgrow the largest staging array). The tensors stay parked,
     * their host arrays now current: the next host access drops the device range without a copy,
     * and a launch that reads one first still finds it on the device.
     */
    @Override
    public synchronized void syncToHost(Collection<Tensor> tensors) {
        Set<Slot> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : tensors) {
            Slot slot = slotOf(t);
            if (slot == null || slot.hostCurrent || !seen.add(slot)) continue;
            if (slot.length > ResidentKernelF32.LARGEST_STAGE) {
                slot.residency.download(slot.at, t.storage());
                slot.hostCurrent = true;
            } else {
                slot.residency.gather.add(slot);
                slot.residency.gatherValues.add(t.storage());
            }
        }
        float32.downloadGathered();
        float64.downloadGathered();
    }

    /**
     * Uploads every tensor among {@code tensors} whose values only the host has, in one gathered
     * copy per precision (a few when they outgrow the largest staging array), and parks it on
     * its range as if a launch had uploaded it as an operand. Tensors already on the device,
     * fresh zeros and constants (filled on the device when read) and float64 ones on a device
     * without float64 are left as they are.
     */
    @Override
    public synchronized void sendToDevice(Collection<Tensor> tensors) {
        for (Tensor t : tensors) {
            Tensor.DeviceCopy copy = t.deviceCopy();
            boolean onlyOnHost = copy == null || copy instanceof Slot s && s.freed;
            if (!onlyOnHost || t.dtype() == DType.F64 && !supportsFloat64()) continue;
            Residency r = on(t);
            Object values = t.dtype() == DType.F32 ? t.f32() : t.f64();
            Slot slot = r.allocate(t, t.size());
            if (slot.length > ResidentKernelF32.LARGEST_STAGE) {
                r.upload(values, slot.at, slot.length);
            } else {
                r.gather.add(slot);
                r.gatherValues.add(values);
            }
            slot.hostCurrent = true;
            t.parkOnDevice(slot);
        }
        float32.uploadGathered();
        float64.uploadGathered();
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
        float32.kernel.kernel().dispose();
        float64.kernel.kernel().dispose();
    }

    // ---------------------------------------------------------------- families
    // Each family takes its operands' and result's heap offsets first (an operand may need an
    // upload, which launches the staging family), then sets the launch's registers.

    private Residency on(Tensor out) {
        return out.dtype() == DType.F32 ? float32 : float64;
    }

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
        Residency r = on(out);
        int at0 = r.inputAt(x), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.UNARY);
        g.operation = code;
        g.real = switch (op) {
            case UnaryOp.LeakyRelu l -> l.slope();
            case UnaryOp.MulScalar m -> m.factor();
            case UnaryOp.AddScalar a -> a.term();
            default -> 0.0;
        };
        g.p0 = op instanceof UnaryOp.PowInt p ? p.exponent() : 0;
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("UnaryKernel", out.size());
    }

    private void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Shape so = out.shape();
        var aStrides = BroadcastStrides.of(a.shape(), so);
        var bStrides = BroadcastStrides.of(b.shape(), so);
        Residency r = on(out);
        int at0 = r.inputAt(a), at1 = r.inputAt(b), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.BINARY);
        g.operation = switch (op.kind()) {
            case ADD -> ADD;
            case SUB -> SUB;
            case MUL -> MUL;
            case DIV -> DIV;
        };
        g.p0 = aStrides.batch();
        g.p1 = aStrides.channel();
        g.p2 = aStrides.site();
        g.p3 = bStrides.batch();
        g.p4 = bStrides.channel();
        g.p5 = bStrides.site();
        g.p6 = so.channels();
        g.p7 = so.sites();
        g.at0 = at0;
        g.at1 = at1;
        g.atOut = atOut;
        r.launch("BinaryKernel", out.size());
    }

    private void sumTo(Tensor x, Tensor out) {
        Shape si = x.shape(), so = out.shape();
        Residency r = on(out);
        int at0 = r.inputAt(x), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.SUM_TO);
        g.p0 = si.batch();
        g.p1 = si.channels();
        g.p2 = si.sites();
        g.p3 = so.channels();
        g.p4 = so.sites();
        g.p5 = so.batch() != si.batch() ? 1 : 0;
        g.p6 = so.channels() != si.channels() ? 1 : 0;
        g.p7 = so.sites() != si.sites() ? 1 : 0;
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("SumToKernel", out.size());
    }

    private void broadcastTo(Tensor x, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(x.shape(), so);
        Residency r = on(out);
        int at0 = r.inputAt(x), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.BROADCAST_TO);
        g.p0 = strides.batch();
        g.p1 = strides.channel();
        g.p2 = strides.site();
        g.p3 = so.channels();
        g.p4 = so.sites();
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("BroadcastToKernel", out.size());
    }

    private void complexProduct(ComplexMatMul op, Tensor a, Tensor b, Tensor out) {
        Residency r = on(out);
        int at0 = r.inputAt(a), at1 = r.inputAt(b), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.COMPLEX_PRODUCT);
        g.p0 = op.n();
        g.p1 = a.shape().sites();
        g.p2 = op.adjointLeft() ? 1 : 0;
        g.p3 = op.adjointRight() ? 1 : 0;
        g.at0 = at0;
        g.at1 = at1;
        g.atOut = atOut;
        r.launch("ComplexMatrixKernel", out.size() / 2);
    }

    private void complexTrace(ComplexTrace op, Tensor a, Tensor out) {
        Residency r = on(out);
        int at0 = r.inputAt(a), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.COMPLEX_TRACE);
        g.p0 = op.n();
        g.p1 = a.shape().sites();
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("ComplexMatrixKernel", out.size() / 2);
    }

    private void roll(Tensor x, int axis, int shift, Tensor out) {
        Shape s = x.shape();
        int extent = s.latticeExtent(axis);
        Residency r = on(out);
        int at0 = r.inputAt(x), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.ROLL);
        g.p0 = extent;
        g.p1 = s.latticeStride(axis);
        // Reduced to [0, extent), so the source index needs one non-negative modulo.
        g.p2 = Math.floorMod(shift, extent);
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("RollKernel", out.size());
    }

    private void copyChannels(Tensor source, int sourceFirst, int count, Tensor target, int targetFirst) {
        Shape ss = source.shape(), st = target.shape();
        Residency r = on(target);
        int at0 = r.inputAt(source), atOut = r.outputAt(target);
        LaunchRegisters g = r.registers(ResidentKernelF32.CHANNEL_COPY);
        g.p0 = ss.channels();
        g.p1 = sourceFirst;
        g.p2 = st.channels();
        g.p3 = targetFirst;
        g.p4 = ss.sites();
        g.p5 = count * ss.sites();
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("ChannelCopyKernel", ss.batch() * count * ss.sites());
    }

    private void where(Tensor mask, Tensor whenSet, Tensor whenClear, Tensor out) {
        Shape so = out.shape();
        var strides = BroadcastStrides.of(mask.shape(), so);
        Residency r = on(out);
        int at0 = r.inputAt(mask), at1 = r.inputAt(whenSet), at2 = r.inputAt(whenClear), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.WHERE);
        g.p0 = strides.batch();
        g.p1 = strides.channel();
        g.p2 = strides.site();
        g.p3 = so.channels();
        g.p4 = so.sites();
        g.at0 = at0;
        g.at1 = at1;
        g.at2 = at2;
        g.atOut = atOut;
        r.launch("WhereKernel", out.size());
    }

    private void conv(Tensor x, Tensor weight, Tensor bias, Tensor out) {
        Shape sx = x.shape(), sw = weight.shape();
        var table = NeighbourTable.of(sx.lattice(), sw.latticeExtent(0));
        Residency r = on(out);
        int tableAt = r.tableAt(table);
        int at0 = r.inputAt(x), at1 = r.inputAt(weight), at2 = bias == null ? 0 : r.inputAt(bias), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.CONV);
        g.p0 = sx.channels();
        g.p1 = sw.batch();
        g.p2 = sx.sites();
        g.p3 = table.offsets;
        g.p4 = tableAt;
        g.p5 = bias == null ? 0 : 1;
        g.at0 = at0;
        g.at1 = at1;
        g.at2 = at2;
        g.atOut = atOut;
        r.launch("ConvKernel", out.size());
    }

    private void convWeightGradient(Tensor x, Tensor outputGrad, int kernel, Tensor out) {
        Shape sx = x.shape();
        var table = NeighbourTable.of(sx.lattice(), kernel);
        Residency r = on(out);
        int tableAt = r.tableAt(table);
        int at0 = r.inputAt(x), at1 = r.inputAt(outputGrad), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.CONV_WEIGHT_GRADIENT);
        g.p0 = sx.batch();
        g.p1 = sx.channels();
        g.p2 = outputGrad.shape().channels();
        g.p3 = sx.sites();
        g.p4 = table.offsets;
        g.p5 = tableAt;
        g.at0 = at0;
        g.at1 = at1;
        g.atOut = atOut;
        r.launch("ConvWeightGradientKernel", out.size());
    }

    /** One work item per configuration and site of x, whichever quantity the mode writes; off {@code mask} (null: none) the tails'. */
    private void spline(int mode, int bins, double bound, boolean learnedEnds, Tensor x, Tensor p, Tensor cotangent, Tensor mask, Tensor out) {
        Residency r = on(out);
        int at0 = r.inputAt(x), at1 = r.inputAt(p);
        // The forward modes read no cotangent; x stands in for it.
        int at2 = cotangent == null ? at0 : r.inputAt(cotangent);
        int atMask = mask == null ? -1 : r.inputAt(mask);
        int atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.SPLINE);
        g.operation = mode;
        g.p0 = bins;
        g.p1 = x.shape().sites();
        g.p2 = learnedEnds ? 1 : 0;
        g.p3 = atMask;
        g.real = bound;
        g.at0 = at0;
        g.at1 = at1;
        g.at2 = at2;
        g.atOut = atOut;
        r.launch("SplineKernel", x.size());
    }

    private void flipWeights(Tensor weight, Tensor out) {
        Shape sw = weight.shape();
        Residency r = on(out);
        int at0 = r.inputAt(weight), atOut = r.outputAt(out);
        LaunchRegisters g = r.registers(ResidentKernelF32.FLIP_WEIGHTS);
        g.p0 = sw.batch();
        g.p1 = sw.channels();
        g.p2 = sw.sites();
        g.at0 = at0;
        g.atOut = atOut;
        r.launch("FlipWeightsKernel", out.size());
    }

    /** Frees the ranges of a composite's intermediates, which nothing outside it can reach. */
    private void releaseTemporaries(Tensor... temporaries) {
        for (Tensor t : temporaries) {
            Slot slot = slotOf(t);
            if (slot != null) slot.residency.release(slot);
        }
    }

    // ---------------------------------------------------------------- residency

    /**
     * A tensor's range of a heap. The tensor holds it as its device copy
     * ({@link Tensor#parkOnDevice}); the backend holds it weakly, so a collected tensor's range
     * returns to the heap.
     */
    private final class Slot extends WeakReference<Tensor> implements Tensor.DeviceCopy {
        final Residency residency;
        final int at;
        final int length;
        /** Whether the host array holds the same values as the device (it was uploaded from there). */
        boolean hostCurrent;
        boolean freed;

        Slot(Residency residency, Tensor tensor, int at, int length) {
            super(tensor, collected);
            this.residency = residency;
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
                if (!hostCurrent) residency.download(at, tensor.storage());
                residency.release(this);
            }
        }

        @Override
        public void discard(Tensor tensor) {
            synchronized (OpenClBackend.this) {
                residency.release(this);
            }
        }
    }

    /** This backend's live slot holding {@code t}, or null. */
    private Slot slotOf(Tensor t) {
        return t.deviceCopy() instanceof Slot s && s.backend() == this && !s.freed ? s : null;
    }

    private void drainCollected() {
        for (Reference<? extends Tensor> r; (r = collected.poll()) != null; ) {
            Slot slot = (Slot) r;
            slot.residency.release(slot);
        }
    }

    /** One precision's resident kernel, its heap and the tensors on it. */
    private final class Residency {
        final ResidentKernel kernel;
        final String suffix;
        final int elementBytes;
        final int initialHeap, collectBeforeGrowing, maxHeap;
        final LaunchRegisters registers = new LaunchRegisters();
        final LaunchRegisters staging = new LaunchRegisters();
        DeviceHeap heap;
        /** Whether the kernel has run, so that its device buffers exist. */
        boolean launched;
        final Set<Slot> live = Collections.newSetFromMap(new IdentityHashMap<>());
        final Map<NeighbourTable, Integer> tableOffsets = new IdentityHashMap<>();
        int tablesUsed;
        /** Ranges filled for the next launch only. */
        final List<Slot> launchTemporaries = new ArrayList<>();
        /** The next gathered copy's ranges and their tensors' host arrays, in step. */
        final List<Slot> gather = new ArrayList<>();
        final List<Object> gatherValues = new ArrayList<>();
        /** Staging start and heap offset of each range of one gathered copy. */
        final int[] pieces = new int[2 * ResidentKernelF32.MAX_SEGMENTS];

        Residency(ResidentKernel kernel, String suffix) {
            this.kernel = kernel;
            this.suffix = suffix;
            this.elementBytes = kernel.elementBytes();
            this.initialHeap = (int) (INITIAL_HEAP_BYTES / elementBytes);
            this.collectBeforeGrowing = (int) (COLLECT_BEFORE_GROWING_BYTES / elementBytes);
            this.maxHeap = (int) Math.min(Integer.MAX_VALUE - 64, MAX_HEAP_BYTES / elementBytes);
            kernel.kernel().setExplicit(true);
        }

        long usedBytes() {
            return heap == null ? 0 : heap.used() * elementBytes;
        }

        LaunchRegisters registers(int family) {
            return registers.reset(family);
        }

        void launch(String family, int workItems) {
            String name = family + suffix;
            boolean onDevice;
            try {
                kernel.load(registers);
                onDevice = execute(name, workItems);
            } finally {
                for (Slot slot : launchTemporaries) release(slot);
                launchTemporaries.clear();
            }
            launches.merge(name, onDevice ? new LaunchCount(1, 0) : new LaunchCount(0, 1),
                    (x, y) -> new LaunchCount(x.onDevice() + y.onDevice(), x.offDevice() + y.offDevice()));
        }

        /** Where an operand's values are on the device, uploading them when only the host has them. */
        int inputAt(Tensor t) {
            Slot slot = slotOf(t);
            if (slot != null) return slot.at;
            if (t.deviceCopy() instanceof Tensor.Uniform uniform) {
                // Fresh zeros or constants (VJP zeros, the loss seed): filled on the device for
                // this launch only, since refilling is cheaper than a range held until the
                // collector runs.
                slot = allocate(t, t.size());
                staging.reset(ResidentKernelF32.FILL);
                staging.real = uniform.value();
                staging.atOut = slot.at;
                kernel.load(staging);
                execute("ResidentKernel" + suffix + " (fill)", t.size());
                launchTemporaries.add(slot);
                return slot.at;
            }
            Object values = suffix.equals("F32") ? t.f32() : t.f64();
            slot = allocate(t, t.size());
            upload(values, slot.at, t.size());
            slot.hostCurrent = true;
            t.parkOnDevice(slot);
            return slot.at;
        }

        /** Where a result goes: its range, from now on the only current copy of its values. */
        int outputAt(Tensor out) {
            Slot slot = slotOf(out);
            if (slot == null) {
                slot = allocate(out, out.size());
                out.parkOnDevice(slot);
            }
            if (slot.hostCurrent || poisonStaleHostArrays) {
                slot.hostCurrent = false;
                if (poisonStaleHostArrays) {
                    if (out.storage() instanceof float[] f) Arrays.fill(f, Float.NaN);
                    else Arrays.fill((double[]) out.storage(), Double.NaN);
                }
            }
            return slot.at;
        }

        void release(Slot slot) {
            if (slot.freed) return;
            slot.freed = true;
            slot.clear();
            live.remove(slot);
            heap.free(slot.at, slot.length);
        }

        Slot allocate(Tensor tensor, int length) {
            if (heap == null) {
                heap = new DeviceHeap(initialHeap);
                kernel.resizeHeap(initialHeap, false);
                // Aparapi creates each buffer from its host array at the first launch.
                long staged = 0;
                for (int tier = 0; tier < ResidentKernelF32.TIERS; tier++) staged += kernel.stageLength(tier);
                countToDevice(1 + ResidentKernelF32.TIERS, (initialHeap + staged) * elementBytes);
                countToDevice(1, 2L * ResidentKernelF32.MAX_SEGMENTS * Integer.BYTES);
            }
            drainCollected();
            int at = heap.allocate(length);
            if (at < 0 && heap.capacity() >= collectBeforeGrowing) {
                // Dead tensors' ranges come back only once the collector has found them.
                System.gc();
                try {
                    for (Reference<? extends Tensor> r; (r = collected.remove(50)) != null; ) {
                        Slot dead = (Slot) r;
                        dead.residency.release(dead);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                at = heap.allocate(length);
            }
            while (at < 0) {
                growHeap(length);
                at = heap.allocate(length);
            }
            Slot slot = new Slot(this, tensor, at, length);
            live.add(slot);
            return slot;
        }

        /**
         * Doubles the heap. The device buffer belongs to the heap array, so its values come to
         * the host once, move into the larger array, and go back with it at the next launch.
         */
        void growHeap(int atLeast) {
            long wanted = Math.max(2L * heap.capacity(), heap.capacity() + (long) DeviceHeap.rounded(atLeast));
            if (wanted > maxHeap) {
                throw new IllegalStateException("the OpenCL device heap would need " + wanted * elementBytes
                        + " bytes of live " + suffix + " tensors; the limit is " + (long) maxHeap * elementBytes
                        + " (use a smaller batch or lattice, or --device cpu)");
            }
            if (launched) countToHost(1, (long) kernel.heapLength() * elementBytes);
            kernel.resizeHeap((int) wanted, launched);
            countToDevice(1, wanted * elementBytes);
            heap.grow((int) wanted);
        }

        /** Where a neighbour table starts in the kernel's table array (appended once per table). */
        int tableAt(NeighbourTable table) {
            Integer known = tableOffsets.get(table);
            if (known != null) return known;
            int at = tablesUsed;
            int[] grown = Arrays.copyOf(kernel.tables(), Math.max(kernel.tables().length, at + table.sites.length));
            System.arraycopy(table.sites, 0, grown, at, table.sites.length);
            kernel.putTables(grown);
            countToDevice(1, (long) grown.length * Integer.BYTES);
            tablesUsed = at + table.sites.length;
            tableOffsets.put(table, at);
            return at;
        }

        void upload(Object values, int at, int length) {
            for (int from = 0; from < length; from += ResidentKernelF32.LARGEST_STAGE) {
                int count = Math.min(ResidentKernelF32.LARGEST_STAGE, length - from);
                int tier = ResidentKernelF32.tierFor(count);
                kernel.fillStage(tier, values, from, count);
                staging.reset(ResidentKernelF32.STAGE_IN);
                staging.operation = tier;
                staging.atOut = at + from;
                kernel.load(staging);
                execute("ResidentKernel" + suffix + " (staging)", count);
                countToDevice(1, (long) kernel.stageLength(tier) * elementBytes);
            }
        }

        /**
         * How many of {@link #gather}'s ranges from {@code first} one gathered copy takes (at most
         * {@link ResidentKernelF32#LARGEST_STAGE} values and {@link ResidentKernelF32#MAX_SEGMENTS}
         * ranges), their pieces written to {@link #pieces}; returns the end index.
         */
        private int packPieces(int first) {
            int end = first, total = 0;
            while (end < gather.size() && end - first < ResidentKernelF32.MAX_SEGMENTS
                    && total + gather.get(end).length <= ResidentKernelF32.LARGEST_STAGE) {
                pieces[2 * (end - first)] = total;
                pieces[2 * (end - first) + 1] = gather.get(end).at;
                total += gather.get(end).length;
                end++;
            }
            return end;
        }

        private int gatheredValues(int first, int end) {
            int total = 0;
            for (int k = first; k < end; k++) total += gather.get(k).length;
            return total;
        }

        /** Uploads the host arrays of {@link #gather} into their ranges, many ranges per staging copy. */
        void uploadGathered() {
            try {
                for (int first = 0, end; first < gather.size(); first = end) {
                    end = packPieces(first);
                    int total = gatheredValues(first, end);
                    if (total == 0) continue;
                    int tier = ResidentKernelF32.tierFor(total);
                    for (int k = first; k < end; k++) {
                        kernel.packStage(tier, gatherValues.get(k), pieces[2 * (k - first)], gather.get(k).length);
                    }
                    kernel.putStage(tier);
                    kernel.putSegments(pieces, end - first);
                    staging.reset(ResidentKernelF32.STAGE_IN_SEGMENTS);
                    staging.operation = tier;
                    staging.p0 = end - first;
                    kernel.load(staging);
                    execute("ResidentKernel" + suffix + " (staging)", total);
                    countToDevice(1, (long) kernel.stageLength(tier) * elementBytes);
                    countToDevice(1, (long) pieces.length * Integer.BYTES);
                }
            } finally {
                gather.clear();
                gatherValues.clear();
            }
        }

        /** Downloads the ranges of {@link #gather} into their host arrays, many ranges per staging copy; marks them host-current. */
        void downloadGathered() {
            try {
                for (int first = 0, end; first < gather.size(); first = end) {
                    end = packPieces(first);
                    int total = gatheredValues(first, end);
                    if (total == 0) continue;
                    int tier = ResidentKernelF32.tierFor(total);
                    kernel.putSegments(pieces, end - first);
                    countToDevice(1, (long) pieces.length * Integer.BYTES);
                    staging.reset(ResidentKernelF32.STAGE_OUT_SEGMENTS);
                    staging.operation = tier;
                    staging.p0 = end - first;
                    kernel.load(staging);
                    execute("ResidentKernel" + suffix + " (staging)", total);
                    kernel.getStage(tier);
                    countToHost(1, (long) kernel.stageLength(tier) * elementBytes);
                    for (int k = first; k < end; k++) {
                        kernel.unpackStage(tier, pieces[2 * (k - first)], gatherValues.get(k), gather.get(k).length);
                        gather.get(k).hostCurrent = true;
                    }
                }
            } finally {
                gather.clear();
                gatherValues.clear();
            }
        }

        void download(int at, Object values) {
            int length = java.lang.reflect.Array.getLength(values);
            for (int from = 0; from < length; from += ResidentKernelF32.LARGEST_STAGE) {
                int count = Math.min(ResidentKernelF32.LARGEST_STAGE, length - from);
                int tier = ResidentKernelF32.tierFor(count);
                staging.reset(ResidentKernelF32.STAGE_OUT);
                staging.operation = tier;
                staging.at0 = at + from;
                kernel.load(staging);
                execute("ResidentKernel" + suffix + " (staging)", count);
                kernel.drainStage(tier, values, from, count);
                countToHost(1, (long) kernel.stageLength(tier) * elementBytes);
            }
        }

        /** Runs the kernel with the loaded registers; false when Aparapi ran it on Java threads. */
        private boolean execute(String name, int workItems) {
            boolean onDevice = OpenClBackend.this.execute(kernel.kernel(), name, workItems);
            launched = true;
            return onDevice;
        }
    }

    private void countToDevice(long copies, long bytes) {
        toDevice += copies;
        toDeviceBytes += bytes;
    }

    private void countToHost(long copies, long bytes) {
        toHost += copies;
        toHostBytes += bytes;
    }

    // ---------------------------------------------------------------- launching

    /** Runs a kernel; false when Aparapi ran it on Java threads (an exception under {@link FallbackPolicy#FAIL}). */
    private boolean execute(Kernel kernel, String name, int workItems) {
        String kernelClass = kernel.getClass().getSimpleName();
        // Once Aparapi has demoted a kernel to Java threads it rejects a range bound to the
        // OpenCL device, so later launches of that kernel take a range without a device.
        kernel.execute(fellBack.contains(kernelClass) ? Range.create(workItems) : device.createRange(workItems));
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
