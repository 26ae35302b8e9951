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
    private final float[] f32;
    private final double[] f64;
    private boolean requiresGrad;
    private Tensor grad;

    private Tensor(Shape shape, float[] f32, double[] f64) {
        this.shape = Objects.requireNonNull(shape);
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

    public static Tensor zeros(Shape shape, DType dtype) {
        return dtype == DType.F32 ? wrap(shape, new float[shape.size()]) : wrap(shape, new double[shape.size()]);
    }

    public static Tensor full(Shape shape, DType dtype, double value) {
        Tensor t = zeros(shape, dtype);
        if (dtype == DType.F32) Arrays.fill(t.f32, (float) value);
        else Arrays.fill(t.f64, value);
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

    /** The backing array of an F32 tensor (not a copy). */
    public float[] f32() {
        if (f32 == null) throw new IllegalStateException("tensor is " + dtype + ", not F32");
        return f32;
    }

    /** The backing array of an F64 tensor (not a copy). */
    public double[] f64() {
        if (f64 == null) throw new IllegalStateException("tensor is " + dtype + ", not F64");
        return f64;
    }

    public double get(int flatIndex) {
        return f32 != null ? f32[flatIndex] : f64[flatIndex];
    }

    public void set(int flatIndex, double value) {
        if (f32 != null) f32[flatIndex] = (float) value;
        else f64[flatIndex] = value;
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
        return f32 != null ? wrap(shape, f32.clone()) : wrap(shape, f64.clone());
    }

    /** Same values viewed under another shape of equal size (shares storage). */
    public Tensor reshape(Shape newShape) {
        return f32 != null ? wrap(newShape, f32) : wrap(newShape, f64);
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
