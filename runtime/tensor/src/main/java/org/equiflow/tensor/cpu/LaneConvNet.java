package org.equiflow.tensor.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A conditioner network — a chain of periodic convolutions, each with its bias and activation —
 * evaluated in float32 with one configuration of the batch per vector lane (sixteen with
 * AVX-512), for inference (sampling), where no intermediate is kept for a backward pass.
 *
 * <p>Why a layout of its own: with sites in the lanes (the tensors' own layout), each
 * multiply-add needs a displaced input (a lane rotation) and a broadcast weight, and both
 * compete with the multiply-adds for the same ports (the 8 → 8 convolution ran at a third of
 * the multiply-add rate). With configurations in the lanes, a displaced input is just another
 * aligned load — the neighbour's vector, at a constant offset because the activations are held
 * padded by the kernel radius — and a tile of four output channels × four sites reuses each
 * loaded input and each weight four times (about 80 % of the rate at L = 8). The network's input
 * is turned into this layout once and its output back once; the hidden activations never leave
 * it (two buffers of channels × padded sites × lanes floats per thread, reused).
 *
 * <p>Each output value is the bias plus the sum over input channels, then taps, in that order,
 * in float32 — the same terms as the tensor kernels, so results agree to float32 rounding.
 */
public final class LaneConvNet {

    static final VectorSpecies<Float> V = FloatVector.SPECIES_PREFERRED;
    static final int LANES = V.length();

    /**
     * Whether the tiles must fit sixteen vector registers (AVX2, 8 lanes) rather than 32
     * (AVX-512): there a tile of twelve sums, three weights and one input replaces the 4 × 4
     * tile, whose sixteen sums alone would fill them and spill. The same sums in the same order
     * either way; {@code -Dequiflow.cpu.sixteenRegisters=false} (or {@code true}) chooses.
     */
    static final boolean SIXTEEN_REGISTERS = Boolean.parseBoolean(
            System.getProperty("equiflow.cpu.sixteenRegisters", String.valueOf(LANES <= 8)));

    /** One convolution of the chain: weight [cout, cin, k^d] row-major, bias [cout] or null. */
    public record Layer(int inChannels, int outChannels, float[] weight, float[] bias, Kind activation, float slope) {
    }

    /** The activations a layer may end with. */
    public enum Kind { IDENTITY, LEAKY_RELU, TANH }

    /**
     * Two activation buffers per thread, reused from call to call: every value a layer reads was
     * written in the same call (the input, each layer's sites, the halo refreshed from them).
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private LaneConvNet() {
    }

    /** {@code -Dequiflow.conditioner.lanes=false} runs conditioners as their chain of convolutions, to measure what this buys. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("equiflow.conditioner.lanes"));

    /** Whether this machine's float vectors are wide enough for the layout to pay: 8 lanes (AVX2) or more. */
    public static boolean supported() {
        return ENABLED && LANES >= 8;
    }

    /**
     * Where a network runs: a periodic lattice of {@code extents}, a kernel of odd extent k on
     * every axis, and the sites at which the last layer is wanted (all sites when null; its other
     * outputs are 0). Building one is not free: callers keep theirs.
     */
    public static Plan plan(int[] extents, int k, int[] outputSites) {
        Geometry g = Geometry.of(extents, k);
        return new Plan(g, outputSites == null ? g.allTiles : g.tiles(outputSites));
    }

    /** A lattice geometry and the tiles of the last layer's sites: see {@link #plan}. */
    public static final class Plan {
        final Geometry geometry;
        final Tiles lastTiles;

        private Plan(Geometry geometry, Tiles lastTiles) {
            this.geometry = geometry;
            this.lastTiles = lastTiles;
        }
    }

    /**
     * {@code out [batch, cout_last, sites]} = the chain applied to {@code in [batch, cin_0,
     * sites]}, on the lattice of {@code plan}.
     */
    public static void forward(float[] in, int batch, Plan plan, List<Layer> layers, float[] out) {
        forward(in, batch, plan, layers, out, null);
    }

    /**
     * {@link #forward(float[], int, Plan, List, float[])}, with every layer's output of every
     * lane group written into {@code kept} (of {@link #keptLayout}; null: into scratch buffers)
     * and left there for a backward pass that then need not recompute them
     * ({@link LaneConvNetGradient#backward}): the outputs are written once, not copied.
     */
    public static void forward(float[] in, int batch, Plan plan, List<Layer> layers, float[] out, float[][] kept) {
        float[][] scratch = SCRATCH.get();
        int size = bufferSize(plan, layers), n = layers.size();
        if (scratch[0].length < size) {
            scratch[0] = new float[size];
            scratch[1] = new float[size];
        }
        // two buffers in turn: layer l reads activations[l] and writes activations[l + 1]
        float[][] activations = new float[n + 1][];
        for (int l = 0; l <= n; l++) activations[l] = scratch[l % 2];
        for (int first = 0; first < batch; first += LANES) {
            int count = Math.min(LANES, batch - first);
            if (kept != null) System.arraycopy(kept, first / LANES * n, activations, 1, n);
            throughLayers(in, first, count, plan, layers, activations);
            fromLanes(activations[n], first, count, layers.getLast().outChannels, plan.geometry, out);
        }
    }

    /**
     * The arrays a forward pass over {@code batch} configurations keeps: lane group j's layer l
     * output at index j·layers + l, its length that layer's channels × padded sites × lanes.
     */
    public static int[] keptLayout(int batch, Plan plan, List<Layer> layers) {
        int n = layers.size(), groups = (batch + LANES - 1) / LANES, channelSize = plan.geometry.paddedSites * LANES;
        int[] lengths = new int[groups * n];
        for (int j = 0; j < groups; j++) {
            for (int l = 0; l < n; l++) lengths[j * n + l] = layers.get(l).outChannels * channelSize;
        }
        return lengths;
    }

    /** Floats of one activation buffer: the widest layer's channels × padded sites × lanes. */
    static int bufferSize(Plan plan, List<Layer> layers) {
        int widest = 0;
        for (Layer layer : layers) widest = Math.max(widest, Math.max(layer.inChannels, layer.outChannels));
        return widest * plan.geometry.paddedSites * LANES;
    }

    /**
     * Configurations first..first+count−1 of {@code in} through every layer, in this layout:
     * {@code activations[0]} the input, {@code activations[l + 1]} layer l's output, each with its
     * halo filled but the last, which holds the plan's sites and 0 elsewhere. Entries may share a
     * buffer as long as layer l's input and output differ.
     */
    static void throughLayers(float[] in, int first, int count, Plan plan, List<Layer> layers, float[][] activations) {
        Geometry g = plan.geometry;
        int channelSize = g.paddedSites * LANES;
        inputInLanes(in, first, count, plan, layers, activations[0]);
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            boolean last = l == layers.size() - 1;
            Tiles tiles = last ? plan.lastTiles : g.allTiles;
            if (tiles != g.allTiles) Arrays.fill(activations[l + 1], 0, layer.outChannels * channelSize, 0f);
            conv(activations[l], layer, g, tiles, activations[l + 1]);
            if (!last) g.fillHalo(activations[l + 1], layer.outChannels);
        }
    }

    /** Configurations first..first+count−1 of the network's input into {@code lanes} in this layout, halo filled. */
    static void inputInLanes(float[] in, int first, int count, Plan plan, List<Layer> layers, float[] lanes) {
        int cin0 = layers.getFirst().inChannels;
        toLanes(in, first, count, cin0, plan.geometry, lanes);
        plan.geometry.fillHalo(lanes, cin0);
    }

    /**
     * Sites to compute, as tiles of four sites along one row at a constant step (in padded
     * lane-vector units), and the sites that make no tile, one by one.
     */
    record Tiles(int[] anchor, int[] step, int[] singles, int[] sites) {
        Tiles(int[] anchor, int[] step, int[] singles) {
            this(anchor, step, singles, siteList(anchor, step, singles));
        }

        /** The padded offsets of every site, the tiles' first. */
        private static int[] siteList(int[] anchor, int[] step, int[] singles) {
            int[] sites = new int[4 * anchor.length + singles.length];
            int k = 0;
            for (int i = 0; i < anchor.length; i++) {
                for (int q = 0; q < 4; q++) sites[k++] = anchor[i] + q * step[i];
            }
            for (int p : singles) sites[k++] = p;
            return sites;
        }
    }

    /**
     * A periodic lattice for a k^d kernel, held padded by k/2 on every side so that each tap is
     * one constant offset: {@code padded[s]} is the padded index of site s, {@code tapOffset[t]}
     * the displacement of tap t, the halo is refreshed from {@code haloSource}; all in units of
     * one lane vector.
     */
    record Geometry(int[] extents, int sites, int paddedSites, int taps, int[] padded, int[] tapOffset,
                            int[] haloTarget, int[] haloSource, Tiles allTiles) {
        private static final Map<String, Geometry> CACHE = new ConcurrentHashMap<>();

        static Geometry of(int[] extents, int k) {
            return CACHE.computeIfAbsent(Arrays.toString(extents) + "/" + k, key -> build(extents, k));
        }

        private static Geometry build(int[] extents, int k) {
            int d = extents.length, r = k / 2, sites = 1, taps = 1, paddedSites = 1;
            int[] paddedExtents = new int[d];
            for (int i = 0; i < d; i++) {
                sites *= extents[i];
                taps *= k;
                paddedExtents[i] = extents[i] + 2 * r;
                paddedSites *= paddedExtents[i];
            }
            int[] x = new int[d];
            int[] padded = new int[sites];
            for (int s = 0; s < sites; s++) {
                HaloPlan.unravel(s, extents, x);
                int p = 0;
                for (int i = 0; i < d; i++) p = p * paddedExtents[i] + x[i] + r;
                padded[s] = p * LANES;
            }
            int[] tapOffset = new int[taps];
            for (int tap = 0; tap < taps; tap++) {
                HaloPlan.unravel(tap, HaloPlan.filled(d, k), x);
                int o = 0;
                for (int i = 0; i < d; i++) o = o * paddedExtents[i] + x[i] - r;
                tapOffset[tap] = o * LANES;
            }
            var target = new ArrayList<Integer>();
            var source = new ArrayList<Integer>();
            for (int p = 0; p < paddedSites; p++) {
                HaloPlan.unravel(p, paddedExtents, x);
                boolean halo = false;
                int s = 0;
                for (int i = 0; i < d; i++) {
                    int c = x[i] - r;
                    halo |= c < 0 || c >= extents[i];
                    s = s * extents[i] + Math.floorMod(c, extents[i]);
                }
                if (halo) {
                    target.add(p * LANES);
                    source.add(padded[s]);
                }
            }
            int[] all = new int[sites];
            for (int s = 0; s < sites; s++) all[s] = s;
            return new Geometry(extents.clone(), sites, paddedSites, taps, padded, tapOffset,
                    target.stream().mapToInt(Integer::intValue).toArray(), source.stream().mapToInt(Integer::intValue).toArray(),
                    tiles(extents, padded, all));
        }

        /** The tiles of a list of sites: runs of four in one row at one step, the rest single. */
        Tiles tiles(int[] list) {
            return tiles(extents, padded, list);
        }

        private static Tiles tiles(int[] extents, int[] padded, int[] list) {
            int row = extents[extents.length - 1];
            var anchors = new ArrayList<Integer>();
            var steps = new ArrayList<Integer>();
            var singles = new ArrayList<Integer>();
            int i = 0;
            while (i < list.length) {
                if (i + 4 <= list.length) {
                    int s0 = list[i], step = list[i + 1] - s0;
                    boolean run = step > 0 && s0 / row == list[i + 3] / row
                            && list[i + 2] - list[i + 1] == step && list[i + 3] - list[i + 2] == step;
                    if (run) {
                        anchors.add(padded[s0]);
                        steps.add(step * LANES);
                        i += 4;
                        continue;
                    }
                }
                singles.add(padded[list[i]]);
                i++;
            }
            return new Tiles(anchors.stream().mapToInt(Integer::intValue).toArray(),
                    steps.stream().mapToInt(Integer::intValue).toArray(),
                    singles.stream().mapToInt(Integer::intValue).toArray());
        }

        /** Copies every channel's lattice values into its halo. */
        void fillHalo(float[] v, int channels) {
            int channelSize = paddedSites * LANES;
            for (int c = 0; c < channels; c++) {
                int base = c * channelSize;
                for (int h = 0; h < haloTarget.length; h++) {
                    FloatVector.fromArray(V, v, base + haloSource[h]).intoArray(v, base + haloTarget[h]);
                }
            }
        }
    }

    // ---------------------------------------------------------------- layout

    /** Channel c, site s of configuration first + lane goes to lane {@code lane} of its padded vector; lanes past the batch are 0. */
    static void toLanes(float[] in, int first, int count, int channels, Geometry g, float[] lanes) {
        int sites = g.sites, channelSize = g.paddedSites * LANES;
        for (int lane = 0; lane < LANES; lane++) {
            int from = (first + lane) * channels * sites;
            for (int c = 0; c < channels; c++) {
                int base = c * channelSize + lane;
                for (int s = 0; s < sites; s++) lanes[base + g.padded[s]] = lane < count ? in[from + c * sites + s] : 0f;
            }
        }
    }

    static void fromLanes(float[] lanes, int first, int count, int channels, Geometry g, float[] out) {
        int sites = g.sites, channelSize = g.paddedSites * LANES;
        for (int lane = 0; lane < count; lane++) {
            int to = (first + lane) * channels * sites;
            for (int c = 0; c < channels; c++) {
                int base = c * channelSize + lane;
                for (int s = 0; s < sites; s++) out[to + c * sites + s] = lanes[base + g.padded[s]];
            }
        }
    }

    // ---------------------------------------------------------------- convolution

    static void conv(float[] in, Layer layer, Geometry g, Tiles tiles, float[] out) {
        if (WinogradConv.applies(layer, g, tiles)) WinogradConv.conv(in, layer, g, out);
        else conv(in, layer, g, tiles, out, SIXTEEN_REGISTERS);
    }

    /** {@link #conv(float[], Layer, Geometry, Tiles, float[])} with the tiles for sixteen vector registers or for 32: the same bits either way. */
    static void conv(float[] in, Layer layer, Geometry g, Tiles tiles, float[] out, boolean sixteenRegisters) {
        int cout = layer.outChannels, co = 0, n = tiles.anchor.length;
        if (sixteenRegisters) {
            for (; co + 3 <= cout; co += 3) {
                for (int i = 0; i < n; i++) {
                    tile3x4(in, layer, g, tiles.anchor[i], tiles.step[i], co, out);
                    activateTile(out, layer, g, co, 3, tiles.anchor[i], tiles.step[i]);
                }
            }
        }
        for (; co + 4 <= cout; co += 4) {
            for (int i = 0; i < n; i++) {
                tile4x4(in, layer, g, tiles.anchor[i], tiles.step[i], co, out);
                activateTile(out, layer, g, co, 4, tiles.anchor[i], tiles.step[i]);
            }
        }
        for (; co + 2 <= cout; co += 2) {
            int i = 0;
            for (; i + 2 <= n; i += 2) {
                tile2x8(in, layer, g, tiles.anchor[i], tiles.step[i], tiles.anchor[i + 1], tiles.step[i + 1], co, out);
                activateTile(out, layer, g, co, 2, tiles.anchor[i], tiles.step[i]);
                activateTile(out, layer, g, co, 2, tiles.anchor[i + 1], tiles.step[i + 1]);
            }
            for (; i < n; i++) {
                for (int q = 0; q < 4; q++) single(in, layer, g, tiles.anchor[i] + q * tiles.step[i], co, 2, out);
                activateTile(out, layer, g, co, 2, tiles.anchor[i], tiles.step[i]);
            }
        }
        for (; co < cout; co++) {
            int i = 0;
            for (; i + 2 <= n; i += 2) {
                tile1x8(in, layer, g, tiles.anchor[i], tiles.step[i], tiles.anchor[i + 1], tiles.step[i + 1], co, out);
                activateTile(out, layer, g, co, 1, tiles.anchor[i], tiles.step[i]);
                activateTile(out, layer, g, co, 1, tiles.anchor[i + 1], tiles.step[i + 1]);
            }
            for (; i < n; i++) {
                for (int q = 0; q < 4; q++) single(in, layer, g, tiles.anchor[i] + q * tiles.step[i], co, 1, out);
                activateTile(out, layer, g, co, 1, tiles.anchor[i], tiles.step[i]);
            }
        }
        for (int p : tiles.singles) {
            single(in, layer, g, p, 0, cout, out);
            activateTile(out, layer, g, 0, cout, p, 0);
        }
    }

    private static FloatVector biasVector(float[] bias, int co) {
        return FloatVector.broadcast(V, bias == null ? 0f : bias[co]);
    }

    /** Output channels co..co+3 at four sites p, p+σ, p+2σ, p+3σ (padded units): sixteen sums. */
    private static void tile4x4(float[] in, Layer layer, Geometry g, int p, int step, int co, float[] out) {
        int cin = layer.inChannels, taps = g.taps, channelSize = g.paddedSites * LANES, wStride = cin * taps;
        float[] w = layer.weight;
        int[] offsets = g.tapOffset;
        FloatVector a0 = biasVector(layer.bias, co), b0 = biasVector(layer.bias, co + 1);
        FloatVector c0 = biasVector(layer.bias, co + 2), d0 = biasVector(layer.bias, co + 3);
        FloatVector a1 = a0, a2 = a0, a3 = a0, b1 = b0, b2 = b0, b3 = b0;
        FloatVector c1 = c0, c2 = c0, c3 = c0, d1 = d0, d2 = d0, d3 = d0;
        for (int ci = 0; ci < cin; ci++) {
            int base = ci * channelSize + p, wa = co * wStride + ci * taps;
            for (int tap = 0; tap < taps; tap++) {
                int x = base + offsets[tap];
                FloatVector x0 = FloatVector.fromArray(V, in, x);
                FloatVector x1 = FloatVector.fromArray(V, in, x + step);
                FloatVector x2 = FloatVector.fromArray(V, in, x + 2 * step);
                FloatVector x3 = FloatVector.fromArray(V, in, x + 3 * step);
                int t = wa + tap;
                FloatVector w0 = FloatVector.broadcast(V, w[t]);
                a0 = x0.fma(w0, a0);
                a1 = x1.fma(w0, a1);
                a2 = x2.fma(w0, a2);
                a3 = x3.fma(w0, a3);
                FloatVector w1 = FloatVector.broadcast(V, w[t + wStride]);
                b0 = x0.fma(w1, b0);
                b1 = x1.fma(w1, b1);
                b2 = x2.fma(w1, b2);
                b3 = x3.fma(w1, b3);
                FloatVector w2 = FloatVector.broadcast(V, w[t + 2 * wStride]);
                c0 = x0.fma(w2, c0);
                c1 = x1.fma(w2, c1);
                c2 = x2.fma(w2, c2);
                c3 = x3.fma(w2, c3);
                FloatVector w3 = FloatVector.broadcast(V, w[t + 3 * wStride]);
                d0 = x0.fma(w3, d0);
                d1 = x1.fma(w3, d1);
                d2 = x2.fma(w3, d2);
                d3 = x3.fma(w3, d3);
            }
        }
        int o = co * channelSize + p;
        store4(out, o, step, a0, a1, a2, a3);
        store4(out, o + channelSize, step, b0, b1, b2, b3);
        store4(out, o + 2 * channelSize, step, c0, c1, c2, c3);
        store4(out, o + 3 * channelSize, step, d0, d1, d2, d3);
    }

    /** Output channels co..co+2 at four sites p, p+σ, p+2σ, p+3σ (padded units): twelve sums. */
    private static void tile3x4(float[] in, Layer layer, Geometry g, int p, int step, int co, float[] out) {
        int cin = layer.inChannels, taps = g.taps, channelSize = g.paddedSites * LANES, wStride = cin * taps;
        float[] w = layer.weight;
        int[] offsets = g.tapOffset;
        FloatVector a0 = biasVector(layer.bias, co), b0 = biasVector(layer.bias, co + 1), c0 = biasVector(layer.bias, co + 2);
        FloatVector a1 = a0, a2 = a0, a3 = a0, b1 = b0, b2 = b0, b3 = b0, c1 = c0, c2 = c0, c3 = c0;
        for (int ci = 0; ci < cin; ci++) {
            int base = ci * channelSize + p, wa = co * wStride + ci * taps;
            for (int tap = 0; tap < taps; tap++) {
                int x = base + offsets[tap], t = wa + tap;
                FloatVector w0 = FloatVector.broadcast(V, w[t]);
                FloatVector w1 = FloatVector.broadcast(V, w[t + wStride]);
                FloatVector w2 = FloatVector.broadcast(V, w[t + 2 * wStride]);
                FloatVector v = FloatVector.fromArray(V, in, x);
                a0 = v.fma(w0, a0);
                b0 = v.fma(w1, b0);
                c0 = v.fma(w2, c0);
                v = FloatVector.fromArray(V, in, x + step);
                a1 = v.fma(w0, a1);
                b1 = v.fma(w1, b1);
                c1 = v.fma(w2, c1);
                v = FloatVector.fromArray(V, in, x + 2 * step);
                a2 = v.fma(w0, a2);
                b2 = v.fma(w1, b2);
                c2 = v.fma(w2, c2);
                v = FloatVector.fromArray(V, in, x + 3 * step);
                a3 = v.fma(w0, a3);
                b3 = v.fma(w1, b3);
                c3 = v.fma(w2, c3);
            }
        }
        int o = co * channelSize + p;
        store4(out, o, step, a0, a1, a2, a3);
        store4(out, o + channelSize, step, b0, b1, b2, b3);
        store4(out, o + 2 * channelSize, step, c0, c1, c2, c3);
    }

    /** Four sums of one channel at sites o, o+σ, o+2σ, o+3σ. */
    static void store4(float[] out, int o, int step, FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3) {
        s0.intoArray(out, o);
        s1.intoArray(out, o + step);
        s2.intoArray(out, o + 2 * step);
        s3.intoArray(out, o + 3 * step);
    }

    /** Output channels co, co+1 at the four sites from p and the four from q: sixteen sums. */
    private static void tile2x8(float[] in, Layer layer, Geometry g, int p, int stepP, int q, int stepQ, int co, float[] out) {
        int cin = layer.inChannels, taps = g.taps, channelSize = g.paddedSites * LANES, wStride = cin * taps;
        float[] w = layer.weight;
        int[] offsets = g.tapOffset;
        FloatVector a0 = biasVector(layer.bias, co), b0 = biasVector(layer.bias, co + 1);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
        for (int ci = 0; ci < cin; ci++) {
            int base = ci * channelSize, wa = co * wStride + ci * taps;
            for (int tap = 0; tap < taps; tap++) {
                FloatVector wA = FloatVector.broadcast(V, w[wa + tap]);
                FloatVector wB = FloatVector.broadcast(V, w[wa + tap + wStride]);
                int x = base + offsets[tap] + p, y = base + offsets[tap] + q;
                FloatVector v = FloatVector.fromArray(V, in, x);
                a0 = v.fma(wA, a0);
                b0 = v.fma(wB, b0);
                v = FloatVector.fromArray(V, in, x + stepP);
                a1 = v.fma(wA, a1);
                b1 = v.fma(wB, b1);
                v = FloatVector.fromArray(V, in, x + 2 * stepP);
                a2 = v.fma(wA, a2);
                b2 = v.fma(wB, b2);
                v = FloatVector.fromArray(V, in, x + 3 * stepP);
                a3 = v.fma(wA, a3);
                b3 = v.fma(wB, b3);
                v = FloatVector.fromArray(V, in, y);
                a4 = v.fma(wA, a4);
                b4 = v.fma(wB, b4);
                v = FloatVector.fromArray(V, in, y + stepQ);
                a5 = v.fma(wA, a5);
                b5 = v.fma(wB, b5);
                v = FloatVector.fromArray(V, in, y + 2 * stepQ);
                a6 = v.fma(wA, a6);
                b6 = v.fma(wB, b6);
                v = FloatVector.fromArray(V, in, y + 3 * stepQ);
                a7 = v.fma(wA, a7);
                b7 = v.fma(wB, b7);
            }
        }
        int oa = co * channelSize, ob = oa + channelSize;
        store4(out, oa + p, stepP, a0, a1, a2, a3);
        store4(out, oa + q, stepQ, a4, a5, a6, a7);
        store4(out, ob + p, stepP, b0, b1, b2, b3);
        store4(out, ob + q, stepQ, b4, b5, b6, b7);
    }

    /** Output channel co at the four sites from p and the four from q: eight sums (a gradient's way back to one channel). */
    private static void tile1x8(float[] in, Layer layer, Geometry g, int p, int stepP, int q, int stepQ, int co, float[] out) {
        int cin = layer.inChannels, taps = g.taps, channelSize = g.paddedSites * LANES, wStride = cin * taps;
        float[] w = layer.weight;
        int[] offsets = g.tapOffset;
        FloatVector a0 = biasVector(layer.bias, co);
        FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int ci = 0; ci < cin; ci++) {
            int base = ci * channelSize, wa = co * wStride + ci * taps;
            for (int tap = 0; tap < taps; tap++) {
                FloatVector wA = FloatVector.broadcast(V, w[wa + tap]);
                int x = base + offsets[tap] + p, y = base + offsets[tap] + q;
                a0 = FloatVector.fromArray(V, in, x).fma(wA, a0);
                a1 = FloatVector.fromArray(V, in, x + stepP).fma(wA, a1);
                a2 = FloatVector.fromArray(V, in, x + 2 * stepP).fma(wA, a2);
                a3 = FloatVector.fromArray(V, in, x + 3 * stepP).fma(wA, a3);
                a4 = FloatVector.fromArray(V, in, y).fma(wA, a4);
                a5 = FloatVector.fromArray(V, in, y + stepQ).fma(wA, a5);
                a6 = FloatVector.fromArray(V, in, y + 2 * stepQ).fma(wA, a6);
                a7 = FloatVector.fromArray(V, in, y + 3 * stepQ).fma(wA, a7);
            }
        }
        int oa = co * channelSize;
        store4(out, oa + p, stepP, a0, a1, a2, a3);
        store4(out, oa + q, stepQ, a4, a5, a6, a7);
    }

    /** Output channels co..co+count−1 at the site of padded index p, one sum each: what no tile covers. */
    private static void single(float[] in, Layer layer, Geometry g, int p, int co, int count, float[] out) {
        int cin = layer.inChannels, taps = g.taps, channelSize = g.paddedSites * LANES, wStride = cin * taps;
        for (int c = co; c < co + count; c++) {
            FloatVector acc = biasVector(layer.bias, c);
            for (int ci = 0; ci < cin; ci++) {
                int base = ci * channelSize + p, wa = c * wStride + ci * taps;
                for (int tap = 0; tap < taps; tap++) {
                    acc = FloatVector.fromArray(V, in, base + g.tapOffset[tap]).fma(FloatVector.broadcast(V, layer.weight[wa + tap]), acc);
                }
            }
            acc.intoArray(out, c * channelSize + p);
        }
    }

    // ---------------------------------------------------------------- activation

    /**
     * The layer's activation, in place, on channels co..co+count−1 at the tile's four sites p,
     * p+σ, p+2σ, p+3σ (one site when σ = 0), while they are still in the L1 cache.
     */
    private static void activateTile(float[] v, Layer layer, Geometry g, int co, int count, int p, int step) {
        if (layer.activation == Kind.IDENTITY) return;
        int channelSize = g.paddedSites * LANES, sites = step == 0 ? 1 : 4;
        boolean tanh = layer.activation == Kind.TANH;
        float slope = layer.slope;
        if (!tanh && slope >= 0 && slope <= 1 && sites == 4) {
            for (int c = co, o = co * channelSize + p; c < co + count; c++, o += channelSize) {
                leakyAt(v, o, slope);
                leakyAt(v, o + step, slope);
                leakyAt(v, o + 2 * step, slope);
                leakyAt(v, o + 3 * step, slope);
            }
            return;
        }
        // max(x, slope·x) is leaky ReLU for 0 ≤ slope ≤ 1 (the tensor kernels' formula); a blend otherwise
        boolean asMax = slope >= 0 && slope <= 1;
        for (int c = co; c < co + count; c++) {
            for (int q = 0; q < sites; q++) {
                int o = c * channelSize + p + q * step;
                if (tanh) {
                    tanhAt(v, o);
                } else {
                    FloatVector x = FloatVector.fromArray(V, v, o);
                    (asMax ? x.max(x.mul(slope)) : x.blend(x.mul(slope), x.compare(VectorOperators.LE, 0f))).intoArray(v, o);
                }
            }
        }
    }

    /**
     * The layer's activation of the vector at v[o], in place: the same operations as {@link #activateTile}'s, so the
     * same bits. An array and an offset, not a vector, in and out: where C2 compiles such a helper on its own
     * instead of inlining it, a vector passed to it is boxed and every operation on it runs as library code.
     */
    static void activateAt(float[] v, int o, Layer layer) {
        switch (layer.activation) {
            case IDENTITY -> { }
            case TANH -> tanhAt(v, o);
            case LEAKY_RELU -> {
                float slope = layer.slope;
                if (slope >= 0 && slope <= 1) {
                    leakyAt(v, o, slope);
                } else {
                    FloatVector x = FloatVector.fromArray(V, v, o);
                    x.blend(x.mul(slope), x.compare(VectorOperators.LE, 0f)).intoArray(v, o);
                }
            }
        }
    }

    private static void leakyAt(float[] v, int o, float slope) {
        FloatVector x = FloatVector.fromArray(V, v, o);
        x.max(x.mul(slope)).intoArray(v, o);
    }

    /** |x| from which float32 tanh(x) rounds to ±1. */
    private static final float TANH_SATURATES = 9f;
    /** The rational form's own clamp: beyond it the polynomials are not fitted. */
    private static final float TANH_CLAMP = 7.90531110763549805f;

    /**
     * tanh in float32 as an odd rational function of degree 13/6 (Eigen's fast tanh), x itself
     * below 4·10⁻⁴ and ±1 from 9 on: within 5 ulp and 3·10⁻⁷ of the correctly rounded value
     * (checked against Math.tanh by LaneConvNetTest), without widening to float64 — the tensor
     * kernels' tanh, which widens, is within 1 ulp but several times slower. In place on the vector at v[o]: the JIT
     * compiled a version that took and returned a vector on its own, and there the vectors were boxed.
     */
    static void tanhAt(float[] v, int o) {
        FloatVector x = FloatVector.fromArray(V, v, o);
        FloatVector c = x.max(-TANH_CLAMP).min(TANH_CLAMP);
        FloatVector x2 = c.mul(c);
        FloatVector p = x2.fma(FloatVector.broadcast(V, -2.76076847742355e-16f), FloatVector.broadcast(V, 2.00018790482477e-13f));
        p = p.fma(x2, FloatVector.broadcast(V, -8.60467152213735e-11f));
        p = p.fma(x2, FloatVector.broadcast(V, 5.12229709037114e-08f));
        p = p.fma(x2, FloatVector.broadcast(V, 1.48572235717979e-05f));
        p = p.fma(x2, FloatVector.broadcast(V, 6.37261928875436e-04f));
        p = p.fma(x2, FloatVector.broadcast(V, 4.89352455891786e-03f)).mul(c);
        FloatVector q = x2.fma(FloatVector.broadcast(V, 1.19825839466702e-06f), FloatVector.broadcast(V, 1.18534705686654e-04f));
        q = q.fma(x2, FloatVector.broadcast(V, 2.26843463243900e-03f));
        q = q.fma(x2, FloatVector.broadcast(V, 4.89352518554385e-03f));
        FloatVector abs = x.abs();
        FloatVector one = FloatVector.broadcast(V, 1f);
        p.div(q)
                .blend(x, abs.compare(VectorOperators.LT, 4e-4f))
                .blend(one.blend(one.neg(), x.compare(VectorOperators.LT, 0f)), abs.compare(VectorOperators.GE, TANH_SATURATES))
                .intoArray(v, o);
    }
}
