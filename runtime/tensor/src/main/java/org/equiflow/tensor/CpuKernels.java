package org.equiflow.tensor;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.cpu.ConvKernels;
import org.equiflow.tensor.cpu.CpuParallel;

/**
 * Reference CPU kernels for every primitive except convolution ({@link ConvKernels}). Each
 * writes into a freshly allocated output of the right shape and dtype; shapes have been
 * checked by the primitive before the call.
 *
 * <p>Broadcasting follows {@link Shape#broadcastsTo}: a source axis of extent 1 (or an
 * absent lattice) is read at index 0 for every output index along it.
 */
public final class CpuKernels {

    /** The four arithmetic operations, each stated once here for every precision's scalar loop. */
    public enum BinaryKind {
        ADD, SUB, MUL, DIV;

        public double apply(double x, double y) {
            return switch (this) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
    }

    private CpuKernels() {
    }

    /** Offset of the block of sites of {@code src} read for output configuration b, channel c. */
    private static int sourceBase(Shape src, int b, int c) {
        return ((src.batch() == 1 ? 0 : b) * src.channels() + (src.channels() == 1 ? 0 : c)) * src.sites();
    }

    /** 1 if {@code src} has the output's sites, 0 if its one value is stretched over them. */
    private static int siteStep(Shape src, Shape out) {
        return src.sites() == out.sites() ? 1 : 0;
    }

    public static void map(Tensor in, Tensor out, DoubleUnaryOperator f) {
        int n = in.size();
        if (in.dtype() == DType.F32) {
            float[] x = in.f32(), y = out.f32();
            for (int i = 0; i < n; i++) y[i] = (float) f.applyAsDouble(x[i]);
        } else {
            double[] x = in.f64(), y = out.f64();
            for (int i = 0; i < n; i++) y[i] = f.applyAsDouble(x[i]);
        }
    }

    /** Below this many output elements a second thread costs more than it saves. */
    private static final int PARALLEL_THRESHOLD = 1 << 16;

    public static void binary(BinaryKind kind, Tensor a, Tensor b, Tensor out) {
        Shape so = out.shape();
        if (out.size() < PARALLEL_THRESHOLD) {
            binary(kind, a, b, out, 0, so.batch());
        } else {
            CpuParallel.forChunks(so.batch(), (chunk, from, to) -> binary(kind, a, b, out, from, to));
        }
    }

    private static void binary(BinaryKind kind, Tensor a, Tensor b, Tensor out, int batchFrom, int batchTo) {
        Shape so = out.shape();
        int sites = so.sites();
        if (a.shape().equals(so) && b.shape().equals(so)) {
            // Equal shapes are one run of the configurations' values: a row per (b, c) would
            // cost its bookkeeping every L² values (64 at L = 8).
            int block = so.channels() * sites, from = batchFrom * block, n = (batchTo - batchFrom) * block;
            if (out.dtype() == DType.F32) binaryRow(kind, a.f32(), from, 1, b.f32(), from, 1, out.f32(), from, n);
            else binaryRow(kind, a.f64(), from, 1, b.f64(), from, 1, out.f64(), from, n);
            return;
        }
        int stepA = siteStep(a.shape(), so), stepB = siteStep(b.shape(), so);
        for (int bb = batchFrom; bb < batchTo; bb++) {
            for (int cc = 0; cc < so.channels(); cc++) {
                int ia = sourceBase(a.shape(), bb, cc), ib = sourceBase(b.shape(), bb, cc), io = so.index(bb, cc, 0);
                if (out.dtype() == DType.F32) {
                    binaryRow(kind, a.f32(), ia, stepA, b.f32(), ib, stepB, out.f32(), io, sites);
                } else {
                    binaryRow(kind, a.f64(), ia, stepA, b.f64(), ib, stepB, out.f64(), io, sites);
                }
            }
        }
    }

    private static void binaryRow(BinaryKind kind, float[] x, int ix, int sx, float[] y, int iy, int sy,
                                  float[] o, int io, int n) {
        if (sx == 1 && sy == 1) {
            // The common case (equal shapes, lattice masks): unit strides let C2 vectorize.
            switch (kind) {
                case ADD -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s] + y[iy + s]; }
                case SUB -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s] - y[iy + s]; }
                case MUL -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s] * y[iy + s]; }
                case DIV -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s] / y[iy + s]; }
            }
            return;
        }
        switch (kind) {
            case ADD -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s * sx] + y[iy + s * sy]; }
            case SUB -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s * sx] - y[iy + s * sy]; }
            case MUL -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s * sx] * y[iy + s * sy]; }
            case DIV -> { for (int s = 0; s < n; s++) o[io + s] = x[ix + s * sx] / y[iy + s * sy]; }
        }
    }

    /**
     * The float64 rows through the kind's own arithmetic: one strided loop, as the float64 unary
     * functions go through their {@code apply}. The float32 twin above stays written out per
     * kind, because only there does C2 vectorize the unit-stride loops that training runs hot.
     */
    private static void binaryRow(BinaryKind kind, double[] x, int ix, int sx, double[] y, int iy, int sy,
                                  double[] o, int io, int n) {
        for (int s = 0; s < n; s++) o[io + s] = kind.apply(x[ix + s * sx], y[iy + s * sy]);
    }

    /** Sums {@code in} over the axes on which {@code out} has extent 1 (or no lattice). */
    public static void sumTo(Tensor in, Tensor out) {
        // Accumulating in double keeps float32 sums over a whole lattice (log-dets, actions)
        // as accurate as the summands.
        Shape si = in.shape(), so = out.shape();
        double[] acc = new double[out.size()];
        int sites = si.sites();
        int step = siteStep(so, si);
        for (int bb = 0; bb < si.batch(); bb++) {
            for (int cc = 0; cc < si.channels(); cc++) {
                int io = sourceBase(so, bb, cc), ii = si.index(bb, cc, 0);
                if (in.dtype() == DType.F32 && step == 0) {
                    acc[io] += sumRun(in.f32(), ii, sites);
                } else if (in.dtype() == DType.F32) {
                    float[] x = in.f32();
                    for (int s = 0; s < sites; s++) acc[io + s * step] += x[ii + s];
                } else {
                    double[] x = in.f64();
                    for (int s = 0; s < sites; s++) acc[io + s * step] += x[ii + s];
                }
            }
        }
        for (int i = 0; i < acc.length; i++) out.set(i, acc[i]);
    }

    /**
     * Σ x[from … from+n) in double, with four independent accumulators: one accumulator is a chain
     * of dependent additions that runs at one add per add-latency.
     */
    private static double sumRun(float[] x, int from, int n) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int s = 0;
        for (; s + 4 <= n; s += 4) {
            a0 += x[from + s];
            a1 += x[from + s + 1];
            a2 += x[from + s + 2];
            a3 += x[from + s + 3];
        }
        for (; s < n; s++) a0 += x[from + s];
        return (a0 + a1) + (a2 + a3);
    }

    public static void broadcastTo(Tensor in, Tensor out) {
        Shape si = in.shape(), so = out.shape();
        int sites = so.sites();
        int step = siteStep(si, so);
        for (int bb = 0; bb < so.batch(); bb++) {
            for (int cc = 0; cc < so.channels(); cc++) {
                int ii = sourceBase(si, bb, cc), io = so.index(bb, cc, 0);
                if (out.dtype() == DType.F32) {
                    float[] x = in.f32(), o = out.f32();
                    for (int s = 0; s < sites; s++) o[io + s] = x[ii + s * step];
                } else {
                    double[] x = in.f64(), o = out.f64();
                    for (int s = 0; s < sites; s++) o[io + s] = x[ii + s * step];
                }
            }
        }
    }

    /** {@code out[.., x_axis, ..] = in[.., (x_axis - shift) mod L, ..]}, as torch.roll. */
    public static void roll(Tensor in, int axis, int shift, Tensor out) {
        Shape s = in.shape();
        int extent = s.latticeExtent(axis);
        int inner = s.latticeStride(axis);
        int blocks = s.size() / (extent * inner);
        Object src = in.dtype() == DType.F32 ? in.f32() : in.f64();
        Object dst = out.dtype() == DType.F32 ? out.f32() : out.f64();
        // out[x] = in[x − shift]: within each block, two contiguous runs (a roll along the
        // last axis copied one value at a time before, 65 536 calls for a batch at L = 8).
        int k = Math.floorMod(shift, extent);
        for (int blk = 0; blk < blocks; blk++) {
            int base = blk * extent * inner;
            System.arraycopy(src, base, dst, base + k * inner, (extent - k) * inner);
            System.arraycopy(src, base + (extent - k) * inner, dst, base, k * inner);
        }
    }

    public static void sliceChannels(Tensor in, int from, Tensor out) {
        Shape si = in.shape(), so = out.shape();
        int run = so.channels() * so.sites();
        Object src = in.dtype() == DType.F32 ? in.f32() : in.f64();
        Object dst = out.dtype() == DType.F32 ? out.f32() : out.f64();
        for (int b = 0; b < si.batch(); b++) {
            System.arraycopy(src, si.index(b, from, 0), dst, so.index(b, 0, 0), run);
        }
    }

    public static void concatChannels(List<Tensor> parts, Tensor out) {
        Shape so = out.shape();
        Object dst = out.dtype() == DType.F32 ? out.f32() : out.f64();
        int channel = 0;
        for (Tensor part : parts) {
            Shape sp = part.shape();
            Object src = part.dtype() == DType.F32 ? part.f32() : part.f64();
            int run = sp.channels() * sp.sites();
            for (int b = 0; b < so.batch(); b++) {
                System.arraycopy(src, sp.index(b, 0, 0), dst, so.index(b, channel, 0), run);
            }
            channel += sp.channels();
        }
    }

    /** {@code out = mask != 0 ? whenSet : whenClear}; the mask broadcasts, the others do not. */
    public static void where(Tensor mask, Tensor whenSet, Tensor whenClear, Tensor out) {
        Shape so = out.shape(), sm = mask.shape();
        int sites = so.sites();
        int step = siteStep(sm, so);
        for (int bb = 0; bb < so.batch(); bb++) {
            for (int cc = 0; cc < so.channels(); cc++) {
                int im = sourceBase(sm, bb, cc), io = so.index(bb, cc, 0);
                for (int s = 0; s < sites; s++) {
                    int i = io + s;
                    out.set(i, mask.get(im + s * step) != 0.0 ? whenSet.get(i) : whenClear.get(i));
                }
            }
        }
    }

    /**
     * {@code out[in][out][K-1-o] = w[out][in][o]}: swaps the channel roles and reflects the
     * kernel through its centre, which turns a convolution into its adjoint.
     */
    public static void flipKernel(Tensor w, Tensor out) {
        Shape sw = w.shape();
        int cout = sw.batch(), cin = sw.channels(), k = sw.sites();
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int src = (co * cin + ci) * k, dst = (ci * cout + co) * k;
                for (int o = 0; o < k; o++) out.set(dst + k - 1 - o, w.get(src + o));
            }
        }
    }
}
