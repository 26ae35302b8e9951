package org.equiflow.tensor.cpu;

import static org.equiflow.tensor.cpu.LaneConvNet.LANES;
import static org.equiflow.tensor.cpu.LaneConvNet.V;

import jdk.incubator.vector.FloatVector;

/**
 * A 3×3 periodic convolution of a {@link LaneConvNet} layer on every site of a 2D lattice with
 * even extents, by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, arXiv:1509.09308):
 * each 2×2 block of output sites takes 16 multiply-adds per pair of channels instead of 36.
 *
 * <p>In one lane group (a configuration per lane): the input's 4×4 patches (the block and its
 * neighbours, read from the padded layout) become V = Bᵀ d B, the weights U = G g Gᵀ (once per kernel
 * and thread); for each of the 16 Winograd points ξ the products over input channels,
 * M[ξ] = U[ξ] · V[ξ], are a small matrix product whose operands stay in the L1 cache; then the
 * block's four outputs are Y = Aᵀ M A, plus the bias, through the activation. Every output is
 * the same correlation as the direct tiles', in another float32 rounding: the point ±1/2 of G
 * makes it at most a few ulps of the largest terms apart (checked by {@code WinogradConvTest}).
 *
 * <p>The backward pass uses it twice: the input gradient is this convolution with the kernel
 * flipped and the channels swapped (as for the direct tiles), and the weight gradient is summed
 * at the Winograd points ({@link #weightGradient}) and carried to the taps once per call.
 *
 * <p>Where it pays: both channel counts at least {@link #MIN_CHANNELS} (transforming the input
 * costs per input channel what the product saves per pair). A conditioner's last layer on a
 * checkerboard's sites stays direct (the blocks would compute twice the sites wanted).
 * {@code -Dequiflow.conditioner.winograd=false} keeps every layer direct, to measure what this buys.
 */
final class WinogradConv {

    private static final boolean ENABLED = !"false".equals(System.getProperty("equiflow.conditioner.winograd"));
    /**
     * Input and output channels from which this is used. At 8 (§B's tutorial width) the layer alone
     * gains about a fifth, but the training step's gain was not resolved in measurement, so the tutorial's
     * conditioners keep the direct tiles and their bits.
     */
    static final int MIN_CHANNELS = 16;
    /** The Winograd points of F(2×2, 3×3): a 4×4 patch. */
    private static final int POINTS = 16;
    /**
     * Blocks transformed, multiplied and transformed back at a time, so that their sixteen points stay
     * in L2: 32 channels × 8 blocks × 16 lanes are 16 KB a point, 256 KB in and 256 KB out on AVX-512
     * (a whole 16 × 16 lattice's 64 blocks were 2 MB each, and its forward pass 10 % slower).
     */
    private static final int CHUNK = 8;
    /**
     * Floats between one Winograd point's plane and the next beyond its size: planes a power of two
     * apart (16 KB for 32 channels × 8 blocks × 16 lanes) fall in the same L1 set, and the transforms,
     * which touch all sixteen at once, then evict their own lines.
     */
    private static final int PLANE_PAD = 2 * LANES;

    private WinogradConv() {
    }

    /** Whether {@code layer} on {@code tiles} of {@code g} is computed here. */
    static boolean applies(LaneConvNet.Layer layer, LaneConvNet.Geometry g, LaneConvNet.Tiles tiles) {
        int[] e = g.extents();
        return ENABLED && tiles == g.allTiles() && e.length == 2 && g.taps() == 9 && e[0] % 2 == 0 && e[1] % 2 == 0
                && layer.inChannels() >= MIN_CHANNELS && layer.outChannels() >= MIN_CHANNELS;
    }

    /**
     * Floats of transformed kernels (with the copies they are found by) that one thread keeps: 8 M, 32 MB. A
     * flow's every Winograd layer, each seen once per coupling and pass, has to fit, or the kernels are
     * transformed again on every call: a U(1) flow of 16 couplings with CNN [32, 32] conditioners has 48
     * (the middle layer, and in the backward pass the flipped middle and last layers), 4.8 MB.
     */
    private static final long KERNEL_CACHE_FLOATS = 8L << 20;

    /**
     * Per-thread buffers, and the transformed weights of the kernels seen last, found again by their
     * values: a conditioner's layers are built afresh for every call on a part of the batch (one
     * block of 16 configurations), from the same weights until the optimizer's next step, and
     * transforming a 32 → 32 kernel costs 70 µs, about half of one lane group's product. A kernel
     * that differs is told apart at its first floats; the one that matches is compared whole (9 216
     * floats, a few microseconds). The oldest kernels are dropped first.
     */
    private static final class Scratch {
        float[] v = new float[0], m = new float[0];
        final java.util.ArrayDeque<Transformed> kernels = new java.util.ArrayDeque<>();
        long cachedFloats;

        record Transformed(int inChannels, int outChannels, float[] kernel, float[] points) {
            long floats() {
                return (long) kernel.length + points.length;
            }
        }

        /** This thread's scratch with room for the points of {@code cin} input and {@code cout} output channels. */
        Scratch sized(int cin, int cout, int blocks) {
            if (v.length < POINTS * plane(cin, blocks)) v = new float[POINTS * plane(cin, blocks)];
            if (m.length < POINTS * plane(cout, blocks)) m = new float[POINTS * plane(cout, blocks)];
            return this;
        }

        float[] weights(LaneConvNet.Layer layer) {
            for (Transformed t : kernels) {
                if (t.inChannels == layer.inChannels() && t.outChannels == layer.outChannels()
                        && java.util.Arrays.equals(t.kernel, layer.weight())) return t.points;
            }
            var added = new Transformed(layer.inChannels(), layer.outChannels(), layer.weight().clone(), transformWeights(layer));
            kernels.addLast(added);
            cachedFloats += added.floats();
            while (cachedFloats > KERNEL_CACHE_FLOATS && kernels.size() > 1) cachedFloats -= kernels.removeFirst().floats();
            return added.points;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code out} = the layer applied to {@code in} (channels × padded sites × lanes, halo filled)
     * at every site, as {@link LaneConvNet#conv} writes it: bias, sum, activation; halo untouched.
     * {@link #CHUNK} blocks at a time (the same sums in the same order as all at once).
     */
    static void conv(float[] in, LaneConvNet.Layer layer, LaneConvNet.Geometry g, float[] out) {
        int cin = layer.inChannels(), cout = layer.outChannels();
        int cols = g.extents()[1] / 2, blocks = g.extents()[0] / 2 * cols, chunk = Math.min(blocks, CHUNK);
        Scratch s = SCRATCH.get().sized(cin, cout, chunk);
        float[] u = s.weights(layer);
        for (int from = 0; from < blocks; from += chunk) {
            int count = Math.min(chunk, blocks - from);
            transformInput(in, cin, g, cols, from, count, s.v);
            for (int xi = 0; xi < POINTS; xi++) multiply(u, s.v, s.m, xi, cin, cout, count);
            transformOutput(s.m, layer, g, cols, from, count, out);
        }
    }

    /** Floats from one Winograd point's plane (channels × blocks × lanes) to the next. */
    private static int plane(int channels, int blocks) {
        return channels * blocks * LANES + PLANE_PAD;
    }

    /**
     * U[ξ][co][ci] = (G g G^T)[ξ] for the 3×3 kernel g of channels co, ci; G's rows (1, 0, 0),
     * (½, ½, ½), (½, −½, ½), (0, 0, 1). In float64, rounded once.
     */
    static float[] transformWeights(LaneConvNet.Layer layer) {
        int cin = layer.inChannels(), cout = layer.outChannels();
        float[] w = layer.weight(), u = new float[POINTS * cout * cin];
        double[] gg = new double[12];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int k = (co * cin + ci) * 9;
                for (int x = 0; x < 3; x++) {
                    double a = w[k + x], b = w[k + 3 + x], c = w[k + 6 + x];
                    gg[x] = a;
                    gg[3 + x] = (a + b + c) / 2;
                    gg[6 + x] = (a - b + c) / 2;
                    gg[9 + x] = c;
                }
                for (int r = 0; r < 4; r++) {
                    double a = gg[3 * r], b = gg[3 * r + 1], c = gg[3 * r + 2];
                    u[((4 * r) * cout + co) * cin + ci] = (float) a;
                    u[((4 * r + 1) * cout + co) * cin + ci] = (float) ((a + b + c) / 2);
                    u[((4 * r + 2) * cout + co) * cin + ci] = (float) ((a - b + c) / 2);
                    u[((4 * r + 3) * cout + co) * cin + ci] = (float) c;
                }
            }
        }
        return u;
    }

    /**
     * V[ξ][ci][block] = (B^T d B)[ξ] for the 4×4 patch d whose corner is the block's first site
     * minus one row and one column; B^T's rows (1, 0, −1, 0), (0, 1, 1, 0), (0, −1, 1, 0), (0, 1, 0, −1).
     */
    private static void transformInput(float[] in, int cin, LaneConvNet.Geometry g, int cols, int from, int count, float[] v) {
        int width = g.extents()[1] + 2, channelSize = g.paddedSites() * LANES;
        int row = width * LANES, point = plane(cin, count);
        for (int ci = 0; ci < cin; ci++) {
            for (int b = from; b < from + count; b++) {
                int br = b / cols, bc = b % cols;
                int p = ci * channelSize + (2 * br * width + 2 * bc) * LANES;
                int o = (ci * count + b - from) * LANES;
                // each patch row times B: r = (d0 − d2, d1 + d2, d2 − d1, d1 − d3)
                FloatVector r00, r01, r02, r03, r10, r11, r12, r13, r20, r21, r22, r23, r30, r31, r32, r33;
                {
                    FloatVector d0 = FloatVector.fromArray(V, in, p), d1 = FloatVector.fromArray(V, in, p + LANES);
                    FloatVector d2 = FloatVector.fromArray(V, in, p + 2 * LANES), d3 = FloatVector.fromArray(V, in, p + 3 * LANES);
                    r00 = d0.sub(d2);
                    r01 = d1.add(d2);
                    r02 = d2.sub(d1);
                    r03 = d1.sub(d3);
                }
                {
                    int q = p + row;
                    FloatVector d0 = FloatVector.fromArray(V, in, q), d1 = FloatVector.fromArray(V, in, q + LANES);
                    FloatVector d2 = FloatVector.fromArray(V, in, q + 2 * LANES), d3 = FloatVector.fromArray(V, in, q + 3 * LANES);
                    r10 = d0.sub(d2);
                    r11 = d1.add(d2);
                    r12 = d2.sub(d1);
                    r13 = d1.sub(d3);
                }
                {
                    int q = p + 2 * row;
                    FloatVector d0 = FloatVector.fromArray(V, in, q), d1 = FloatVector.fromArray(V, in, q + LANES);
                    FloatVector d2 = FloatVector.fromArray(V, in, q + 2 * LANES), d3 = FloatVector.fromArray(V, in, q + 3 * LANES);
                    r20 = d0.sub(d2);
                    r21 = d1.add(d2);
                    r22 = d2.sub(d1);
                    r23 = d1.sub(d3);
                }
                {
                    int q = p + 3 * row;
                    FloatVector d0 = FloatVector.fromArray(V, in, q), d1 = FloatVector.fromArray(V, in, q + LANES);
                    FloatVector d2 = FloatVector.fromArray(V, in, q + 2 * LANES), d3 = FloatVector.fromArray(V, in, q + 3 * LANES);
                    r30 = d0.sub(d2);
                    r31 = d1.add(d2);
                    r32 = d2.sub(d1);
                    r33 = d1.sub(d3);
                }
                // then B^T times the rows: point (i, j) at ξ = 4i + j
                r00.sub(r20).intoArray(v, o);
                r01.sub(r21).intoArray(v, o + point);
                r02.sub(r22).intoArray(v, o + 2 * point);
                r03.sub(r23).intoArray(v, o + 3 * point);
                r10.add(r20).intoArray(v, o + 4 * point);
                r11.add(r21).intoArray(v, o + 5 * point);
                r12.add(r22).intoArray(v, o + 6 * point);
                r13.add(r23).intoArray(v, o + 7 * point);
                r20.sub(r10).intoArray(v, o + 8 * point);
                r21.sub(r11).intoArray(v, o + 9 * point);
                r22.sub(r12).intoArray(v, o + 10 * point);
                r23.sub(r13).intoArray(v, o + 11 * point);
                r10.sub(r30).intoArray(v, o + 12 * point);
                r11.sub(r31).intoArray(v, o + 13 * point);
                r12.sub(r32).intoArray(v, o + 14 * point);
                r13.sub(r33).intoArray(v, o + 15 * point);
            }
        }
    }

    /**
     * M[ξ][co][b] = Σ over ci, in order, of U[ξ][co][ci] · V[ξ][ci][b] for the {@code blocks} in v:
     * register tiles of three output channels × four blocks (sixteen vector registers) or four × four.
     */
    private static void multiply(float[] u, float[] v, float[] m, int xi, int cin, int cout, int blocks) {
        int uBase = xi * cout * cin, vBase = xi * plane(cin, blocks), mBase = xi * plane(cout, blocks);
        int channels = LaneConvNet.SIXTEEN_REGISTERS ? 3 : 4, co = 0;
        for (; co + channels <= cout; co += channels) {
            int b = 0;
            for (; b + 4 <= blocks; b += 4) {
                if (channels == 3) three(u, v, m, uBase + co * cin, vBase + b * LANES, mBase + (co * blocks + b) * LANES, cin, blocks);
                else four(u, v, m, uBase + co * cin, vBase + b * LANES, mBase + (co * blocks + b) * LANES, cin, blocks);
            }
            for (; b < blocks; b++) {
                for (int c = co; c < co + channels; c++) one(u, v, m, uBase + c * cin, vBase + b * LANES, mBase + (c * blocks + b) * LANES, cin, blocks);
            }
        }
        // the channels left: two or one at a time over four blocks (a single sum waits on each multiply-add before the next)
        for (int step = 2; step >= 1; step--) {
            for (; co + step <= cout; co += step) {
                int b = 0;
                for (; b + 4 <= blocks; b += 4) fourBlocks(u, v, m, uBase + co * cin, vBase + b * LANES, mBase + (co * blocks + b) * LANES, cin, blocks, step);
                for (; b < blocks; b++) {
                    for (int c = co; c < co + step; c++) one(u, v, m, uBase + c * cin, vBase + b * LANES, mBase + (c * blocks + b) * LANES, cin, blocks);
                }
            }
        }
    }

    /** One or two output channels × four blocks. */
    private static void fourBlocks(float[] u, float[] v, float[] m, int uo, int vo, int mo, int cin, int blocks, int channels) {
        int stride = blocks * LANES;
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        int second = channels == 2 ? cin : 0;
        for (int ci = 0; ci < cin; ci++) {
            int x = vo + ci * stride;
            FloatVector w0 = FloatVector.broadcast(V, u[uo + ci]), w1 = FloatVector.broadcast(V, u[uo + second + ci]);
            FloatVector d = FloatVector.fromArray(V, v, x);
            a0 = d.fma(w0, a0);
            b0 = d.fma(w1, b0);
            d = FloatVector.fromArray(V, v, x + LANES);
            a1 = d.fma(w0, a1);
            b1 = d.fma(w1, b1);
            d = FloatVector.fromArray(V, v, x + 2 * LANES);
            a2 = d.fma(w0, a2);
            b2 = d.fma(w1, b2);
            d = FloatVector.fromArray(V, v, x + 3 * LANES);
            a3 = d.fma(w0, a3);
            b3 = d.fma(w1, b3);
        }
        LaneConvNet.store4(m, mo, LANES, a0, a1, a2, a3);
        if (channels == 2) LaneConvNet.store4(m, mo + stride, LANES, b0, b1, b2, b3);
    }

    /** Three output channels × four blocks: twelve sums, three weights, one input. */
    private static void three(float[] u, float[] v, float[] m, int uo, int vo, int mo, int cin, int blocks) {
        int stride = blocks * LANES;
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z, c0 = z, c1 = z, c2 = z, c3 = z;
        for (int ci = 0; ci < cin; ci++) {
            int x = vo + ci * stride;
            FloatVector w0 = FloatVector.broadcast(V, u[uo + ci]);
            FloatVector w1 = FloatVector.broadcast(V, u[uo + cin + ci]);
            FloatVector w2 = FloatVector.broadcast(V, u[uo + 2 * cin + ci]);
            FloatVector d = FloatVector.fromArray(V, v, x);
            a0 = d.fma(w0, a0);
            b0 = d.fma(w1, b0);
            c0 = d.fma(w2, c0);
            d = FloatVector.fromArray(V, v, x + LANES);
            a1 = d.fma(w0, a1);
            b1 = d.fma(w1, b1);
            c1 = d.fma(w2, c1);
            d = FloatVector.fromArray(V, v, x + 2 * LANES);
            a2 = d.fma(w0, a2);
            b2 = d.fma(w1, b2);
            c2 = d.fma(w2, c2);
            d = FloatVector.fromArray(V, v, x + 3 * LANES);
            a3 = d.fma(w0, a3);
            b3 = d.fma(w1, b3);
            c3 = d.fma(w2, c3);
        }
        LaneConvNet.store4(m, mo, LANES, a0, a1, a2, a3);
        LaneConvNet.store4(m, mo + stride, LANES, b0, b1, b2, b3);
        LaneConvNet.store4(m, mo + 2 * stride, LANES, c0, c1, c2, c3);
    }

    /** Four output channels × four blocks: sixteen sums (thirty-two vector registers). */
    private static void four(float[] u, float[] v, float[] m, int uo, int vo, int mo, int cin, int blocks) {
        int stride = blocks * LANES;
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
        FloatVector c0 = z, c1 = z, c2 = z, c3 = z, e0 = z, e1 = z, e2 = z, e3 = z;
        for (int ci = 0; ci < cin; ci++) {
            int x = vo + ci * stride;
            FloatVector d0 = FloatVector.fromArray(V, v, x), d1 = FloatVector.fromArray(V, v, x + LANES);
            FloatVector d2 = FloatVector.fromArray(V, v, x + 2 * LANES), d3 = FloatVector.fromArray(V, v, x + 3 * LANES);
            FloatVector w = FloatVector.broadcast(V, u[uo + ci]);
            a0 = d0.fma(w, a0);
            a1 = d1.fma(w, a1);
            a2 = d2.fma(w, a2);
            a3 = d3.fma(w, a3);
            w = FloatVector.broadcast(V, u[uo + cin + ci]);
            b0 = d0.fma(w, b0);
            b1 = d1.fma(w, b1);
            b2 = d2.fma(w, b2);
            b3 = d3.fma(w, b3);
            w = FloatVector.broadcast(V, u[uo + 2 * cin + ci]);
            c0 = d0.fma(w, c0);
            c1 = d1.fma(w, c1);
            c2 = d2.fma(w, c2);
            c3 = d3.fma(w, c3);
            w = FloatVector.broadcast(V, u[uo + 3 * cin + ci]);
            e0 = d0.fma(w, e0);
            e1 = d1.fma(w, e1);
            e2 = d2.fma(w, e2);
            e3 = d3.fma(w, e3);
        }
        LaneConvNet.store4(m, mo, LANES, a0, a1, a2, a3);
        LaneConvNet.store4(m, mo + stride, LANES, b0, b1, b2, b3);
        LaneConvNet.store4(m, mo + 2 * stride, LANES, c0, c1, c2, c3);
        LaneConvNet.store4(m, mo + 3 * stride, LANES, e0, e1, e2, e3);
    }

    /** One output channel, one block: what no tile covers. */
    private static void one(float[] u, float[] v, float[] m, int uo, int vo, int mo, int cin, int blocks) {
        int stride = blocks * LANES;
        FloatVector acc = FloatVector.zero(V);
        for (int ci = 0; ci < cin; ci++) acc = FloatVector.fromArray(V, v, vo + ci * stride).fma(FloatVector.broadcast(V, u[uo + ci]), acc);
        acc.intoArray(m, mo);
    }

    // ---------------------------------------------------------------- weight gradient

    /** Floats of a layer's lane-wise weight-gradient sums at the Winograd points: points × cout × cin × lanes. */
    static int pointPartialSize(LaneConvNet.Layer layer) {
        return POINTS * layer.outChannels() * layer.inChannels() * LANES;
    }

    /**
     * The weight gradient at the Winograd points, lane by lane: {@code partial[((ξ·cout + co)·cin
     * + ci)·lanes …] += Σ over blocks of N[ξ][co][b] · V[ξ][ci][b]}, where V = Bᵀ d B are the
     * layer input's patches (as in the forward pass) and N = A Ĝ Aᵀ each block's pre-activation
     * gradient Ĝ carried back through Aᵀ · A. Since U = G g Gᵀ is linear in g, the kernel's own
     * gradient is Gᵀ · (these sums) · G ({@link #weightsFromPoints}): 16 multiply-adds per block
     * and channel pair instead of 36.
     */
    static void weightGradient(float[] grad, float[] in, LaneConvNet.Layer layer, LaneConvNet.Geometry g, float[] partial) {
        int cin = layer.inChannels(), cout = layer.outChannels();
        int cols = g.extents()[1] / 2, blocks = g.extents()[0] / 2 * cols;
        Scratch s = SCRATCH.get().sized(cin, cout, blocks);
        transformInput(in, cin, g, cols, 0, blocks, s.v);
        transformGradient(grad, cout, g, cols, 0, blocks, s.m);
        for (int xi = 0; xi < POINTS; xi++) accumulate(s.m, s.v, partial, xi, cin, cout, blocks);
    }

    /**
     * N[ξ][co][b] = (A Ĝ Aᵀ)[ξ] for the 2×2 gradient Ĝ of block b (A's rows (1, 0), (1, 1),
     * (1, −1), (0, −1)): each row (x, y) of A Ĝ becomes (x, x + y, x − y, −y).
     */
    private static void transformGradient(float[] grad, int cout, LaneConvNet.Geometry g, int cols, int from, int count, float[] n) {
        int width = g.extents()[1] + 2, channelSize = g.paddedSites() * LANES;
        int row = width * LANES, point = plane(cout, count);
        for (int co = 0; co < cout; co++) {
            for (int b = from; b < from + count; b++) {
                int br = b / cols, bc = b % cols;
                int p = co * channelSize + ((2 * br + 1) * width + 2 * bc + 1) * LANES;
                int o = (co * count + b - from) * LANES;
                FloatVector g00 = FloatVector.fromArray(V, grad, p), g01 = FloatVector.fromArray(V, grad, p + LANES);
                FloatVector g10 = FloatVector.fromArray(V, grad, p + row), g11 = FloatVector.fromArray(V, grad, p + row + LANES);
                // A Ĝ: rows (g00, g01), (g00 + g10, g01 + g11), (g00 − g10, g01 − g11), (−g10, −g11)
                FloatVector x1 = g00.add(g10), y1 = g01.add(g11), x2 = g00.sub(g10), y2 = g01.sub(g11);
                rowTimesAT(g00, g01, n, o, point);
                rowTimesAT(x1, y1, n, o + 4 * point, point);
                rowTimesAT(x2, y2, n, o + 8 * point, point);
                rowTimesAT(g10.neg(), g11.neg(), n, o + 12 * point, point);
            }
        }
    }

    /** The row (x, y) times Aᵀ: (x, x + y, x − y, −y) at points o, o + point, … */
    private static void rowTimesAT(FloatVector x, FloatVector y, float[] n, int o, int point) {
        x.intoArray(n, o);
        x.add(y).intoArray(n, o + point);
        x.sub(y).intoArray(n, o + 2 * point);
        y.neg().intoArray(n, o + 3 * point);
    }

    /**
     * partial[ξ][co][ci] += Σ over blocks of N[ξ][co][b] · V[ξ][ci][b], lane-wise: tiles of three
     * output × four input channels (twelve sums, three gradients, one input), blocks in order.
     */
    private static void accumulate(float[] n, float[] v, float[] partial, int xi, int cin, int cout, int blocks) {
        int nBase = xi * plane(cout, blocks), vBase = xi * plane(cin, blocks), pBase = xi * cout * cin;
        int co = 0;
        for (; co + 3 <= cout; co += 3) {
            int ci = 0;
            for (; ci + 4 <= cin; ci += 4) {
                threeByFour(n, v, partial, nBase + co * blocks * LANES, vBase + ci * blocks * LANES, pBase + co * cin + ci, cin, blocks);
            }
            for (; ci < cin; ci++) {
                for (int c = co; c < co + 3; c++) single(n, v, partial, nBase + c * blocks * LANES, vBase + ci * blocks * LANES, pBase + c * cin + ci, blocks);
            }
        }
        for (; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) single(n, v, partial, nBase + co * blocks * LANES, vBase + ci * blocks * LANES, pBase + co * cin + ci, blocks);
        }
    }

    private static void threeByFour(float[] n, float[] v, float[] partial, int no, int vo, int po, int cin, int blocks) {
        int stride = blocks * LANES;
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z, c0 = z, c1 = z, c2 = z, c3 = z;
        for (int b = 0; b < stride; b += LANES) {
            FloatVector na = FloatVector.fromArray(V, n, no + b);
            FloatVector nb = FloatVector.fromArray(V, n, no + stride + b);
            FloatVector nc = FloatVector.fromArray(V, n, no + 2 * stride + b);
            FloatVector d = FloatVector.fromArray(V, v, vo + b);
            a0 = d.fma(na, a0);
            b0 = d.fma(nb, b0);
            c0 = d.fma(nc, c0);
            d = FloatVector.fromArray(V, v, vo + stride + b);
            a1 = d.fma(na, a1);
            b1 = d.fma(nb, b1);
            c1 = d.fma(nc, c1);
            d = FloatVector.fromArray(V, v, vo + 2 * stride + b);
            a2 = d.fma(na, a2);
            b2 = d.fma(nb, b2);
            c2 = d.fma(nc, c2);
            d = FloatVector.fromArray(V, v, vo + 3 * stride + b);
            a3 = d.fma(na, a3);
            b3 = d.fma(nb, b3);
            c3 = d.fma(nc, c3);
        }
        addFour(partial, po, a0, a1, a2, a3);
        addFour(partial, po + cin, b0, b1, b2, b3);
        addFour(partial, po + 2 * cin, c0, c1, c2, c3);
    }

    /**
     * The partial sums of weights w … w + 3 (four input channels of one output channel) += s0 … s3:
     * {@link LaneConvNetGradient#addInto}'s addition, written out in this hot tile (four calls of it were not
     * measured faster, and one timing of them on a loaded machine was much slower).
     */
    private static void addFour(float[] partial, int w, FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3) {
        int o = w * LANES;
        FloatVector.fromArray(V, partial, o).add(s0).intoArray(partial, o);
        FloatVector.fromArray(V, partial, o + LANES).add(s1).intoArray(partial, o + LANES);
        FloatVector.fromArray(V, partial, o + 2 * LANES).add(s2).intoArray(partial, o + 2 * LANES);
        FloatVector.fromArray(V, partial, o + 3 * LANES).add(s3).intoArray(partial, o + 3 * LANES);
    }

    private static void single(float[] n, float[] v, float[] partial, int no, int vo, int po, int blocks) {
        FloatVector acc = FloatVector.zero(V);
        for (int b = 0; b < blocks * LANES; b += LANES) acc = FloatVector.fromArray(V, v, vo + b).fma(FloatVector.fromArray(V, n, no + b), acc);
        LaneConvNetGradient.addInto(partial, po, acc);
    }

    /**
     * The kernel's gradient [cout, cin, 3, 3] from {@link #weightGradient}'s lane-wise sums: each
     * point's lanes added in float64 ({@link LaneConvNetGradient#foldedSum}), then Gᵀ · dU · G (Gᵀ's rows (1, ½, ½, 0),
     * (0, ½, −½, 0), (0, ½, ½, 1)) in float64, rounded once.
     */
    static float[] weightsFromPoints(float[] partial, LaneConvNet.Layer layer) {
        int cin = layer.inChannels(), cout = layer.outChannels();
        float[] w = new float[cout * cin * 9];
        double[] du = new double[POINTS], half = new double[12], halves = LaneConvNetGradient.HALVES.get();
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int xi = 0; xi < POINTS; xi++) du[xi] = LaneConvNetGradient.foldedSum(partial, ((xi * cout + co) * cin + ci) * LANES, halves);
                // Gᵀ dU: rows u0 + (u1 + u2)/2, (u1 − u2)/2, (u1 + u2)/2 + u3 of dU's rows u_r
                for (int j = 0; j < 4; j++) {
                    double u0 = du[j], u1 = du[4 + j], u2 = du[8 + j], u3 = du[12 + j];
                    half[j] = u0 + (u1 + u2) / 2;
                    half[4 + j] = (u1 - u2) / 2;
                    half[8 + j] = (u1 + u2) / 2 + u3;
                }
                // then each row (a, b, c, d) times G: (a + (b + c)/2, (b − c)/2, (b + c)/2 + d)
                int k = (co * cin + ci) * 9;
                for (int r = 0; r < 3; r++) {
                    double a = half[4 * r], b = half[4 * r + 1], c = half[4 * r + 2], d = half[4 * r + 3];
                    w[k + 3 * r] = (float) (a + (b + c) / 2);
                    w[k + 3 * r + 1] = (float) ((b - c) / 2);
                    w[k + 3 * r + 2] = (float) ((b + c) / 2 + d);
                }
            }
        }
        return w;
    }

    /**
     * Each block's four outputs Y = A^T M A (A^T's rows (1, 1, 1, 0), (0, 1, −1, −1)), plus the
     * bias, through the activation, into the padded layout.
     */
    private static void transformOutput(float[] m, LaneConvNet.Layer layer, LaneConvNet.Geometry g, int cols, int from, int count, float[] out) {
        int cout = layer.outChannels(), width = g.extents()[1] + 2, channelSize = g.paddedSites() * LANES;
        int point = plane(cout, count), row = width * LANES;
        float slope = layer.slope();
        boolean leaky = layer.activation() == LaneConvNet.Kind.LEAKY_RELU && slope >= 0 && slope <= 1;
        for (int co = 0; co < cout; co++) {
            FloatVector bias = FloatVector.broadcast(V, layer.bias() == null ? 0f : layer.bias()[co]);
            for (int b = from; b < from + count; b++) {
                int br = b / cols, bc = b % cols;
                int o = (co * count + b - from) * LANES;
                // A^T times each column of M: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3
                FloatVector s00, s01, s02, s03, s10, s11, s12, s13;
                {
                    FloatVector m0 = FloatVector.fromArray(V, m, o), m1 = FloatVector.fromArray(V, m, o + 4 * point);
                    FloatVector m2 = FloatVector.fromArray(V, m, o + 8 * point), m3 = FloatVector.fromArray(V, m, o + 12 * point);
                    s00 = m0.add(m1).add(m2);
                    s10 = m1.sub(m2).sub(m3);
                }
                {
                    FloatVector m0 = FloatVector.fromArray(V, m, o + point), m1 = FloatVector.fromArray(V, m, o + 5 * point);
                    FloatVector m2 = FloatVector.fromArray(V, m, o + 9 * point), m3 = FloatVector.fromArray(V, m, o + 13 * point);
                    s01 = m0.add(m1).add(m2);
                    s11 = m1.sub(m2).sub(m3);
                }
                {
                    FloatVector m0 = FloatVector.fromArray(V, m, o + 2 * point), m1 = FloatVector.fromArray(V, m, o + 6 * point);
                    FloatVector m2 = FloatVector.fromArray(V, m, o + 10 * point), m3 = FloatVector.fromArray(V, m, o + 14 * point);
                    s02 = m0.add(m1).add(m2);
                    s12 = m1.sub(m2).sub(m3);
                }
                {
                    FloatVector m0 = FloatVector.fromArray(V, m, o + 3 * point), m1 = FloatVector.fromArray(V, m, o + 7 * point);
                    FloatVector m2 = FloatVector.fromArray(V, m, o + 11 * point), m3 = FloatVector.fromArray(V, m, o + 15 * point);
                    s03 = m0.add(m1).add(m2);
                    s13 = m1.sub(m2).sub(m3);
                }
                // then each row times A, into sites (2br + a, 2bc + b), padded by one
                int p = co * channelSize + ((2 * br + 1) * width + 2 * bc + 1) * LANES;
                FloatVector y00 = s00.add(s01).add(s02).add(bias), y01 = s01.sub(s02).sub(s03).add(bias);
                FloatVector y10 = s10.add(s11).add(s12).add(bias), y11 = s11.sub(s12).sub(s13).add(bias);
                if (leaky) {
                    // activateTile's max(x, slope·x), written here: a call per vector cost more than the maximum
                    y00 = y00.max(y00.mul(slope));
                    y01 = y01.max(y01.mul(slope));
                    y10 = y10.max(y10.mul(slope));
                    y11 = y11.max(y11.mul(slope));
                }
                y00.intoArray(out, p);
                y01.intoArray(out, p + LANES);
                y10.intoArray(out, p + row);
                y11.intoArray(out, p + row + LANES);
                if (!leaky) {
                    LaneConvNet.activateAt(out, p, layer);
                    LaneConvNet.activateAt(out, p + LANES, layer);
                    LaneConvNet.activateAt(out, p + row, layer);
                    LaneConvNet.activateAt(out, p + row + LANES, layer);
                }
            }
        }
    }
}
