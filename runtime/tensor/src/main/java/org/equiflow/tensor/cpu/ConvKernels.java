package org.equiflow.tensor.cpu;

import java.util.function.IntConsumer;
import java.util.function.IntFunction;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Periodic N-d convolution (cross-correlation, as PyTorch's Conv with circular padding),
 * stride 1, odd kernel, on {@code [B, Cin, sites]} inputs and {@code [Cout, Cin, k^d]} weights.
 * The batch is split across {@link CpuParallel}.
 *
 * <p>Each input channel of a configuration is first copied into a block with a periodic halo
 * ({@link HaloPlan}); every displaced lattice row is then a contiguous run of that block, so
 * the wrap-around is paid once per channel rather than in every multiply-add. Two paths:
 * <ul>
 *   <li><b>rows of whole vectors</b> (float32, fastest lattice extent a multiple of 8: L = 8,
 *       16, 32): forward and weight gradient read the displaced rows straight from the padded
 *       block with 8-lane vectors, several output channels and rows per step;</li>
 *   <li><b>column matrix</b> (any other extent, and all float64): displaced rows are copied
 *       into {@code cols[(ci*K + offset)*V + site]} and the convolution is the product
 *       {@code out[Cout x V] = W[Cout x Cin*K] . cols}.</li>
 * </ul>
 * The float64 paths are plain loops; they exist for gradient checks and as the reference the
 * float32 kernels are tested against. Two-dimensional 3×3 convolutions with rows of whole
 * vectors and an even row count (the flows' L × L lattices) skip the padded copy altogether:
 * {@link DirectConv2D}.
 */
public final class ConvKernels {

    /** Vectors over a whole configuration's sites (column-matrix path). */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Vectors along one lattice row: 8 lanes, the shortest row the lattices here have. */
    private static final VectorSpecies<Float> ROW_SPECIES = FloatVector.SPECIES_256;

    /** The fixed sizes of one convolution. */
    public record Geometry(int batch, int inChannels, int outChannels, HaloPlan plan) {
        int columns() {
            return inChannels * plan.offsets;
        }

        int sites() {
            return plan.sites;
        }
    }

    private ConvKernels() {
    }

    // ---------------------------------------------------------------- forward

    /** {@code out[b][co] = bias[co] + sum_{ci,o} w[co][ci][o] in[b][ci][nbr(o)]}; bias may be null. */
    public static void forward(Geometry g, float[] in, float[] w, float[] bias, float[] out) {
        if (DirectConv2D.handlesForward(g.plan)) {
            DirectConv2D.forward(g, in, w, bias, out);
            return;
        }
        if (g.plan.rowLength % ROW_SPECIES.length() == 0) {
            CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
                float[] padded = new float[g.inChannels * g.plan.paddedSize];
                for (int b = from; b < to; b++) {
                    for (int ci = 0; ci < g.inChannels; ci++) {
                        padChannel(g.plan, in, (b * g.inChannels + ci) * g.sites(), padded, ci * g.plan.paddedSize);
                    }
                    convolveRowsF32(g, padded, w, bias, out, b * g.outChannels * g.sites());
                }
            });
            return;
        }
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            float[] cols = new float[g.columns() * g.sites()];
            float[] padded = new float[g.plan.paddedSize];
            for (int b = from; b < to; b++) {
                gather(g, in, b, padded, cols);
                multiplyF32(g, w, bias, cols, out, b * g.outChannels * g.sites());
            }
        });
    }

    public static void forward(Geometry g, double[] in, double[] w, double[] bias, double[] out) {
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            double[] cols = new double[g.columns() * g.sites()];
            double[] padded = new double[g.plan.paddedSize];
            int ck = g.columns(), v = g.sites();
            for (int b = from; b < to; b++) {
                gather(g, in, b, padded, cols);
                int ob = b * g.outChannels * v;
                for (int co = 0; co < g.outChannels; co++) {
                    double start = bias == null ? 0.0 : bias[co];
                    for (int s = 0; s < v; s++) out[ob + co * v + s] = start;
                    for (int j = 0; j < ck; j++) {
                        double wj = w[co * ck + j];
                        for (int s = 0; s < v; s++) out[ob + co * v + s] += wj * cols[j * v + s];
                    }
                }
            }
        });
    }

    /**
     * {@code cols[(ci*K + o)*V + s] = in[b][ci][s + displacement(o)]}: each channel is padded
     * periodically once ({@code padChannel}, given the channel's offset in the input), after
     * which every displaced row is a contiguous copy. One loop for both precisions: the arrays
     * are float[] or double[] alike, and System.arraycopy copies either.
     */
    private static void gather(Geometry g, int b, Object padded, Object cols, IntConsumer padChannel) {
        HaloPlan plan = g.plan;
        int v = plan.sites, k = plan.offsets, row = plan.rowLength, rows = v / row;
        for (int ci = 0; ci < g.inChannels; ci++) {
            padChannel.accept((b * g.inChannels + ci) * v);
            for (int o = 0; o < k; o++) {
                int[] starts = plan.segmentStart[o];
                int dst = (ci * k + o) * v;
                for (int r = 0; r < rows; r++) System.arraycopy(padded, starts[r], cols, dst + r * row, row);
            }
        }
    }

    private static void gather(Geometry g, float[] in, int b, float[] padded, float[] cols) {
        gather(g, b, padded, cols, src -> padChannel(g.plan, in, src, padded, 0));
    }

    private static void gather(Geometry g, double[] in, int b, double[] padded, double[] cols) {
        int[] source = g.plan.paddedSource;
        gather(g, b, padded, cols, src -> { for (int p = 0; p < padded.length; p++) padded[p] = in[src + source[p]]; });
    }

    /** Copies one channel into its periodically padded block, a row at a time. */
    private static void padChannel(HaloPlan plan, float[] in, int src, float[] padded, int paddedBase) {
        int row = plan.rowLength, radius = plan.radius, paddedRow = row + 2 * radius;
        int rowVectorEnd = ROW_SPECIES.loopBound(row);
        int[] rowSource = plan.paddedRowSource;
        for (int pr = 0; pr < rowSource.length; pr++) {
            int from = src + rowSource[pr], to = paddedBase + pr * paddedRow;
            if (radius <= row) {
                for (int h = 0; h < radius; h++) {
                    padded[to + h] = in[from + row - radius + h];
                    padded[to + radius + row + h] = in[from + h];
                }
            } else {
                // A kernel wider than the lattice wraps more than once.
                for (int h = 0; h < radius; h++) {
                    padded[to + h] = in[from + Math.floorMod(h - radius, row)];
                    padded[to + radius + row + h] = in[from + h % row];
                }
            }
            int y = 0;
            for (; y < rowVectorEnd; y += ROW_SPECIES.length()) {
                FloatVector.fromArray(ROW_SPECIES, in, from + y).intoArray(padded, to + radius + y);
            }
            for (; y < row; y++) padded[to + radius + y] = in[from + y];
        }
    }

    /**
     * The forward convolution read straight from the padded channels, for rows that are a whole
     * number of {@link #ROW_SPECIES} vectors (L = 8, 16, 32, ...). Each step loads one
     * displaced segment of two neighbouring rows and four weights and does eight fused
     * multiply-adds, so no column matrix is written or read.
     */
    private static void convolveRowsF32(Geometry g, float[] padded, float[] w, float[] bias, float[] out, int outBase) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, ck = g.columns(), row = plan.rowLength, rows = plan.sites / row;
        int paddedSize = plan.paddedSize, lanes = ROW_SPECIES.length(), v = plan.sites;
        int[] starts = plan.rowSegmentStart;
        int co = 0;
        for (; co + 4 <= g.outChannels; co += 4) {
            int w0 = co * ck, w1 = w0 + ck, w2 = w1 + ck, w3 = w2 + ck;
            FloatVector b0 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co));
            FloatVector b1 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co + 1));
            FloatVector b2 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co + 2));
            FloatVector b3 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co + 3));
            int r = 0;
            for (; r + 2 <= rows; r += 2) {
                int sa = r * k, sb = sa + k;
                for (int y = 0; y < row; y += lanes) {
                    FloatVector a0 = b0, a1 = b1, a2 = b2, a3 = b3, c0 = b0, c1 = b1, c2 = b2, c3 = b3;
                    for (int ci = 0; ci < g.inChannels; ci++) {
                        int base = ci * paddedSize + y, wj = ci * k;
                        for (int o = 0; o < k; o++, wj++) {
                            FloatVector x = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sa + o]);
                            FloatVector z = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sb + o]);
                            FloatVector f0 = FloatVector.broadcast(ROW_SPECIES, w[w0 + wj]);
                            FloatVector f1 = FloatVector.broadcast(ROW_SPECIES, w[w1 + wj]);
                            FloatVector f2 = FloatVector.broadcast(ROW_SPECIES, w[w2 + wj]);
                            FloatVector f3 = FloatVector.broadcast(ROW_SPECIES, w[w3 + wj]);
                            a0 = x.fma(f0, a0);
                            a1 = x.fma(f1, a1);
                            a2 = x.fma(f2, a2);
                            a3 = x.fma(f3, a3);
                            c0 = z.fma(f0, c0);
                            c1 = z.fma(f1, c1);
                            c2 = z.fma(f2, c2);
                            c3 = z.fma(f3, c3);
                        }
                    }
                    int o0 = outBase + co * v + r * row + y;
                    a0.intoArray(out, o0);
                    a1.intoArray(out, o0 + v);
                    a2.intoArray(out, o0 + 2 * v);
                    a3.intoArray(out, o0 + 3 * v);
                    c0.intoArray(out, o0 + row);
                    c1.intoArray(out, o0 + row + v);
                    c2.intoArray(out, o0 + row + 2 * v);
                    c3.intoArray(out, o0 + row + 3 * v);
                }
            }
            for (; r < rows; r++) {
                for (int c = co; c < co + 4; c++) convolveRowSingleF32(g, padded, w, bias, out, outBase, c, r);
            }
        }
        // Two output channels left (a coupling's scale and shift): block them together, so each
        // load feeds two fused multiply-adds instead of one.
        for (; co + 2 <= g.outChannels; co += 2) {
            int r = 0;
            for (; r + 2 <= rows; r += 2) convolveRowPairTwoChannelsF32(g, padded, w, bias, out, outBase, co, r);
            for (; r < rows; r++) {
                convolveRowSingleF32(g, padded, w, bias, out, outBase, co, r);
                convolveRowSingleF32(g, padded, w, bias, out, outBase, co + 1, r);
            }
        }
        for (; co < g.outChannels; co++) {
            int r = 0;
            for (; r + 2 <= rows; r += 2) convolveRowPairF32(g, padded, w, bias, out, outBase, co, r);
            for (; r < rows; r++) convolveRowSingleF32(g, padded, w, bias, out, outBase, co, r);
        }
    }

    /** Output channels co and co+1 on rows r and r+1: two loads and two broadcasts per four multiply-adds. */
    private static void convolveRowPairTwoChannelsF32(Geometry g, float[] padded, float[] w, float[] bias, float[] out,
                                                      int outBase, int co, int r) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, row = plan.rowLength, ck = g.columns(), v = plan.sites;
        int[] starts = plan.rowSegmentStart;
        int sa = r * k, sb = sa + k, w0 = co * ck, w1 = w0 + ck;
        FloatVector b0 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co));
        FloatVector b1 = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co + 1));
        for (int y = 0; y < row; y += ROW_SPECIES.length()) {
            FloatVector a0 = b0, a1 = b1, c0 = b0, c1 = b1;
            for (int ci = 0; ci < g.inChannels; ci++) {
                int base = ci * plan.paddedSize + y, wj = ci * k;
                for (int o = 0; o < k; o++, wj++) {
                    FloatVector x = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sa + o]);
                    FloatVector z = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sb + o]);
                    FloatVector f0 = FloatVector.broadcast(ROW_SPECIES, w[w0 + wj]);
                    FloatVector f1 = FloatVector.broadcast(ROW_SPECIES, w[w1 + wj]);
                    a0 = x.fma(f0, a0);
                    a1 = x.fma(f1, a1);
                    c0 = z.fma(f0, c0);
                    c1 = z.fma(f1, c1);
                }
            }
            int o0 = outBase + co * v + r * row + y;
            a0.intoArray(out, o0);
            a1.intoArray(out, o0 + v);
            c0.intoArray(out, o0 + row);
            c1.intoArray(out, o0 + row + v);
        }
    }

    /** One output channel on rows r and r+1: two loads and a broadcast per two multiply-adds. */
    private static void convolveRowPairF32(Geometry g, float[] padded, float[] w, float[] bias, float[] out,
                                           int outBase, int co, int r) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, row = plan.rowLength;
        int[] starts = plan.rowSegmentStart;
        int sa = r * k, sb = sa + k;
        for (int y = 0; y < row; y += ROW_SPECIES.length()) {
            FloatVector a = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co)), c = a;
            for (int ci = 0; ci < g.inChannels; ci++) {
                int base = ci * plan.paddedSize + y, wj = co * g.columns() + ci * k;
                for (int o = 0; o < k; o++) {
                    FloatVector f = FloatVector.broadcast(ROW_SPECIES, w[wj + o]);
                    a = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sa + o]).fma(f, a);
                    c = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[sb + o]).fma(f, c);
                }
            }
            int o0 = outBase + co * plan.sites + r * row + y;
            a.intoArray(out, o0);
            c.intoArray(out, o0 + row);
        }
    }

    private static void convolveRowSingleF32(Geometry g, float[] padded, float[] w, float[] bias, float[] out,
                                             int outBase, int co, int r) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, row = plan.rowLength;
        int[] starts = plan.rowSegmentStart;
        for (int y = 0; y < row; y += ROW_SPECIES.length()) {
            FloatVector a = FloatVector.broadcast(ROW_SPECIES, biasOf(bias, co));
            for (int ci = 0; ci < g.inChannels; ci++) {
                int base = ci * plan.paddedSize + y, wj = co * g.columns() + ci * k;
                for (int o = 0; o < k; o++) {
                    a = FloatVector.fromArray(ROW_SPECIES, padded, base + starts[r * k + o])
                            .fma(FloatVector.broadcast(ROW_SPECIES, w[wj + o]), a);
                }
            }
            a.intoArray(out, outBase + co * plan.sites + r * row + y);
        }
    }

    /**
     * {@code out[co][s] = bias[co] + sum_j w[co][j] cols[j][s]}. Four output channels share each
     * column load, so the loop does one load per four fused multiply-adds.
     */
    private static void multiplyF32(Geometry g, float[] w, float[] bias, float[] cols, float[] out, int outBase) {
        int ck = g.columns(), v = g.sites(), lanes = SPECIES.length();
        int vectorEnd = SPECIES.loopBound(v);
        int co = 0;
        for (; co + 4 <= g.outChannels; co += 4) {
            int w0 = co * ck, w1 = w0 + ck, w2 = w1 + ck, w3 = w2 + ck;
            float b0 = biasOf(bias, co), b1 = biasOf(bias, co + 1), b2 = biasOf(bias, co + 2), b3 = biasOf(bias, co + 3);
            for (int s = 0; s < vectorEnd; s += lanes) {
                FloatVector a0 = FloatVector.broadcast(SPECIES, b0), a1 = FloatVector.broadcast(SPECIES, b1);
                FloatVector a2 = FloatVector.broadcast(SPECIES, b2), a3 = FloatVector.broadcast(SPECIES, b3);
                for (int j = 0; j < ck; j++) {
                    FloatVector x = FloatVector.fromArray(SPECIES, cols, j * v + s);
                    a0 = x.fma(FloatVector.broadcast(SPECIES, w[w0 + j]), a0);
                    a1 = x.fma(FloatVector.broadcast(SPECIES, w[w1 + j]), a1);
                    a2 = x.fma(FloatVector.broadcast(SPECIES, w[w2 + j]), a2);
                    a3 = x.fma(FloatVector.broadcast(SPECIES, w[w3 + j]), a3);
                }
                int o = outBase + co * v + s;
                a0.intoArray(out, o);
                a1.intoArray(out, o + v);
                a2.intoArray(out, o + 2 * v);
                a3.intoArray(out, o + 3 * v);
            }
            for (int c = co; c < co + 4; c++) multiplyTailF32(w, bias, cols, out, outBase, c, ck, v, vectorEnd);
        }
        for (; co < g.outChannels; co++) {
            int w0 = co * ck;
            float b0 = biasOf(bias, co);
            for (int s = 0; s < vectorEnd; s += lanes) {
                FloatVector a0 = FloatVector.broadcast(SPECIES, b0);
                for (int j = 0; j < ck; j++) {
                    a0 = FloatVector.fromArray(SPECIES, cols, j * v + s).fma(FloatVector.broadcast(SPECIES, w[w0 + j]), a0);
                }
                a0.intoArray(out, outBase + co * v + s);
            }
            multiplyTailF32(w, bias, cols, out, outBase, co, ck, v, vectorEnd);
        }
    }

    private static void multiplyTailF32(float[] w, float[] bias, float[] cols, float[] out, int outBase,
                                        int co, int ck, int v, int from) {
        for (int s = from; s < v; s++) {
            float acc = biasOf(bias, co);
            for (int j = 0; j < ck; j++) acc = Math.fma(w[co * ck + j], cols[j * v + s], acc);
            out[outBase + co * v + s] = acc;
        }
    }

    private static float biasOf(float[] bias, int co) {
        return bias == null ? 0f : bias[co];
    }

    // ---------------------------------------------------------------- weight gradient

    /**
     * {@code gw[co][ci][o] = sum_{b,s} gOut[b][co][s] in[b][ci][nbr(o, s)]}: the gradient of a
     * convolution with respect to its weight. Each worker sums its configurations into its own
     * buffer (in double) and the buffers are added at the end.
     */
    public static void weightGradient(Geometry g, float[] in, float[] gOut, float[] gw) {
        if (DirectConv2D.handles(g.plan)) {
            DirectConv2D.weightGradient(g, in, gOut, gw);
            return;
        }
        if (g.plan.rowLength % ROW_SPECIES.length() == 0) {
            weightGradientByRows(g, in, gOut, gw);
            return;
        }
        double[] sums = weightGradientByColumns(g, float[]::new, (b, padded, cols) -> gather(g, in, b, padded, cols),
                (b, cols, acc) -> correlateF32(g, gOut, b * g.outChannels * g.sites(), cols, acc));
        for (int i = 0; i < gw.length; i++) gw[i] = (float) sums[i];
    }

    /** Gathers configuration b's column matrix, with a scratch block for the padded channel. */
    private interface ColumnGather<A> {
        void gather(int b, A padded, A cols);
    }

    /** Adds configuration b's correlation of the output gradient with its column matrix into acc. */
    private interface ColumnCorrelation<A> {
        void add(int b, A cols, double[] acc);
    }

    /**
     * The weight gradient through column matrices, for both precisions: each worker sums its
     * configurations into its own buffer (in double), and the buffers are added in worker order
     * at the end. {@code A} is float[] or double[]; the correlation decides the arithmetic.
     */
    private static <A> double[] weightGradientByColumns(Geometry g, IntFunction<A> arrays, ColumnGather<A> gather,
                                                        ColumnCorrelation<A> correlation) {
        int weights = g.outChannels * g.columns();
        double[][] partial = new double[CpuParallel.chunksFor(g.batch)][weights];
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            A cols = arrays.apply(g.columns() * g.sites());
            A padded = arrays.apply(g.plan.paddedSize);
            for (int b = from; b < to; b++) {
                gather.gather(b, padded, cols);
                correlation.add(b, cols, partial[chunk]);
            }
        });
        double[] sums = new double[weights];
        for (int i = 0; i < weights; i++) {
            double sum = 0.0;
            for (double[] p : partial) sum += p[i];
            sums[i] = sum;
        }
        return sums;
    }

    /** Configurations padded together by {@link #weightGradientByRows}, so inner loops run long. */
    private static final int WEIGHT_GRADIENT_GROUP = 16;

    /**
     * The weight gradient read straight from padded channels (rows a whole number of vectors).
     * A block of four output channels by three kernel offsets keeps twelve vector partial sums
     * in registers over a group of configurations: seven loads feed twelve fused multiply-adds.
     * Each worker keeps one vector of partial sums per weight and reduces lanes at the end.
     */
    private static void weightGradientByRows(Geometry g, float[] in, float[] gOut, float[] gw) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, ck = g.columns(), v = plan.sites;
        int lanes = ROW_SPECIES.length(), weights = g.outChannels * ck;
        float[][] partial = new float[CpuParallel.chunksFor(g.batch)][];
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            float[] laneSums = new float[weights * lanes];
            int perConfig = g.inChannels * plan.paddedSize;
            float[] padded = new float[WEIGHT_GRADIENT_GROUP * perConfig];
            for (int first = from; first < to; first += WEIGHT_GRADIENT_GROUP) {
                int count = Math.min(WEIGHT_GRADIENT_GROUP, to - first);
                for (int i = 0; i < count; i++) {
                    for (int ci = 0; ci < g.inChannels; ci++) {
                        padChannel(plan, in, ((first + i) * g.inChannels + ci) * v, padded, i * perConfig + ci * plan.paddedSize);
                    }
                }
                int co = 0;
                for (; co + 4 <= g.outChannels; co += 4) {
                    for (int ci = 0; ci < g.inChannels; ci++) {
                        int o = 0;
                        for (; o + 3 <= k; o += 3) correlateBlockF32(g, padded, gOut, laneSums, first, count, co, ci, o);
                        for (; o < k; o++) {
                            for (int c = co; c < co + 4; c++) correlateSingleF32(g, padded, gOut, laneSums, first, count, c, ci, o);
                        }
                    }
                }
                for (; co < g.outChannels; co++) {
                    for (int ci = 0; ci < g.inChannels; ci++) {
                        int o = 0;
                        for (; o + 3 <= k; o += 3) correlateTripleF32(g, padded, gOut, laneSums, first, count, co, ci, o);
                        for (; o < k; o++) correlateSingleF32(g, padded, gOut, laneSums, first, count, co, ci, o);
                    }
                }
            }
            partial[chunk] = laneSums;
        });
        for (int i = 0; i < weights; i++) {
            double sum = 0.0;
            for (float[] laneSums : partial) {
                for (int l = 0; l < lanes; l++) sum += laneSums[i * lanes + l];
            }
            gw[i] = (float) sum;
        }
    }

    /** Partial sums of weights (co..co+3, ci, o..o+2) over configurations first..first+count-1. */
    private static void correlateBlockF32(Geometry g, float[] padded, float[] gOut, float[] laneSums,
                                          int first, int count, int co, int ci, int o) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, ck = g.columns(), row = plan.rowLength, rows = plan.sites / row, v = plan.sites;
        int lanes = ROW_SPECIES.length(), perConfig = g.inChannels * plan.paddedSize;
        int[] starts = plan.rowSegmentStart;
        int j = ci * k + o;
        int l00 = (co * ck + j) * lanes, step = ck * lanes;
        FloatVector a00 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00);
        FloatVector a01 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + lanes);
        FloatVector a02 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 2 * lanes);
        FloatVector a10 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + step);
        FloatVector a11 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + step + lanes);
        FloatVector a12 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + step + 2 * lanes);
        FloatVector a20 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 2 * step);
        FloatVector a21 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 2 * step + lanes);
        FloatVector a22 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 2 * step + 2 * lanes);
        FloatVector a30 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 3 * step);
        FloatVector a31 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 3 * step + lanes);
        FloatVector a32 = FloatVector.fromArray(ROW_SPECIES, laneSums, l00 + 3 * step + 2 * lanes);
        for (int i = 0; i < count; i++) {
            int base = i * perConfig + ci * plan.paddedSize;
            int g0 = ((first + i) * g.outChannels + co) * v;
            for (int r = 0; r < rows; r++) {
                int s0 = base + starts[r * k + o], s1 = base + starts[r * k + o + 1], s2 = base + starts[r * k + o + 2];
                int site = g0 + r * row;
                for (int y = 0; y < row; y += lanes) {
                    FloatVector x0 = FloatVector.fromArray(ROW_SPECIES, padded, s0 + y);
                    FloatVector x1 = FloatVector.fromArray(ROW_SPECIES, padded, s1 + y);
                    FloatVector x2 = FloatVector.fromArray(ROW_SPECIES, padded, s2 + y);
                    FloatVector d = FloatVector.fromArray(ROW_SPECIES, gOut, site + y);
                    a00 = x0.fma(d, a00);
                    a01 = x1.fma(d, a01);
                    a02 = x2.fma(d, a02);
                    d = FloatVector.fromArray(ROW_SPECIES, gOut, site + v + y);
                    a10 = x0.fma(d, a10);
                    a11 = x1.fma(d, a11);
                    a12 = x2.fma(d, a12);
                    d = FloatVector.fromArray(ROW_SPECIES, gOut, site + 2 * v + y);
                    a20 = x0.fma(d, a20);
                    a21 = x1.fma(d, a21);
                    a22 = x2.fma(d, a22);
                    d = FloatVector.fromArray(ROW_SPECIES, gOut, site + 3 * v + y);
                    a30 = x0.fma(d, a30);
                    a31 = x1.fma(d, a31);
                    a32 = x2.fma(d, a32);
                }
            }
        }
        a00.intoArray(laneSums, l00);
        a01.intoArray(laneSums, l00 + lanes);
        a02.intoArray(laneSums, l00 + 2 * lanes);
        a10.intoArray(laneSums, l00 + step);
        a11.intoArray(laneSums, l00 + step + lanes);
        a12.intoArray(laneSums, l00 + step + 2 * lanes);
        a20.intoArray(laneSums, l00 + 2 * step);
        a21.intoArray(laneSums, l00 + 2 * step + lanes);
        a22.intoArray(laneSums, l00 + 2 * step + 2 * lanes);
        a30.intoArray(laneSums, l00 + 3 * step);
        a31.intoArray(laneSums, l00 + 3 * step + lanes);
        a32.intoArray(laneSums, l00 + 3 * step + 2 * lanes);
    }

    /** Partial sums of weights (co, ci, o..o+2): three loads and one load of g per three multiply-adds. */
    private static void correlateTripleF32(Geometry g, float[] padded, float[] gOut, float[] laneSums,
                                           int first, int count, int co, int ci, int o) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, ck = g.columns(), row = plan.rowLength, rows = plan.sites / row, v = plan.sites;
        int lanes = ROW_SPECIES.length(), perConfig = g.inChannels * plan.paddedSize;
        int[] starts = plan.rowSegmentStart;
        int l0 = (co * ck + ci * k + o) * lanes;
        FloatVector a0 = FloatVector.fromArray(ROW_SPECIES, laneSums, l0);
        FloatVector a1 = FloatVector.fromArray(ROW_SPECIES, laneSums, l0 + lanes);
        FloatVector a2 = FloatVector.fromArray(ROW_SPECIES, laneSums, l0 + 2 * lanes);
        for (int i = 0; i < count; i++) {
            int base = i * perConfig + ci * plan.paddedSize;
            int g0 = ((first + i) * g.outChannels + co) * v;
            for (int r = 0; r < rows; r++) {
                int s0 = base + starts[r * k + o], s1 = base + starts[r * k + o + 1], s2 = base + starts[r * k + o + 2];
                int site = g0 + r * row;
                for (int y = 0; y < row; y += lanes) {
                    FloatVector d = FloatVector.fromArray(ROW_SPECIES, gOut, site + y);
                    a0 = FloatVector.fromArray(ROW_SPECIES, padded, s0 + y).fma(d, a0);
                    a1 = FloatVector.fromArray(ROW_SPECIES, padded, s1 + y).fma(d, a1);
                    a2 = FloatVector.fromArray(ROW_SPECIES, padded, s2 + y).fma(d, a2);
                }
            }
        }
        a0.intoArray(laneSums, l0);
        a1.intoArray(laneSums, l0 + lanes);
        a2.intoArray(laneSums, l0 + 2 * lanes);
    }

    private static void correlateSingleF32(Geometry g, float[] padded, float[] gOut, float[] laneSums,
                                           int first, int count, int co, int ci, int o) {
        HaloPlan plan = g.plan;
        int k = plan.offsets, ck = g.columns(), row = plan.rowLength, rows = plan.sites / row, v = plan.sites;
        int lanes = ROW_SPECIES.length(), perConfig = g.inChannels * plan.paddedSize;
        int[] starts = plan.rowSegmentStart;
        int l0 = (co * ck + ci * k + o) * lanes;
        FloatVector a = FloatVector.fromArray(ROW_SPECIES, laneSums, l0);
        for (int i = 0; i < count; i++) {
            int base = i * perConfig + ci * plan.paddedSize;
            int g0 = ((first + i) * g.outChannels + co) * v;
            for (int r = 0; r < rows; r++) {
                int segment = base + starts[r * k + o], site = g0 + r * row;
                for (int y = 0; y < row; y += lanes) {
                    a = FloatVector.fromArray(ROW_SPECIES, padded, segment + y)
                            .fma(FloatVector.fromArray(ROW_SPECIES, gOut, site + y), a);
                }
            }
        }
        a.intoArray(laneSums, l0);
    }

    public static void weightGradient(Geometry g, double[] in, double[] gOut, double[] gw) {
        double[] sums = weightGradientByColumns(g, double[]::new, (b, padded, cols) -> gather(g, in, b, padded, cols),
                (b, cols, acc) -> correlateF64(g, gOut, b * g.outChannels * g.sites(), cols, acc));
        System.arraycopy(sums, 0, gw, 0, gw.length);
    }

    private static void correlateF64(Geometry g, double[] gOut, int gBase, double[] cols, double[] acc) {
        int ck = g.columns(), v = g.sites();
        for (int co = 0; co < g.outChannels; co++) {
            for (int j = 0; j < ck; j++) {
                double dot = 0.0;
                for (int s = 0; s < v; s++) dot += gOut[gBase + co * v + s] * cols[j * v + s];
                acc[co * ck + j] += dot;
            }
        }
    }

    private static void correlateF32(Geometry g, float[] gOut, int gBase, float[] cols, double[] acc) {
        int ck = g.columns(), v = g.sites(), lanes = SPECIES.length();
        int vectorEnd = SPECIES.loopBound(v);
        int co = 0;
        for (; co + 4 <= g.outChannels; co += 4) {
            int g0 = gBase + co * v, g1 = g0 + v, g2 = g1 + v, g3 = g2 + v;
            for (int j = 0; j < ck; j++) {
                FloatVector a0 = FloatVector.zero(SPECIES), a1 = a0, a2 = a0, a3 = a0;
                for (int s = 0; s < vectorEnd; s += lanes) {
                    FloatVector x = FloatVector.fromArray(SPECIES, cols, j * v + s);
                    a0 = x.fma(FloatVector.fromArray(SPECIES, gOut, g0 + s), a0);
                    a1 = x.fma(FloatVector.fromArray(SPECIES, gOut, g1 + s), a1);
                    a2 = x.fma(FloatVector.fromArray(SPECIES, gOut, g2 + s), a2);
                    a3 = x.fma(FloatVector.fromArray(SPECIES, gOut, g3 + s), a3);
                }
                acc[co * ck + j] += VectorMath.laneSum(a0) + dotTail(gOut, g0, cols, j * v, vectorEnd, v);
                acc[(co + 1) * ck + j] += VectorMath.laneSum(a1) + dotTail(gOut, g1, cols, j * v, vectorEnd, v);
                acc[(co + 2) * ck + j] += VectorMath.laneSum(a2) + dotTail(gOut, g2, cols, j * v, vectorEnd, v);
                acc[(co + 3) * ck + j] += VectorMath.laneSum(a3) + dotTail(gOut, g3, cols, j * v, vectorEnd, v);
            }
        }
        for (; co < g.outChannels; co++) {
            int g0 = gBase + co * v;
            for (int j = 0; j < ck; j++) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                for (int s = 0; s < vectorEnd; s += lanes) {
                    a0 = FloatVector.fromArray(SPECIES, cols, j * v + s).fma(FloatVector.fromArray(SPECIES, gOut, g0 + s), a0);
                }
                acc[co * ck + j] += VectorMath.laneSum(a0) + dotTail(gOut, g0, cols, j * v, vectorEnd, v);
            }
        }
    }

    private static double dotTail(float[] x, int xBase, float[] y, int yBase, int from, int to) {
        double sum = 0.0;
        for (int s = from; s < to; s++) sum += x[xBase + s] * y[yBase + s];
        return sum;
    }
}
