package org.equiflow.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 3×3 periodic convolution of a two-dimensional lattice whose rows are a whole number of
 * 8-float vectors and whose row count is even (L × L with L = 8, 16, 32, ...): the flows' own
 * case, in float32, without any padded copy.
 *
 * <p>A lattice row is one or more 8-lane vectors. The row displaced by one site along the row
 * is an unaligned load inside the row, and at the row's ends a lane rotation in registers with
 * the one wrapped value inserted; for L = 8 both displacements are pure rotations. Rows
 * displaced across rows are other rows, their index wrapped. So each input row is loaded once
 * and turned into its three displaced copies in registers.
 *
 * <p>Forward: a block of output channels × two output rows keeps eight vector accumulators
 * (enough independent chains to hide the multiply-add latency); four input rows feed both
 * output rows. Blocks of four channels use all eight accumulators, blocks of two and one four
 * and two. At L = 8 with AVX-512, blocks of eight channels hold two rows per 16-lane vector.
 *
 * <p>Weight gradient: a pair of output channels × the nine taps of one input channel is
 * eighteen accumulators held in registers over a run of configurations, and emptied into
 * float64 sums every {@link #FLUSH} configurations, so float32 sums never run over more than
 * {@code FLUSH · sites / 8} terms.
 */
final class DirectConv2D {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int LANES = 8;
    /** lane i takes lane i−1: the row displaced by −1 when the row is one vector. */
    private static final VectorShuffle<Float> FROM_LEFT = VectorShuffle.fromOp(S, i -> (i + LANES - 1) % LANES);
    /** lane i takes lane i+1: the row displaced by +1 when the row is one vector. */
    private static final VectorShuffle<Float> FROM_RIGHT = VectorShuffle.fromOp(S, i -> (i + 1) % LANES);
    /** Configurations summed in float32 registers before the weight gradient's float64 flush. */
    static final int FLUSH = 8;
    /** {@code -Dequiflow.conv.direct=false} falls back to the padded kernels, to measure what these buy. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("equiflow.conv.direct"));

    private DirectConv2D() {
    }

    /** Whether the forward kernel takes this plan: see {@link #handles}, and {@link #FORWARD_LONG_ROWS}. */
    static boolean handlesForward(HaloPlan plan) {
        // Longer rows: about as fast as the padded kernels (L = 16: 78 vs 80 ms per step, one thread).
        return handles(plan) && (plan.rowLength == LANES || FORWARD_LONG_ROWS);
    }

    /** {@code -Dequiflow.conv.direct.long=false}: the padded forward kernels for rows longer than eight. */
    private static final boolean FORWARD_LONG_ROWS = !"false".equals(System.getProperty("equiflow.conv.direct.long"));

    /** Whether this plan is one these kernels handle: rank 2, k = 3, rows of whole vectors, even row count. */
    static boolean handles(HaloPlan plan) {
        if (!ENABLED) return false;
        // radius 1 and 3^d = 9 offsets: a 3×3 kernel on a two-dimensional lattice.
        return plan.radius == 1 && plan.offsets == 9 && plan.rowLength % LANES == 0 && (plan.sites / plan.rowLength) % 2 == 0;
    }

    // ---------------------------------------------------------------- displaced rows

    /** in[rowBase + (y + i − 1) mod L], i = 0..7. */
    private static FloatVector left(float[] in, int rowBase, int y, int length, FloatVector centre) {
        if (y > 0) return FloatVector.fromArray(S, in, rowBase + y - 1);
        FloatVector rotated = centre.rearrange(FROM_LEFT);
        return length == LANES ? rotated : rotated.withLane(0, in[rowBase + length - 1]);
    }

    /** in[rowBase + (y + i + 1) mod L], i = 0..7. */
    private static FloatVector right(float[] in, int rowBase, int y, int length, FloatVector centre) {
        if (y + LANES < length) return FloatVector.fromArray(S, in, rowBase + y + 1);
        FloatVector rotated = centre.rearrange(FROM_RIGHT);
        return length == LANES ? rotated : rotated.withLane(LANES - 1, in[rowBase]);
    }

    /** acc + w[t]·m + w[t+1]·c + w[t+2]·p: one kernel row applied to one displaced input row. */
    private static FloatVector taps(FloatVector acc, FloatVector m, FloatVector c, FloatVector p, float[] w, int t) {
        acc = m.fma(FloatVector.broadcast(S, w[t]), acc);
        acc = c.fma(FloatVector.broadcast(S, w[t + 1]), acc);
        return p.fma(FloatVector.broadcast(S, w[t + 2]), acc);
    }

    // ---------------------------------------------------------------- forward

    static void forward(ConvKernels.Geometry g, float[] in, float[] w, float[] bias, float[] out) {
        int v = g.plan().sites, length = g.plan().rowLength, rows = v / length;
        int cin = g.inChannels(), cout = g.outChannels();
        boolean wide = length == LANES && WIDE_ENABLED;
        CpuParallel.forChunks(g.batch(), (chunk, from, to) -> {
            float[] wrapped = wide ? new float[cin * 2 * LANES] : null;
            for (int b = from; b < to; b++) {
                int inBase = b * cin * v, outBase = b * cout * v;
                int co = 0;
                if (wide) wrapRows(in, inBase, cin, v, wrapped);
                if (wide && cout >= 8) {
                    for (; co + 8 <= cout; co += 8) {
                        for (int r = 0; r < rows; r += 2) forwardRowPairs8(in, inBase, cin, wrapped, w, bias, out, outBase, co, r, rows, v);
                    }
                }
                for (; co + 4 <= cout; co += 4) {
                    for (int r = 0; r < rows; r += 2) forward4x2(in, inBase, cin, w, bias, out, outBase, co, r, rows, length, v);
                }
                for (; co + 2 <= cout; co += 2) {
                    if (wide) {
                        for (int r = 0; r < rows; r += 2) forwardRowPairs2(in, inBase, cin, wrapped, w, bias, out, outBase, co, r, rows, v);
                        continue;
                    }
                    for (int r = 0; r < rows; r += 2) forward2x2(in, inBase, cin, w, bias, out, outBase, co, r, rows, length, v);
                }
                for (; co < cout; co++) {
                    for (int r = 0; r < rows; r += 2) forward1x2(in, inBase, cin, w, bias, out, outBase, co, r, rows, length, v);
                }
            }
        });
    }

    private static float biasOf(float[] bias, int co) {
        return bias == null ? 0f : bias[co];
    }

    // ---------------------------------------------------------------- forward, rows of 8, two rows per vector

    /** Two rows of eight sites in one 16-lane vector. */
    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_512;
    /** Whether 16-lane vectors are native here (AVX-512); {@code -Dequiflow.conv.wide=false} turns them off. */
    private static final boolean WIDE_ENABLED = FloatVector.SPECIES_PREFERRED.length() >= 16
            && !"false".equals(System.getProperty("equiflow.conv.wide"));
    /** Within each row of eight: lane i takes lane i−1 (mod 8). */
    private static final VectorShuffle<Float> WIDE_FROM_LEFT = VectorShuffle.fromOp(WIDE, i -> (i & 8) | ((i + 7) & 7));
    /** Within each row of eight: lane i takes lane i+1 (mod 8). */
    private static final VectorShuffle<Float> WIDE_FROM_RIGHT = VectorShuffle.fromOp(WIDE, i -> (i & 8) | ((i + 1) & 7));

    private static FloatVector wideTaps(FloatVector acc, FloatVector m, FloatVector x, FloatVector p, float[] w, int t) {
        acc = m.fma(FloatVector.broadcast(WIDE, w[t]), acc);
        acc = x.fma(FloatVector.broadcast(WIDE, w[t + 1]), acc);
        return p.fma(FloatVector.broadcast(WIDE, w[t + 2]), acc);
    }

    /**
     * L = 8: output channels co..co+7 on rows r and r+1, one 16-lane vector per channel. The
     * input row pairs (r−1, r), (r, r+1), (r+1, r+2) are contiguous except where they wrap,
     * which {@code wrapped} holds per input channel (rows L−1, 0).
     */
    private static void forwardRowPairs8(float[] in, int inBase, int cin, float[] wrapped, float[] w, float[] bias,
                                         float[] out, int outBase, int co, int r, int rows, int v) {
        int stride = cin * 9;
        FloatVector a0 = FloatVector.broadcast(WIDE, biasOf(bias, co)), a1 = FloatVector.broadcast(WIDE, biasOf(bias, co + 1));
        FloatVector a2 = FloatVector.broadcast(WIDE, biasOf(bias, co + 2)), a3 = FloatVector.broadcast(WIDE, biasOf(bias, co + 3));
        FloatVector a4 = FloatVector.broadcast(WIDE, biasOf(bias, co + 4)), a5 = FloatVector.broadcast(WIDE, biasOf(bias, co + 5));
        FloatVector a6 = FloatVector.broadcast(WIDE, biasOf(bias, co + 6)), a7 = FloatVector.broadcast(WIDE, biasOf(bias, co + 7));
        for (int ci = 0; ci < cin; ci++) {
            int base = inBase + ci * v, w0 = co * stride + ci * 9;
            for (int j = 0; j < 3; j++) {
                int first = r + j - 1;
                FloatVector x = first < 0 || first + 1 >= rows
                        ? FloatVector.fromArray(WIDE, wrapped, ci * 2 * LANES)
                        : FloatVector.fromArray(WIDE, in, base + first * LANES);
                FloatVector m = x.rearrange(WIDE_FROM_LEFT), p = x.rearrange(WIDE_FROM_RIGHT);
                int t = w0 + 3 * j;
                a0 = wideTaps(a0, m, x, p, w, t);
                a1 = wideTaps(a1, m, x, p, w, t + stride);
                a2 = wideTaps(a2, m, x, p, w, t + 2 * stride);
                a3 = wideTaps(a3, m, x, p, w, t + 3 * stride);
                a4 = wideTaps(a4, m, x, p, w, t + 4 * stride);
                a5 = wideTaps(a5, m, x, p, w, t + 5 * stride);
                a6 = wideTaps(a6, m, x, p, w, t + 6 * stride);
                a7 = wideTaps(a7, m, x, p, w, t + 7 * stride);
            }
        }
        int o = outBase + co * v + r * LANES;
        a0.intoArray(out, o);
        a1.intoArray(out, o + v);
        a2.intoArray(out, o + 2 * v);
        a3.intoArray(out, o + 3 * v);
        a4.intoArray(out, o + 4 * v);
        a5.intoArray(out, o + 5 * v);
        a6.intoArray(out, o + 6 * v);
        a7.intoArray(out, o + 7 * v);
    }

    /** Rows L−1 and 0 of each input channel side by side: the pair of rows that wraps around. */
    private static void wrapRows(float[] in, int inBase, int cin, int v, float[] wrapped) {
        for (int ci = 0; ci < cin; ci++) {
            System.arraycopy(in, inBase + ci * v + v - LANES, wrapped, ci * 2 * LANES, LANES);
            System.arraycopy(in, inBase + ci * v, wrapped, ci * 2 * LANES + LANES, LANES);
        }
    }

    /**
     * Rows of 8: output channels co and co+1 on rows r and r+1, one 16-lane vector per channel
     * and kernel row (six chains: few output channels, the coupling's scale and shift, give too
     * few independent sums otherwise, and the 8-lane kernels twice the instructions). Written as
     * a loop over input channels with six call sites: a straight-line version over the whole
     * lattice made the method too large for C2 to inline the vector operations.
     */
    private static void forwardRowPairs2(float[] in, int inBase, int cin, float[] wrapped, float[] w, float[] bias,
                                         float[] out, int outBase, int co, int r, int rows, int v) {
        int stride = cin * 9;
        FloatVector zero = FloatVector.zero(WIDE);
        FloatVector a0 = FloatVector.broadcast(WIDE, biasOf(bias, co)), a1 = zero, a2 = zero;
        FloatVector b0 = FloatVector.broadcast(WIDE, biasOf(bias, co + 1)), b1 = zero, b2 = zero;
        boolean wrapsAbove = r == 0, wrapsBelow = r + 2 >= rows;
        for (int ci = 0; ci < cin; ci++) {
            int base = inBase + ci * v, wa = co * stride + ci * 9, wb = wa + stride;
            FloatVector x = wrapsAbove ? FloatVector.fromArray(WIDE, wrapped, ci * 2 * LANES)
                    : FloatVector.fromArray(WIDE, in, base + (r - 1) * LANES);
            FloatVector m = x.rearrange(WIDE_FROM_LEFT), p = x.rearrange(WIDE_FROM_RIGHT);
            a0 = wideTaps(a0, m, x, p, w, wa);
            b0 = wideTaps(b0, m, x, p, w, wb);
            x = FloatVector.fromArray(WIDE, in, base + r * LANES);
            m = x.rearrange(WIDE_FROM_LEFT);
            p = x.rearrange(WIDE_FROM_RIGHT);
            a1 = wideTaps(a1, m, x, p, w, wa + 3);
            b1 = wideTaps(b1, m, x, p, w, wb + 3);
            x = wrapsBelow ? FloatVector.fromArray(WIDE, wrapped, ci * 2 * LANES)
                    : FloatVector.fromArray(WIDE, in, base + (r + 1) * LANES);
            m = x.rearrange(WIDE_FROM_LEFT);
            p = x.rearrange(WIDE_FROM_RIGHT);
            a2 = wideTaps(a2, m, x, p, w, wa + 6);
            b2 = wideTaps(b2, m, x, p, w, wb + 6);
        }
        int o = outBase + co * v + r * LANES;
        a0.add(a1).add(a2).intoArray(out, o);
        b0.add(b1).add(b2).intoArray(out, o + v);
    }

    /** Offset of input row r−1+j (j = 0..3), wrapped; no division in the inner loops. */
    private static int inputRow(int j, int r, int rows, int length) {
        int row = r + j - 1;
        return (row < 0 ? row + rows : row >= rows ? row - rows : row) * length;
    }

    /**
     * Output channels co..co+3, rows r and r+1. Input row r−1+j feeds output row r through
     * kernel row j (j ≤ 2) and output row r+1 through kernel row j−1 (j ≥ 1).
     */
    private static void forward4x2(float[] in, int inBase, int cin, float[] w, float[] bias, float[] out, int outBase,
                                   int co, int r, int rows, int length, int v) {
        int stride = cin * 9;
        for (int y = 0; y < length; y += LANES) {
            FloatVector a0 = FloatVector.broadcast(S, biasOf(bias, co)), a1 = FloatVector.broadcast(S, biasOf(bias, co + 1));
            FloatVector a2 = FloatVector.broadcast(S, biasOf(bias, co + 2)), a3 = FloatVector.broadcast(S, biasOf(bias, co + 3));
            FloatVector c0 = a0, c1 = a1, c2 = a2, c3 = a3;
            for (int ci = 0; ci < cin; ci++) {
                int w0 = co * stride + ci * 9, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
                for (int j = 0; j < 4; j++) {
                    int row = inBase + ci * v + inputRow(j, r, rows, length);
                    FloatVector x = FloatVector.fromArray(S, in, row + y);
                    FloatVector m = left(in, row, y, length, x), p = right(in, row, y, length, x);
                    if (j < 3) {
                        int t = 3 * j;
                        a0 = taps(a0, m, x, p, w, w0 + t);
                        a1 = taps(a1, m, x, p, w, w1 + t);
                        a2 = taps(a2, m, x, p, w, w2 + t);
                        a3 = taps(a3, m, x, p, w, w3 + t);
                    }
                    if (j > 0) {
                        int t = 3 * (j - 1);
                        c0 = taps(c0, m, x, p, w, w0 + t);
                        c1 = taps(c1, m, x, p, w, w1 + t);
                        c2 = taps(c2, m, x, p, w, w2 + t);
                        c3 = taps(c3, m, x, p, w, w3 + t);
                    }
                }
            }
            int o = outBase + co * v + r * length + y;
            a0.intoArray(out, o);
            a1.intoArray(out, o + v);
            a2.intoArray(out, o + 2 * v);
            a3.intoArray(out, o + 3 * v);
            o += length;
            c0.intoArray(out, o);
            c1.intoArray(out, o + v);
            c2.intoArray(out, o + 2 * v);
            c3.intoArray(out, o + 3 * v);
        }
    }

    /**
     * Output channels co, co+1, rows r and r+1: four chains. (Splitting the input channels into
     * two sets of sums for eight chains made the method too large for C2 to inline the vector
     * operations at L ≥ 16, which costs far more than the latency it hides.)
     */
    private static void forward2x2(float[] in, int inBase, int cin, float[] w, float[] bias, float[] out, int outBase,
                                   int co, int r, int rows, int length, int v) {
        int stride = cin * 9;
        for (int y = 0; y < length; y += LANES) {
            FloatVector a0 = FloatVector.broadcast(S, biasOf(bias, co)), a1 = FloatVector.broadcast(S, biasOf(bias, co + 1));
            FloatVector c0 = a0, c1 = a1;
            for (int ci = 0; ci < cin; ci++) {
                int w0 = co * stride + ci * 9, w1 = w0 + stride;
                for (int j = 0; j < 4; j++) {
                    int row = inBase + ci * v + inputRow(j, r, rows, length);
                    FloatVector x = FloatVector.fromArray(S, in, row + y);
                    FloatVector m = left(in, row, y, length, x), p = right(in, row, y, length, x);
                    if (j < 3) {
                        a0 = taps(a0, m, x, p, w, w0 + 3 * j);
                        a1 = taps(a1, m, x, p, w, w1 + 3 * j);
                    }
                    if (j > 0) {
                        c0 = taps(c0, m, x, p, w, w0 + 3 * (j - 1));
                        c1 = taps(c1, m, x, p, w, w1 + 3 * (j - 1));
                    }
                }
            }
            int o = outBase + co * v + r * length + y;
            a0.intoArray(out, o);
            a1.intoArray(out, o + v);
            c0.intoArray(out, o + length);
            c1.intoArray(out, o + length + v);
        }
    }

    /** Output channel co, rows r and r+1. */
    private static void forward1x2(float[] in, int inBase, int cin, float[] w, float[] bias, float[] out, int outBase,
                                   int co, int r, int rows, int length, int v) {
        int stride = cin * 9;
        for (int y = 0; y < length; y += LANES) {
            FloatVector a = FloatVector.broadcast(S, biasOf(bias, co)), c = a;
            for (int ci = 0; ci < cin; ci++) {
                int w0 = co * stride + ci * 9;
                for (int j = 0; j < 4; j++) {
                    int row = inBase + ci * v + inputRow(j, r, rows, length);
                    FloatVector x = FloatVector.fromArray(S, in, row + y);
                    FloatVector m = left(in, row, y, length, x), p = right(in, row, y, length, x);
                    if (j < 3) a = taps(a, m, x, p, w, w0 + 3 * j);
                    if (j > 0) c = taps(c, m, x, p, w, w0 + 3 * (j - 1));
                }
            }
            int o = outBase + co * v + r * length + y;
            a.intoArray(out, o);
            c.intoArray(out, o + length);
        }
    }

    // ---------------------------------------------------------------- weight gradient

    /**
     * {@code gw[co][ci][3·dr + dc] = sum_{b, s} gOut[b][co][s] · in[b][ci][s + (dr − 1, dc − 1)]}.
     * Each worker sums its configurations in float64 per weight; the workers' sums are added in
     * chunk order, so the result does not depend on timing.
     */
    static void weightGradient(ConvKernels.Geometry g, float[] in, float[] gOut, float[] gw) {
        int cin = g.inChannels(), cout = g.outChannels(), weights = cout * cin * 9;
        double[][] partial = new double[CpuParallel.chunksFor(g.batch())][];
        CpuParallel.forChunks(g.batch(), (chunk, from, to) -> {
            double[] sums = new double[weights];
            int co = 0;
            boolean wide = g.plan().rowLength == LANES && WIDE_ENABLED;
            float[] scratch = new float[SCRATCH];
            for (; co + 2 <= cout; co += 2) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int first = from; first < to; first += FLUSH) {
                        if (wide) weightGradientRowPairs(g, in, gOut, sums, scratch, co, ci, first, Math.min(to, first + FLUSH));
                        else weightGradientPair(g, in, gOut, sums, scratch, co, ci, first, Math.min(to, first + FLUSH));
                    }
                }
            }
            for (; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int first = from; first < to; first += FLUSH) {
                        weightGradientSingle(g, in, gOut, sums, scratch, co, ci, first, Math.min(to, first + FLUSH));
                    }
                }
            }
            partial[chunk] = sums;
        });
        for (int i = 0; i < weights; i++) {
            double sum = 0.0;
            for (double[] p : partial) sum += p[i];
            gw[i] = (float) sum;
        }
    }

    /** Weights (co, ci, ·) and (co+1, ci, ·) over configurations [first, last): eighteen register sums. */
    private static void weightGradientPair(ConvKernels.Geometry g, float[] in, float[] gOut, double[] sums, float[] scratch,
                                           int co, int ci, int first, int last) {
        int v = g.plan().sites, length = g.plan().rowLength, rows = v / length, cin = g.inChannels(), cout = g.outChannels();
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z;
        for (int b = first; b < last; b++) {
            int base = (b * cin + ci) * v, gBase = (b * cout + co) * v;
            for (int r = 0; r < rows; r++) {
                int up = base + inputRow(0, r, rows, length), mid = base + r * length, down = base + inputRow(2, r, rows, length);
                for (int y = 0; y < length; y += LANES) {
                    FloatVector g0 = FloatVector.fromArray(S, gOut, gBase + r * length + y);
                    FloatVector g1 = FloatVector.fromArray(S, gOut, gBase + v + r * length + y);
                    FloatVector x = FloatVector.fromArray(S, in, up + y);
                    FloatVector m = left(in, up, y, length, x), p = right(in, up, y, length, x);
                    a0 = m.fma(g0, a0);
                    a1 = x.fma(g0, a1);
                    a2 = p.fma(g0, a2);
                    b0 = m.fma(g1, b0);
                    b1 = x.fma(g1, b1);
                    b2 = p.fma(g1, b2);
                    x = FloatVector.fromArray(S, in, mid + y);
                    m = left(in, mid, y, length, x);
                    p = right(in, mid, y, length, x);
                    a3 = m.fma(g0, a3);
                    a4 = x.fma(g0, a4);
                    a5 = p.fma(g0, a5);
                    b3 = m.fma(g1, b3);
                    b4 = x.fma(g1, b4);
                    b5 = p.fma(g1, b5);
                    x = FloatVector.fromArray(S, in, down + y);
                    m = left(in, down, y, length, x);
                    p = right(in, down, y, length, x);
                    a6 = m.fma(g0, a6);
                    a7 = x.fma(g0, a7);
                    a8 = p.fma(g0, a8);
                    b6 = m.fma(g1, b6);
                    b7 = x.fma(g1, b7);
                    b8 = p.fma(g1, b8);
                }
            }
        }
        addLaneSums(sums, scratch, (co * cin + ci) * 9, a0, a1, a2, a3, a4, a5, a6, a7, a8);
        addLaneSums(sums, scratch, ((co + 1) * cin + ci) * 9, b0, b1, b2, b3, b4, b5, b6, b7, b8);
    }

    /**
     * Rows of 8 (AVX-512): {@link #weightGradientPair} with two rows per 16-lane vector, so half
     * the instructions. The input row pairs (r−1, r), (r, r+1), (r+1, r+2) are contiguous except
     * the one that wraps, rows (L−1, 0), gathered once per configuration.
     */
    private static void weightGradientRowPairs(ConvKernels.Geometry g, float[] in, float[] gOut, double[] sums, float[] scratch,
                                               int co, int ci, int first, int last) {
        int v = g.plan().sites, rows = v / LANES, cin = g.inChannels(), cout = g.outChannels();
        float[] wrapped = scratch;
        FloatVector z = FloatVector.zero(WIDE);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z;
        for (int b = first; b < last; b++) {
            int base = (b * cin + ci) * v, gBase = (b * cout + co) * v;
            wrapRows(in, base, 1, v, wrapped);
            FloatVector wrap = FloatVector.fromArray(WIDE, wrapped, 0);
            for (int r = 0; r < rows; r += 2) {
                FloatVector g0 = FloatVector.fromArray(WIDE, gOut, gBase + r * LANES);
                FloatVector g1 = FloatVector.fromArray(WIDE, gOut, gBase + v + r * LANES);
                FloatVector x = r == 0 ? wrap : FloatVector.fromArray(WIDE, in, base + (r - 1) * LANES);
                FloatVector m = x.rearrange(WIDE_FROM_LEFT), p = x.rearrange(WIDE_FROM_RIGHT);
                a0 = m.fma(g0, a0);
                a1 = x.fma(g0, a1);
                a2 = p.fma(g0, a2);
                b0 = m.fma(g1, b0);
                b1 = x.fma(g1, b1);
                b2 = p.fma(g1, b2);
                x = FloatVector.fromArray(WIDE, in, base + r * LANES);
                m = x.rearrange(WIDE_FROM_LEFT);
                p = x.rearrange(WIDE_FROM_RIGHT);
                a3 = m.fma(g0, a3);
                a4 = x.fma(g0, a4);
                a5 = p.fma(g0, a5);
                b3 = m.fma(g1, b3);
                b4 = x.fma(g1, b4);
                b5 = p.fma(g1, b5);
                x = r + 2 >= rows ? wrap : FloatVector.fromArray(WIDE, in, base + (r + 1) * LANES);
                m = x.rearrange(WIDE_FROM_LEFT);
                p = x.rearrange(WIDE_FROM_RIGHT);
                a6 = m.fma(g0, a6);
                a7 = x.fma(g0, a7);
                a8 = p.fma(g0, a8);
                b6 = m.fma(g1, b6);
                b7 = x.fma(g1, b7);
                b8 = p.fma(g1, b8);
            }
        }
        addLaneSums(sums, scratch, (co * cin + ci) * 9, a0, a1, a2, a3, a4, a5, a6, a7, a8);
        addLaneSums(sums, scratch, ((co + 1) * cin + ci) * 9, b0, b1, b2, b3, b4, b5, b6, b7, b8);
    }

    /** Floats of the weight-gradient kernels' scratch: the lanes of nine accumulators (or the wrapped row pair). */
    private static final int SCRATCH = 9 * 16;

    /**
     * sums[t + k] += the lane sum of the k-th of the nine tap accumulators, in float64 from lane 0
     * up, as {@link VectorMath#laneSum} adds. The lanes go through an array: eighteen inlined
     * lane-by-lane sums of 16 lanes took the kernel past C2's inlining node limit.
     */
    private static void addLaneSums(double[] sums, float[] lanes, int t, FloatVector s0, FloatVector s1, FloatVector s2,
                                    FloatVector s3, FloatVector s4, FloatVector s5, FloatVector s6, FloatVector s7, FloatVector s8) {
        int n = s0.length();
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, n);
        s2.intoArray(lanes, 2 * n);
        s3.intoArray(lanes, 3 * n);
        s4.intoArray(lanes, 4 * n);
        s5.intoArray(lanes, 5 * n);
        s6.intoArray(lanes, 6 * n);
        s7.intoArray(lanes, 7 * n);
        s8.intoArray(lanes, 8 * n);
        for (int k = 0; k < 9; k++) sums[t + k] += VectorMath.laneSum(lanes, k * n, n);
    }

    /** Weights (co, ci, ·) over configurations [first, last): nine register sums. */
    private static void weightGradientSingle(ConvKernels.Geometry g, float[] in, float[] gOut, double[] sums, float[] scratch,
                                             int co, int ci, int first, int last) {
        int v = g.plan().sites, length = g.plan().rowLength, rows = v / length, cin = g.inChannels(), cout = g.outChannels();
        FloatVector z = FloatVector.zero(S);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        for (int b = first; b < last; b++) {
            int base = (b * cin + ci) * v, gBase = (b * cout + co) * v;
            for (int r = 0; r < rows; r++) {
                int up = base + inputRow(0, r, rows, length), mid = base + r * length, down = base + inputRow(2, r, rows, length);
                for (int y = 0; y < length; y += LANES) {
                    FloatVector g0 = FloatVector.fromArray(S, gOut, gBase + r * length + y);
                    FloatVector x = FloatVector.fromArray(S, in, up + y);
                    a0 = left(in, up, y, length, x).fma(g0, a0);
                    a1 = x.fma(g0, a1);
                    a2 = right(in, up, y, length, x).fma(g0, a2);
                    x = FloatVector.fromArray(S, in, mid + y);
                    a3 = left(in, mid, y, length, x).fma(g0, a3);
                    a4 = x.fma(g0, a4);
                    a5 = right(in, mid, y, length, x).fma(g0, a5);
                    x = FloatVector.fromArray(S, in, down + y);
                    a6 = left(in, down, y, length, x).fma(g0, a6);
                    a7 = x.fma(g0, a7);
                    a8 = right(in, down, y, length, x).fma(g0, a8);
                }
            }
        }
        addLaneSums(sums, scratch, (co * cin + ci) * 9, a0, a1, a2, a3, a4, a5, a6, a7, a8);
    }
}
