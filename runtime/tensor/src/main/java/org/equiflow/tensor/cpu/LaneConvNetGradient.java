package org.equiflow.tensor.cpu;

import static org.equiflow.tensor.cpu.LaneConvNet.LANES;
import static org.equiflow.tensor.cpu.LaneConvNet.V;

import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gradient of a {@link LaneConvNet} network, in the same layout: each lane group's
 * activations are copied from what the forward pass kept, or recomputed, then the output gradient
 * runs back layer by layer — times the activation's derivative, into the bias and weight
 * gradients, and through the convolution with its kernel flipped and its channels swapped (the
 * same tile kernels as the forward pass) into the layer's input.
 *
 * <p>Sums over sites and configurations, in an order fixed by the shape (so the result does not
 * depend on threads): a bias gradient in float32 vectors over runs of at most {@link #RUN} sites
 * of one lane group, then in float64 lane by lane; a weight gradient in float32 vectors over
 * such runs, the runs and lane groups added lane-wise in float32, and the lanes in float64 at
 * the end, by halves ({@link #foldedSum}). A layer that {@link WinogradConv} computes on every site has its weight gradient
 * from there: its sums at the sixteen Winograd points, kept the same way, turned into the
 * kernel's nine taps in float64 at the end.
 */
public final class LaneConvNetGradient {

    /** Sites summed in float32 registers before a gradient's partial sum is emptied. */
    static final int RUN = 64;
    /** {@code -Dequiflow.conditioner.neighbourPairs=false} keeps the weight gradient's one-site tiles, to measure what the pairs buy. */
    private static final boolean NEIGHBOUR_PAIRS = !"false".equals(System.getProperty("equiflow.conditioner.neighbourPairs"));

    /** Gradients of a network's operands: the input's (null when not wanted) and each layer's weight and bias (null without bias). */
    public record Gradients(float[] input, List<float[]> weights, List<float[]> biases) {
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[0][]);

    /**
     * Each layer's lane-wise weight-gradient sums (weights × lanes, or Winograd points × channel
     * pairs × lanes where {@link WinogradConv} computes them), kept per thread: tens of KB a call otherwise.
     */
    private static final class Partials {
        private float[][] arrays = new float[0][];

        float[][] zeroed(List<LaneConvNet.Layer> layers, boolean[] atPoints) {
            if (arrays.length < layers.size()) arrays = java.util.Arrays.copyOf(arrays, layers.size());
            for (int l = 0; l < layers.size(); l++) {
                int size = atPoints[l] ? WinogradConv.pointPartialSize(layers.get(l)) : layers.get(l).weight().length * LANES;
                if (arrays[l] == null || arrays[l].length != size) arrays[l] = new float[size];
                else java.util.Arrays.fill(arrays[l], 0f);
            }
            return arrays;
        }
    }

    private static final ThreadLocal<Partials> PARTIALS = ThreadLocal.withInitial(Partials::new);

    private LaneConvNetGradient() {
    }

    /**
     * The gradients, for {@code in [batch, cin_0, sites]} and the gradient {@code outGrad
     * [batch, cout_last, sites]} of {@link LaneConvNet#forward}'s result (which is 0 off the
     * plan's sites, so its gradient there is ignored).
     */
    public static Gradients backward(float[] in, int batch, LaneConvNet.Plan plan, List<LaneConvNet.Layer> layers,
                                     float[] outGrad, boolean inputGradient) {
        return backward(in, batch, plan, layers, outGrad, inputGradient, null);
    }

    /**
     * {@link #backward(float[], int, LaneConvNet.Plan, List, float[], boolean)} from the layer
     * outputs a {@link LaneConvNet#forward(float[], int, LaneConvNet.Plan, List, float[], float[])
     * forward pass kept} (null: recomputed), which are the same numbers, so the gradients are the
     * same bits either way.
     */
    public static Gradients backward(float[] in, int batch, LaneConvNet.Plan plan, List<LaneConvNet.Layer> layers,
                                     float[] outGrad, boolean inputGradient, float[][] kept) {
        LaneConvNet.Geometry g = plan.geometry;
        int n = layers.size(), channelSize = g.paddedSites() * LANES;
        // activations[0] the input, activations[l + 1] layer l's output; two gradient buffers
        float[][] buffers = scratch(n + 3, LaneConvNet.bufferSize(plan, layers));
        float[][] activations = java.util.Arrays.copyOf(buffers, n + 1);
        float[] grad = buffers[n + 1], other = buffers[n + 2];
        // weight gradients as float32 lane-wise partial sums (weights × lanes), added in float64 at the end
        boolean[] atPoints = new boolean[n];
        for (int l = 0; l < n; l++) atPoints[l] = WinogradConv.applies(layers.get(l), g, l == n - 1 ? plan.lastTiles : g.allTiles());
        float[][] weightLanes = PARTIALS.get().zeroed(layers, atPoints);
        double[][] biasSums = new double[n][];
        LaneConvNet.Layer[] flipped = new LaneConvNet.Layer[n];
        for (int l = 0; l < n; l++) {
            LaneConvNet.Layer layer = layers.get(l);
            biasSums[l] = layer.bias() == null ? null : new double[layer.outChannels()];
            flipped[l] = transposed(layer, g.taps());
        }
        int cin0 = layers.getFirst().inChannels(), coutLast = layers.getLast().outChannels();
        float[] inputGrad = inputGradient ? new float[in.length] : null;
        float[] lanes = new float[LANES];
        for (int first = 0; first < batch; first += LANES) {
            int count = Math.min(LANES, batch - first);
            if (kept == null) {
                LaneConvNet.throughLayers(in, first, count, plan, layers, activations);
            } else {
                // the input in this layout (its halo read by the first layer's weight gradient), the layers' outputs as kept
                LaneConvNet.inputInLanes(in, first, count, plan, layers, activations[0]);
                System.arraycopy(kept, first / LANES * n, activations, 1, n);
            }
            LaneConvNet.toLanes(outGrad, first, count, coutLast, g, other);
            for (int l = n - 1; l >= 0; l--) {
                LaneConvNet.Layer layer = layers.get(l);
                LaneConvNet.Tiles tiles = l == n - 1 ? plan.lastTiles : g.allTiles();
                // the pre-activation gradient: 0 off the layer's sites; the halo is refreshed before it is read
                if (tiles != g.allTiles()) java.util.Arrays.fill(grad, 0, layer.outChannels() * channelSize, 0f);
                preActivation(other, activations[l + 1], layer, g, tiles, grad);
                if (biasSums[l] != null) biasGradient(grad, layer.outChannels(), g, tiles, biasSums[l], lanes);
                if (atPoints[l]) WinogradConv.weightGradient(grad, activations[l], layer, g, weightLanes[l]);
                else weightGradient(grad, activations[l], layer, g, tiles, weightLanes[l]);
                if (l > 0 || inputGradient) {
                    g.fillHalo(grad, layer.outChannels());
                    LaneConvNet.conv(grad, flipped[l], g, g.allTiles(), other);
                }
            }
            if (inputGradient) LaneConvNet.fromLanes(other, first, count, cin0, g, inputGrad);
        }
        var weights = new java.util.ArrayList<float[]>(n);
        var biases = new java.util.ArrayList<float[]>(n);
        for (int l = 0; l < n; l++) {
            weights.add(atPoints[l] ? WinogradConv.weightsFromPoints(weightLanes[l], layers.get(l)) : laneSums(weightLanes[l]));
            biases.add(biasSums[l] == null ? null : narrowed(biasSums[l]));
        }
        return new Gradients(inputGrad, weights, biases);
    }

    private static float[][] scratch(int count, int size) {
        float[][] buffers = SCRATCH.get();
        if (buffers.length < count || buffers[0].length < size) {
            buffers = new float[count][size];
            SCRATCH.set(buffers);
        }
        return buffers;
    }

    /** Each weight's lanes added in float64 ({@link #foldedSum}), then rounded to float32. */
    private static float[] laneSums(float[] lanes) {
        float[] f = new float[lanes.length / LANES];
        double[] halves = HALVES.get();
        for (int w = 0; w < f.length; w++) f[w] = (float) foldedSum(lanes, w * LANES, halves);
        return f;
    }

    /**
     * {@link #foldedSum}'s scratch, per thread. Not allocated by the caller: C2 then tries to keep the
     * small array in registers, which the vector store into it defeats, and the sums run at half the speed.
     */
    static final ThreadLocal<double[]> HALVES = ThreadLocal.withInitial(() -> new double[LANES / 2]);

    /** Half a lane group's floats, and float64 vectors of as many lanes. */
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(V.vectorBitSize() / 2));
    private static final VectorSpecies<Double> HALF_IN_DOUBLES = VectorSpecies.of(double.class, V.vectorShape());

    /**
     * The sum of one lane group's floats {@code lanes[from .. from + LANES)} in float64, by halves:
     * lane j plus lane j + LANES/2, then those halved again, to one. A fixed order, so the same bits
     * before and after C2 compiles it (unlike {@code reduceLanes}), and a chain four additions long
     * instead of sixteen: a conditioner's gradient, called on one lane group at a time on AVX-512,
     * reduces every weight's lanes (16 384 sums for a 32 → 32 layer at the Winograd points) once per call.
     * {@code halves}: scratch of LANES / 2 doubles ({@link #HALVES}).
     */
    static double foldedSum(float[] lanes, int from, double[] halves) {
        ((DoubleVector) FloatVector.fromArray(HALF, lanes, from).convertShape(VectorOperators.F2D, HALF_IN_DOUBLES, 0))
                .add((DoubleVector) FloatVector.fromArray(HALF, lanes, from + LANES / 2).convertShape(VectorOperators.F2D, HALF_IN_DOUBLES, 0))
                .intoArray(halves, 0);
        double[] h = halves;
        // the halving written out for AVX-512 and AVX2 (the loop below, through memory, is twice as slow)
        if (LANES == 16) return ((h[0] + h[4]) + (h[2] + h[6])) + ((h[1] + h[5]) + (h[3] + h[7]));
        if (LANES == 8) return (h[0] + h[2]) + (h[1] + h[3]);
        for (int n = LANES / 2; n > 1; n /= 2) {
            for (int j = 0; j < n / 2; j++) h[j] += h[j + n / 2];
        }
        return h[0];
    }

    private static float[] narrowed(double[] sums) {
        float[] f = new float[sums.length];
        for (int i = 0; i < sums.length; i++) f[i] = (float) sums[i];
        return f;
    }

    /**
     * The layer that carries an output gradient back to the input: weight [cin, cout, taps]
     * with every axis of the kernel reversed (reversing the row-major tap index reverses each
     * axis of an odd kernel), no bias, no activation.
     */
    private static LaneConvNet.Layer transposed(LaneConvNet.Layer layer, int taps) {
        int cin = layer.inChannels(), cout = layer.outChannels();
        float[] w = layer.weight(), t = new float[w.length];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int tap = 0; tap < taps; tap++) t[(ci * cout + co) * taps + tap] = w[(co * cin + ci) * taps + (taps - 1 - tap)];
            }
        }
        return new LaneConvNet.Layer(cout, cin, t, null, LaneConvNet.Kind.IDENTITY, 0f);
    }

    /** grad = outGrad · act'(y) at the tiles' sites, with the derivative from the output y as {@code Activation} takes it. */
    private static void preActivation(float[] outGrad, float[] y, LaneConvNet.Layer layer, LaneConvNet.Geometry g,
                                      LaneConvNet.Tiles tiles, float[] grad) {
        int channelSize = g.paddedSites() * LANES;
        float slope = layer.slope();
        if (tiles == g.allTiles()) {
            // every site: the whole buffer in one run, the halo's values unused
            for (int o = 0; o < layer.outChannels() * channelSize; o += LANES) derivativeAt(outGrad, y, grad, o, layer.activation(), slope);
            return;
        }
        for (int c = 0; c < layer.outChannels(); c++) {
            int base = c * channelSize;
            for (int i = 0; i < tiles.anchor().length; i++) {
                for (int q = 0; q < 4; q++) {
                    int o = base + tiles.anchor()[i] + q * tiles.step()[i];
                    derivativeAt(outGrad, y, grad, o, layer.activation(), slope);
                }
            }
            for (int p : tiles.singles()) derivativeAt(outGrad, y, grad, base + p, layer.activation(), slope);
        }
    }

    /**
     * grad[o …] = outGrad · act'(y) for one vector of lanes. Floats in, not vectors: where C2 compiled this on its own
     * instead of inlining it, vectors passed in were boxed and the blend ran as library code.
     */
    private static void derivativeAt(float[] outGrad, float[] y, float[] grad, int o, LaneConvNet.Kind kind, float slope) {
        FloatVector gv = FloatVector.fromArray(V, outGrad, o), yv = FloatVector.fromArray(V, y, o);
        FloatVector one = FloatVector.broadcast(V, 1f);
        FloatVector d = switch (kind) {
            case IDENTITY -> one;
            case LEAKY_RELU -> one.blend(FloatVector.broadcast(V, slope), yv.compare(VectorOperators.LE, 0f));
            case TANH -> one.sub(yv.mul(yv));
        };
        gv.mul(d).intoArray(grad, o);
    }

    /** bias[co] += Σ over the tiles' sites and the lanes of grad[co]. */
    private static void biasGradient(float[] grad, int cout, LaneConvNet.Geometry g, LaneConvNet.Tiles tiles, double[] sums, float[] lanes) {
        int channelSize = g.paddedSites() * LANES;
        for (int c = 0; c < cout; c++) {
            int base = c * channelSize;
            FloatVector acc = FloatVector.zero(V);
            for (int i = 0; i < tiles.anchor().length; i++) {
                for (int q = 0; q < 4; q++) acc = acc.add(FloatVector.fromArray(V, grad, base + tiles.anchor()[i] + q * tiles.step()[i]));
                if ((i + 1) % (RUN / 4) == 0) {
                    acc.intoArray(lanes, 0);
                    addLaneSum(sums, c, lanes);
                    acc = FloatVector.zero(V);
                }
            }
            for (int p : tiles.singles()) acc = acc.add(FloatVector.fromArray(V, grad, base + p));
            acc.intoArray(lanes, 0);
            addLaneSum(sums, c, lanes);
        }
    }

    /**
     * sums[index] += the sum of {@code lanes} in float64, lane 0 first. The caller stores its vector into {@code lanes}:
     * a helper that took the vector would box it wherever C2 compiled the helper on its own.
     */
    private static void addLaneSum(double[] sums, int index, float[] lanes) {
        sums[index] += VectorMath.laneSum(lanes, 0, LANES);
    }

    /**
     * w[co][ci][tap] += Σ over the tiles' sites s of grad[co][s] · in[ci][s + tap offset], lane by
     * lane into {@code partial} (weights × lanes), in runs of at most {@link #RUN} sites: output
     * channel pairs × the nine taps of a 3×3 kernel, or one output channel × four or one taps.
     */
    private static void weightGradient(float[] grad, float[] in, LaneConvNet.Layer layer, LaneConvNet.Geometry g,
                                       LaneConvNet.Tiles tiles, float[] partial) {
        weightGradient(grad, in, layer, g, tiles, partial, NEIGHBOUR_PAIRS, LaneConvNet.SIXTEEN_REGISTERS);
    }

    /**
     * {@link #weightGradient(float[], float[], LaneConvNet.Layer, LaneConvNet.Geometry, LaneConvNet.Tiles, float[])}, with the
     * neighbour-pair tiles where they apply or never, and those tiles one output channel at a time (for sixteen vector
     * registers) or two: the same bits every way.
     */
    static void weightGradient(float[] grad, float[] in, LaneConvNet.Layer layer, LaneConvNet.Geometry g,
                               LaneConvNet.Tiles tiles, float[] partial, boolean neighbourPairs, boolean sixteenRegisters) {
        int cin = layer.inChannels(), cout = layer.outChannels(), taps = g.taps(), channelSize = g.paddedSites() * LANES;
        int[] sites = tiles.sites();
        float[] stage = new float[18 * LANES];
        boolean neighbours = neighbourPairs && taps == 9 && inNeighbourPairs(sites, g);
        for (int from = 0; from < sites.length; from += RUN) {
            int to = Math.min(sites.length, from + RUN), co = 0;
            if (neighbours && sixteenRegisters) {
                for (; co < cout; co++) {
                    for (int ci = 0; ci < cin; ci++) {
                        oneNineTapsNeighbours(grad, in, co * channelSize, ci * channelSize, g, sites, from, to, partial,
                                (co * cin + ci) * taps);
                    }
                }
            }
            if (taps == 9) {
                for (; co + 2 <= cout; co += 2) {
                    for (int ci = 0; ci < cin; ci++) {
                        if (neighbours) {
                            pairNineTapsNeighbours(grad, in, co * channelSize, ci * channelSize, channelSize, g, sites, from, to, partial,
                                    (co * cin + ci) * taps, ((co + 1) * cin + ci) * taps, stage);
                        } else {
                            pairNineTaps(grad, in, co * channelSize, ci * channelSize, channelSize, g, sites, from, to, partial,
                                    (co * cin + ci) * taps, ((co + 1) * cin + ci) * taps, stage);
                        }
                    }
                }
            }
            for (; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    int t = 0;
                    for (; t + 4 <= taps; t += 4) fourTaps(grad, in, co * channelSize, ci * channelSize, g, sites, from, to, t, partial, (co * cin + ci) * taps + t);
                    for (; t < taps; t++) oneTap(grad, in, co * channelSize, ci * channelSize, g, sites, from, to, t, partial, (co * cin + ci) * taps + t);
                }
            }
        }
    }

    /**
     * Whether the sites come in pairs of row neighbours (site 2i + 1 one lane vector after site
     * 2i, as in the tiles of every site) and the 3×3 kernel's taps run along rows (tap 3r + 1 one
     * vector after tap 3r): then each pair's nine input vectors of one site and nine of the next
     * overlap in six, and {@link #pairNineTapsNeighbours} loads twelve instead of eighteen.
     */
    static boolean inNeighbourPairs(int[] sites, LaneConvNet.Geometry g) {
        if (sites.length % 2 != 0 || RUN % 2 != 0) return false;
        for (int i = 0; i < sites.length; i += 2) if (sites[i + 1] != sites[i] + LANES) return false;
        int[] off = g.tapOffset();
        for (int r = 0; r < 3; r++) {
            if (off[3 * r + 1] != off[3 * r] + LANES || off[3 * r + 2] != off[3 * r] + 2 * LANES) return false;
        }
        return true;
    }

    /**
     * {@link #pairNineTaps} for sites in neighbour pairs ({@link #inNeighbourPairs}): per pair and
     * kernel row, the four input vectors at columns −1 … +2 serve both sites' three taps. Every
     * sum adds the same products in the same order (site 2i, then 2i + 1), so the same bits.
     */
    private static void pairNineTapsNeighbours(float[] grad, float[] in, int gBase, int xBase, int channelSize, LaneConvNet.Geometry g,
                                               int[] sites, int from, int to, float[] partial, int wa, int wb, float[] stage) {
        int[] off = g.tapOffset();
        int r0 = off[0], r1 = off[3], r2 = off[6];
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z;
        for (int i = from; i < to; i += 2) {
            int s = sites[i];
            FloatVector ga = FloatVector.fromArray(V, grad, gBase + s), gb = FloatVector.fromArray(V, grad, gBase + channelSize + s);
            FloatVector ha = FloatVector.fromArray(V, grad, gBase + s + LANES), hb = FloatVector.fromArray(V, grad, gBase + channelSize + s + LANES);
            int x = xBase + s + r0;
            FloatVector m = FloatVector.fromArray(V, in, x), c = FloatVector.fromArray(V, in, x + LANES);
            FloatVector p = FloatVector.fromArray(V, in, x + 2 * LANES), q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a0 = c.fma(ha, m.fma(ga, a0));
            b0 = c.fma(hb, m.fma(gb, b0));
            a1 = p.fma(ha, c.fma(ga, a1));
            b1 = p.fma(hb, c.fma(gb, b1));
            a2 = q.fma(ha, p.fma(ga, a2));
            b2 = q.fma(hb, p.fma(gb, b2));
            x = xBase + s + r1;
            m = FloatVector.fromArray(V, in, x);
            c = FloatVector.fromArray(V, in, x + LANES);
            p = FloatVector.fromArray(V, in, x + 2 * LANES);
            q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a3 = c.fma(ha, m.fma(ga, a3));
            b3 = c.fma(hb, m.fma(gb, b3));
            a4 = p.fma(ha, c.fma(ga, a4));
            b4 = p.fma(hb, c.fma(gb, b4));
            a5 = q.fma(ha, p.fma(ga, a5));
            b5 = q.fma(hb, p.fma(gb, b5));
            x = xBase + s + r2;
            m = FloatVector.fromArray(V, in, x);
            c = FloatVector.fromArray(V, in, x + LANES);
            p = FloatVector.fromArray(V, in, x + 2 * LANES);
            q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a6 = c.fma(ha, m.fma(ga, a6));
            b6 = c.fma(hb, m.fma(gb, b6));
            a7 = p.fma(ha, c.fma(ga, a7));
            b7 = p.fma(hb, c.fma(gb, b7));
            a8 = q.fma(ha, p.fma(ga, a8));
            b8 = q.fma(hb, p.fma(gb, b8));
        }
        a0.intoArray(stage, 0);
        a1.intoArray(stage, LANES);
        a2.intoArray(stage, 2 * LANES);
        a3.intoArray(stage, 3 * LANES);
        a4.intoArray(stage, 4 * LANES);
        a5.intoArray(stage, 5 * LANES);
        a6.intoArray(stage, 6 * LANES);
        a7.intoArray(stage, 7 * LANES);
        a8.intoArray(stage, 8 * LANES);
        b0.intoArray(stage, 9 * LANES);
        b1.intoArray(stage, 10 * LANES);
        b2.intoArray(stage, 11 * LANES);
        b3.intoArray(stage, 12 * LANES);
        b4.intoArray(stage, 13 * LANES);
        b5.intoArray(stage, 14 * LANES);
        b6.intoArray(stage, 15 * LANES);
        b7.intoArray(stage, 16 * LANES);
        b8.intoArray(stage, 17 * LANES);
        addStaged(stage, partial, wa, wb);
    }

    /**
     * {@link #pairNineTapsNeighbours} for one output channel, for sixteen vector registers
     * (AVX2): nine sums, two gradients and four inputs fit, where the pair's eighteen sums, four
     * gradients and four inputs spill. Each sum adds the same products in the same order.
     */
    private static void oneNineTapsNeighbours(float[] grad, float[] in, int gBase, int xBase, LaneConvNet.Geometry g,
                                              int[] sites, int from, int to, float[] partial, int wa) {
        int[] off = g.tapOffset();
        int r0 = off[0], r1 = off[3], r2 = off[6];
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        for (int i = from; i < to; i += 2) {
            int s = sites[i];
            FloatVector ga = FloatVector.fromArray(V, grad, gBase + s), ha = FloatVector.fromArray(V, grad, gBase + s + LANES);
            int x = xBase + s + r0;
            FloatVector m = FloatVector.fromArray(V, in, x), c = FloatVector.fromArray(V, in, x + LANES);
            FloatVector p = FloatVector.fromArray(V, in, x + 2 * LANES), q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a0 = c.fma(ha, m.fma(ga, a0));
            a1 = p.fma(ha, c.fma(ga, a1));
            a2 = q.fma(ha, p.fma(ga, a2));
            x = xBase + s + r1;
            m = FloatVector.fromArray(V, in, x);
            c = FloatVector.fromArray(V, in, x + LANES);
            p = FloatVector.fromArray(V, in, x + 2 * LANES);
            q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a3 = c.fma(ha, m.fma(ga, a3));
            a4 = p.fma(ha, c.fma(ga, a4));
            a5 = q.fma(ha, p.fma(ga, a5));
            x = xBase + s + r2;
            m = FloatVector.fromArray(V, in, x);
            c = FloatVector.fromArray(V, in, x + LANES);
            p = FloatVector.fromArray(V, in, x + 2 * LANES);
            q = FloatVector.fromArray(V, in, x + 3 * LANES);
            a6 = c.fma(ha, m.fma(ga, a6));
            a7 = p.fma(ha, c.fma(ga, a7));
            a8 = q.fma(ha, p.fma(ga, a8));
        }
        addInto(partial, wa, a0);
        addInto(partial, wa + 1, a1);
        addInto(partial, wa + 2, a2);
        addInto(partial, wa + 3, a3);
        addInto(partial, wa + 4, a4);
        addInto(partial, wa + 5, a5);
        addInto(partial, wa + 6, a6);
        addInto(partial, wa + 7, a7);
        addInto(partial, wa + 8, a8);
    }

    /** The eighteen sums a nine-tap pair tile staged (channel a's nine taps, then b's) added into its weights' partial sums at wa and wb. */
    private static void addStaged(float[] stage, float[] partial, int wa, int wb) {
        for (int k = 0; k < 9; k++) {
            addInto(partial, wa + k, FloatVector.fromArray(V, stage, k * LANES));
            addInto(partial, wb + k, FloatVector.fromArray(V, stage, (9 + k) * LANES));
        }
    }

    /** partial[w·lanes …] += acc. */
    static void addInto(float[] partial, int w, FloatVector acc) {
        int o = w * LANES;
        FloatVector.fromArray(V, partial, o).add(acc).intoArray(partial, o);
    }

    private static void fourTaps(float[] grad, float[] in, int gBase, int xBase, LaneConvNet.Geometry g, int[] sites, int from, int to,
                                 int tap, float[] partial, int w) {
        int o0 = g.tapOffset()[tap], o1 = g.tapOffset()[tap + 1], o2 = g.tapOffset()[tap + 2], o3 = g.tapOffset()[tap + 3];
        FloatVector a0 = FloatVector.zero(V), a1 = a0, a2 = a0, a3 = a0;
        for (int i = from; i < to; i++) {
            int s = sites[i];
            FloatVector gv = FloatVector.fromArray(V, grad, gBase + s);
            int x = xBase + s;
            a0 = FloatVector.fromArray(V, in, x + o0).fma(gv, a0);
            a1 = FloatVector.fromArray(V, in, x + o1).fma(gv, a1);
            a2 = FloatVector.fromArray(V, in, x + o2).fma(gv, a2);
            a3 = FloatVector.fromArray(V, in, x + o3).fma(gv, a3);
        }
        addInto(partial, w, a0);
        addInto(partial, w + 1, a1);
        addInto(partial, w + 2, a2);
        addInto(partial, w + 3, a3);
    }

    private static void oneTap(float[] grad, float[] in, int gBase, int xBase, LaneConvNet.Geometry g, int[] sites, int from, int to,
                               int tap, float[] partial, int w) {
        int offset = g.tapOffset()[tap];
        FloatVector acc = FloatVector.zero(V);
        for (int i = from; i < to; i++) {
            int s = sites[i];
            acc = FloatVector.fromArray(V, in, xBase + s + offset).fma(FloatVector.fromArray(V, grad, gBase + s), acc);
        }
        addInto(partial, w, acc);
    }

    /**
     * Output channels co and co+1 (gradients at gBase and gBase + channelSize) × the nine taps of
     * a 3×3 kernel on input channel ci: eighteen sums, eleven loads per eighteen multiply-adds.
     */
    private static void pairNineTaps(float[] grad, float[] in, int gBase, int xBase, int channelSize, LaneConvNet.Geometry g,
                                     int[] sites, int from, int to, float[] partial, int wa, int wb, float[] stage) {
        int[] off = g.tapOffset();
        int o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
        FloatVector z = FloatVector.zero(V);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z;
        FloatVector b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z, b8 = z;
        for (int i = from; i < to; i++) {
            int s = sites[i];
            FloatVector ga = FloatVector.fromArray(V, grad, gBase + s), gb = FloatVector.fromArray(V, grad, gBase + channelSize + s);
            int x = xBase + s;
            FloatVector v = FloatVector.fromArray(V, in, x + o0);
            a0 = v.fma(ga, a0);
            b0 = v.fma(gb, b0);
            v = FloatVector.fromArray(V, in, x + o1);
            a1 = v.fma(ga, a1);
            b1 = v.fma(gb, b1);
            v = FloatVector.fromArray(V, in, x + o2);
            a2 = v.fma(ga, a2);
            b2 = v.fma(gb, b2);
            v = FloatVector.fromArray(V, in, x + o3);
            a3 = v.fma(ga, a3);
            b3 = v.fma(gb, b3);
            v = FloatVector.fromArray(V, in, x + o4);
            a4 = v.fma(ga, a4);
            b4 = v.fma(gb, b4);
            v = FloatVector.fromArray(V, in, x + o5);
            a5 = v.fma(ga, a5);
            b5 = v.fma(gb, b5);
            v = FloatVector.fromArray(V, in, x + o6);
            a6 = v.fma(ga, a6);
            b6 = v.fma(gb, b6);
            v = FloatVector.fromArray(V, in, x + o7);
            a7 = v.fma(ga, a7);
            b7 = v.fma(gb, b7);
            v = FloatVector.fromArray(V, in, x + o8);
            a8 = v.fma(ga, a8);
            b8 = v.fma(gb, b8);
        }
        // stored, then added in a loop: eighteen inlined load-add-stores take the method past C2's inlining node limit
        a0.intoArray(stage, 0);
        a1.intoArray(stage, LANES);
        a2.intoArray(stage, 2 * LANES);
        a3.intoArray(stage, 3 * LANES);
        a4.intoArray(stage, 4 * LANES);
        a5.intoArray(stage, 5 * LANES);
        a6.intoArray(stage, 6 * LANES);
        a7.intoArray(stage, 7 * LANES);
        a8.intoArray(stage, 8 * LANES);
        b0.intoArray(stage, 9 * LANES);
        b1.intoArray(stage, 10 * LANES);
        b2.intoArray(stage, 11 * LANES);
        b3.intoArray(stage, 12 * LANES);
        b4.intoArray(stage, 13 * LANES);
        b5.intoArray(stage, 14 * LANES);
        b6.intoArray(stage, 15 * LANES);
        b7.intoArray(stage, 16 * LANES);
        b8.intoArray(stage, 17 * LANES);
        addStaged(stage, partial, wa, wb);
    }
}
