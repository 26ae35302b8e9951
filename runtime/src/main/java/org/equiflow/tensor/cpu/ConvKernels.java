package org.equiflow.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Periodic N-d convolution (cross-correlation, as PyTorch's Conv with circular padding),
 * stride 1, odd kernel, on {@code [B, Cin, sites]} inputs and {@code [Cout, Cin, k^d]} weights.
 *
 * <p>Per configuration the input is first gathered into columns
 * {@code cols[(ci*K + offset)*V + site] = in[ci][neighbour(offset, site)]}; the convolution is
 * then the small matrix product {@code out[Cout x V] = W[Cout x Cin*K] . cols}, whose inner
 * loop runs over contiguous sites and vectorizes. The periodic wrap-around is paid once in the
 * gather instead of in every multiply-add. The batch is split across {@link CpuParallel}.
 *
 * <p>The F32 paths use the Vector API; the F64 paths are plain loops used by gradient checks.
 */
public final class ConvKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

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

    private static final VectorSpecies<Float> ROW_SPECIES = FloatVector.SPECIES_256;

    /**
     * {@code cols[(ci*K + o)*V + s] = in[b][ci][s + displacement(o)]}: each channel is padded
     * periodically once, after which every displaced row is a contiguous copy.
     */
    private static void gather(Geometry g, float[] in, int b, float[] padded, float[] cols) {
        HaloPlan plan = g.plan;
        int v = plan.sites, k = plan.offsets, row = plan.rowLength, rows = v / row;
        int rowVectorEnd = ROW_SPECIES.loopBound(row);
        for (int ci = 0; ci < g.inChannels; ci++) {
            int src = (b * g.inChannels + ci) * v;
            int[] source = plan.paddedSource;
            for (int p = 0; p < padded.length; p++) padded[p] = in[src + source[p]];
            for (int o = 0; o < k; o++) {
                int[] starts = plan.segmentStart[o];
                int dst = (ci * k + o) * v;
                for (int r = 0; r < rows; r++) {
                    int from = starts[r], to = dst + r * row;
                    int y = 0;
                    for (; y < rowVectorEnd; y += ROW_SPECIES.length()) {
                        FloatVector.fromArray(ROW_SPECIES, padded, from + y).intoArray(cols, to + y);
                    }
                    for (; y < row; y++) cols[to + y] = padded[from + y];
                }
            }
        }
    }

    private static void gather(Geometry g, double[] in, int b, double[] padded, double[] cols) {
        HaloPlan plan = g.plan;
        int v = plan.sites, k = plan.offsets, row = plan.rowLength, rows = v / row;
        for (int ci = 0; ci < g.inChannels; ci++) {
            int src = (b * g.inChannels + ci) * v;
            int[] source = plan.paddedSource;
            for (int p = 0; p < padded.length; p++) padded[p] = in[src + source[p]];
            for (int o = 0; o < k; o++) {
                int[] starts = plan.segmentStart[o];
                int dst = (ci * k + o) * v;
                for (int r = 0; r < rows; r++) System.arraycopy(padded, starts[r], cols, dst + r * row, row);
            }
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
        int ck = g.columns();
        double[][] partial = new double[CpuParallel.chunksFor(g.batch)][g.outChannels * ck];
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            float[] cols = new float[ck * g.sites()];
            float[] padded = new float[g.plan.paddedSize];
            double[] acc = partial[chunk];
            for (int b = from; b < to; b++) {
                gather(g, in, b, padded, cols);
                correlateF32(g, gOut, b * g.outChannels * g.sites(), cols, acc);
            }
        });
        for (int i = 0; i < gw.length; i++) {
            double sum = 0.0;
            for (double[] p : partial) sum += p[i];
            gw[i] = (float) sum;
        }
    }

    public static void weightGradient(Geometry g, double[] in, double[] gOut, double[] gw) {
        int ck = g.columns(), v = g.sites();
        double[][] partial = new double[CpuParallel.chunksFor(g.batch)][g.outChannels * ck];
        CpuParallel.forChunks(g.batch, (chunk, from, to) -> {
            double[] cols = new double[ck * v];
            double[] padded = new double[g.plan.paddedSize];
            double[] acc = partial[chunk];
            for (int b = from; b < to; b++) {
                gather(g, in, b, padded, cols);
                int gb = b * g.outChannels * v;
                for (int co = 0; co < g.outChannels; co++) {
                    for (int j = 0; j < ck; j++) {
                        double dot = 0.0;
                        for (int s = 0; s < v; s++) dot += gOut[gb + co * v + s] * cols[j * v + s];
                        acc[co * ck + j] += dot;
                    }
                }
            }
        });
        for (int i = 0; i < gw.length; i++) {
            double sum = 0.0;
            for (double[] p : partial) sum += p[i];
            gw[i] = sum;
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
                acc[co * ck + j] += a0.reduceLanes(VectorOperators.ADD) + dotTail(gOut, g0, cols, j * v, vectorEnd, v);
                acc[(co + 1) * ck + j] += a1.reduceLanes(VectorOperators.ADD) + dotTail(gOut, g1, cols, j * v, vectorEnd, v);
                acc[(co + 2) * ck + j] += a2.reduceLanes(VectorOperators.ADD) + dotTail(gOut, g2, cols, j * v, vectorEnd, v);
                acc[(co + 3) * ck + j] += a3.reduceLanes(VectorOperators.ADD) + dotTail(gOut, g3, cols, j * v, vectorEnd, v);
            }
        }
        for (; co < g.outChannels; co++) {
            int g0 = gBase + co * v;
            for (int j = 0; j < ck; j++) {
                FloatVector a0 = FloatVector.zero(SPECIES);
                for (int s = 0; s < vectorEnd; s += lanes) {
                    a0 = FloatVector.fromArray(SPECIES, cols, j * v + s).fma(FloatVector.fromArray(SPECIES, gOut, g0 + s), a0);
                }
                acc[co * ck + j] += a0.reduceLanes(VectorOperators.ADD) + dotTail(gOut, g0, cols, j * v, vectorEnd, v);
            }
        }
    }

    private static double dotTail(float[] x, int xBase, float[] y, int yBase, int from, int to) {
        double sum = 0.0;
        for (int s = from; s < to; s++) sum += x[xBase + s] * y[yBase + s];
        return sum;
    }
}
