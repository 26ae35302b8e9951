package org.equiflow.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A dense tensor of {@link DType#F32} or {@link DType#F64} values in the row-major layout of
 * its {@link Shape}. Exactly one of the two backing arrays is present.
 *
 * <p>Values are mutable only through {@link #f32()}/{@link #f64()}, which kernels and the
 * optimizer use; ops never modify their inputs. A tensor that {@linkplain #requiresGrad()
 * requires a gradient} and was not produced by a recorded op is a leaf (a parameter): the
 * tape accumulates its gradient into {@link #grad()}.
 */
public final class Tensor {

    private final Shape shape;
    private final DType dtype;
    private final int size;
    /** The backing arrays; exactly one is non-null. */
    private final float[] storedF32;
    private final double[] storedF64;
    /**
     * What host accessors read: the backing array, or null for both while a device holds the
     * tensor ({@link #parkOnDevice}), so the null test every accessor already makes is the only
     * check a host tensor pays for residency.
     */
    private float[] f32;
    private double[] f64;
    /** Non-null while parked: told before the host next touches the values. */
    private DeviceCopy device;
    private boolean requiresGrad;
    private Tensor grad;

    /**
     * A device backend's copy of a tensor's values (see {@link #parkOnDevice}): before host code
     * reads or writes the values, {@link #toHost} makes the host array current and from then on
     * the device copy counts as stale, since the host may write.
     */
    public interface DeviceCopy {
        /**
         * Makes {@code tensor}'s {@linkplain #storage() backing array} current and drops the
         * device copy; idempotent, and a call that overlaps another waits for it.
         */
        void toHost(Tensor tensor);

        /** Drops the device copy without syncing: nobody will read {@code tensor} again. */
        default void discard(Tensor tensor) {
        }
    }

    /** What a discarded tensor is parked on: touching it is a broken {@link BufferArena} contract. */
    private static final DeviceCopy DISCARDED = tensor -> {
        throw new IllegalStateException("a tensor was used after the buffer arena round that made it closed;"
                + " copy() what must outlive a round");
    };

    /**
     * The mark of a tensor that {@link #zeros} or {@link #full} made and nothing has touched yet:
     * its host array holds {@code value} everywhere, so a device backend fills its own copy
     * instead of copying the array. The first host access drops the mark (nothing to sync).
     */
    public record Uniform(double value) implements DeviceCopy {
        static final Uniform ZERO = new Uniform(0.0);

        @Override
        public void toHost(Tensor tensor) {
        }
    }

    private Tensor(Shape shape, float[] f32, double[] f64) {
        this.shape = Objects.requireNonNull(shape);
        this.storedF32 = f32;
        this.storedF64 = f64;
        this.f32 = f32;
        this.f64 = f64;
        this.dtype = f32 != null ? DType.F32 : DType.F64;
        int n = f32 != null ? f32.length : f64.length;
        this.size = n;
        if (n != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " needs " + shape.size() + " values, got " + n);
        }
    }

    /** Wraps {@code values} without copying. */
    public static Tensor wrap(Shape shape, float[] values) {
        return new Tensor(shape, Objects.requireNonNull(values), null);
    }

    /** Wraps {@code values} without copying. */
    public static Tensor wrap(Shape shape, double[] values) {
        return new Tensor(shape, null, Objects.requireNonNull(values));
    }

    /** All zeros; until first touched, marked {@link Uniform} so a device can make its copy without a transfer. */
    public static Tensor zeros(Shape shape, DType dtype) {
        Tensor t = dtype == DType.F32 ? wrap(shape, new float[shape.size()]) : wrap(shape, new double[shape.size()]);
        t.parkOnDevice(Uniform.ZERO);
        return t;
    }

    /** Every element {@code value}; until first touched, marked {@link Uniform} like {@link #zeros}. */
    public static Tensor full(Shape shape, DType dtype, double value) {
        Tensor t = dtype == DType.F32 ? wrap(shape, new float[shape.size()]) : wrap(shape, new double[shape.size()]);
        if (dtype == DType.F32) Arrays.fill(t.storedF32, (float) value);
        else Arrays.fill(t.storedF64, value);
        t.parkOnDevice(value == 0.0 ? Uniform.ZERO : new Uniform(value));
        return t;
    }

    /** Independent standard normal entries: the prior of the flows, and test inputs. */
    public static Tensor randn(Shape shape, DType dtype, SplittableRandom random) {
        Tensor t = zeros(shape, dtype);
        for (int i = 0; i < t.size; i++) t.set(i, random.nextGaussian());
        return t;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public int size() {
        return size;
    }

    /** The backing array of an F32 tensor (not a copy), current on the host. */
    public float[] f32() {
        float[] values = f32;
        if (values != null) return values;
        if (storedF32 == null) throw new IllegalStateException("tensor is " + dtype + ", not F32");
        unpark();
        return storedF32;
    }

    /** The backing array of an F64 tensor (not a copy), current on the host. */
    public double[] f64() {
        double[] values = f64;
        if (values != null) return values;
        if (storedF64 == null) throw new IllegalStateException("tensor is " + dtype + ", not F64");
        unpark();
        return storedF64;
    }

    public double get(int flatIndex) {
        float[] single = f32;
        if (single != null) return single[flatIndex];
        double[] doubles = f64;
        if (doubles != null) return doubles[flatIndex];
        unpark();
        return get(flatIndex);
    }

    public void set(int flatIndex, double value) {
        float[] single = f32;
        if (single != null) {
            single[flatIndex] = (float) value;
            return;
        }
        double[] doubles = f64;
        if (doubles != null) {
            doubles[flatIndex] = value;
            return;
        }
        unpark();
        set(flatIndex, value);
    }

    // ---------------------------------------------------------------- device residency

    /**
     * Hands the values to a device backend: until host code next touches them (any accessor),
     * {@code copy} holds them, and that access first calls {@link DeviceCopy#toHost}. Parking
     * again replaces the previous copy without syncing; the backend that parks knows whether
     * the host array is current.
     */
    public void parkOnDevice(DeviceCopy copy) {
        device = Objects.requireNonNull(copy);
        f32 = null;
        f64 = null;
    }

    /**
     * Declares the values dead (a {@link BufferArena} round that made them closed): a device
     * copy is dropped without a copy back, and touching the tensor afterwards throws. A tensor
     * on the host, or one the host has touched since the device made it, is left as it is.
     */
    public void discard() {
        DeviceCopy copy = device;
        if (copy == null || copy instanceof Uniform || copy == DISCARDED) return;
        copy.discard(this);
        device = DISCARDED;
    }

    /** The device copy holding this tensor, or null when the host array is current and unshared. */
    public DeviceCopy deviceCopy() {
        return device;
    }

    /**
     * The backing array ({@code float[]} or {@code double[]}) without syncing: for a device
     * backend moving values between it and its copy, never for reading values.
     */
    public Object storage() {
        return storedF32 != null ? storedF32 : storedF64;
    }

    /**
     * The device copy is dropped only after its sync returns: {@link DeviceCopy#toHost} is
     * idempotent and serialized by its backend, so a second thread (the CPU kernels' workers
     * may touch one tensor at once) waits there for the first one's copy instead of reading
     * the array half-synced.
     */
    private void unpark() {
        DeviceCopy copy = device;
        if (copy != null) {
            copy.toHost(this);
            device = null;
        }
        f32 = storedF32;
        f64 = storedF64;
    }

    /** The value at configuration {@code b}, channel {@code c}, lattice coordinates {@code x}. */
    public double get(int b, int c, int... x) {
        return get(shape.index(b, c, siteIndex(x)));
    }

    private int siteIndex(int[] x) {
        if (x.length != shape.latticeRank()) {
            throw new IllegalArgumentException("expected " + shape.latticeRank() + " lattice coordinates, got " + x.length);
        }
        int site = 0;
        for (int axis = 0; axis < x.length; axis++) site = site * shape.latticeExtent(axis) + x[axis];
        return site;
    }

    /** A copy in {@code target} precision, not attached to any tape. */
    public Tensor to(DType target) {
        Tensor t = zeros(shape, target);
        for (int i = 0; i < size(); i++) t.set(i, get(i));
        return t;
    }

    /** A copy with the same values, not attached to any tape. */
    public Tensor copy() {
        return storedF32 != null ? wrap(shape, f32().clone()) : wrap(shape, f64().clone());
    }

    /** Same values viewed under another shape of equal size (shares storage; syncs a parked tensor first). */
    public Tensor reshape(Shape newShape) {
        return storedF32 != null ? wrap(newShape, f32()) : wrap(newShape, f64());
    }

    public double[] toDoubleArray() {
        double[] out = new double[size()];
        for (int i = 0; i < out.length; i++) out[i] = get(i);
        return out;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks this tensor as a trainable leaf (or, from the tape, as depending on one). */
    public Tensor requiresGrad(boolean value) {
        this.requiresGrad = value;
        return this;
    }

    /** Accumulated gradient of a leaf, or null before the first backward pass. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor gradient) {
        if (gradient != null && (!gradient.shape.equals(shape) || gradient.dtype != dtype)) {
            throw new IllegalArgumentException("gradient " + gradient.shape + " " + gradient.dtype
                    + " does not match tensor " + shape + " " + dtype);
        }
        this.grad = gradient;
    }

    /**
     * Adds {@code gradient} into this leaf's gradient (or makes it the gradient): the sum is a
     * fresh array, outside any buffer arena round, since a leaf's gradient outlives the step.
     */
    public void accumulateGrad(Tensor gradient) {
        setGrad(grad == null ? gradient : Ops.add(grad, gradient).copy());
    }

    public void zeroGrad() {
        this.grad = null;
    }

    @Override
    public String toString() {
        int shown = Math.min(size(), 8);
        StringBuilder sb = new StringBuilder("Tensor").append(shape).append(' ').append(dtype).append(" {");
        for (int i = 0; i < shown; i++) sb.append(i == 0 ? "" : ", ").append(get(i));
        return sb.append(size() > shown ? ", ...}" : "}").toString();
    }
}
