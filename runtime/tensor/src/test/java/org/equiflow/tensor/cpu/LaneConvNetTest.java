package org.equiflow.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.equiflow.tensor.Activation;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The lane-layout conditioner network against the chain of float32 {@link ConvAct} kernels it
 * replaces in sampling: on lattices whose rows make whole tiles and on ones that leave single
 * sites, in two and three dimensions, batches that do not fill the last lane group, channel
 * counts that take every tile shape, and with the last layer on a checkerboard's sites only.
 */
class LaneConvNetTest {

    /** Float32 sums in another order, and the rational tanh: a few ulps of the largest terms. */
    private static final double TOLERANCE = 2e-5;

    private record Net(List<LaneConvNet.Layer> lanes, List<Tensor[]> weights, List<ConvAct> chain) {
    }

    private static Net net(int[] channels, int k, int rank, SplittableRandom random) {
        return net(channels, k, rank, random, Activation.TANH);
    }

    /** Leaky ReLU after every convolution but the last, which ends in {@code last}. */
    private static Net net(int[] channels, int k, int rank, SplittableRandom random, Activation last) {
        var lanes = new ArrayList<LaneConvNet.Layer>();
        var weights = new ArrayList<Tensor[]>();
        var chain = new ArrayList<ConvAct>();
        for (int l = 0; l + 1 < channels.length; l++) {
            int cin = channels[l], cout = channels[l + 1];
            int[] dims = new int[2 + rank];
            dims[0] = cout;
            dims[1] = cin;
            for (int i = 0; i < rank; i++) dims[2 + i] = k;
            Tensor w = Tensor.randn(new Shape(dims[0], dims[1], java.util.Arrays.copyOfRange(dims, 2, dims.length)), DType.F32, random);
            for (int i = 0; i < w.size(); i++) w.set(i, w.get(i) / Math.sqrt(cin * Math.pow(k, rank)));
            boolean bias = l % 2 == 0;
            Tensor b = bias ? Tensor.randn(Shape.perConfiguration(1, cout), DType.F32, random) : null;
            Activation act = l + 2 == channels.length ? last : Activation.LEAKY_RELU;
            lanes.add(new LaneConvNet.Layer(cin, cout, w.f32(), bias ? b.f32() : null, LaneConvNet.Kind.valueOf(act.name()), 0.01f));
            weights.add(bias ? new Tensor[] {w, b} : new Tensor[] {w});
            chain.add(new ConvAct(act, 0.01));
        }
        return new Net(lanes, weights, chain);
    }

    private static Tensor chain(Net net, Tensor x) {
        Tensor h = x;
        for (int l = 0; l < net.chain.size(); l++) {
            Tensor[] w = net.weights.get(l);
            h = w.length == 2 ? Ops.apply(net.chain.get(l), h, w[0], w[1]) : Ops.apply(net.chain.get(l), h, w[0]);
        }
        return h;
    }

    private static void check(int batch, int[] lattice, int[] channels, boolean checkerboard) {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(lattice.length * 1000L + batch);
        Net net = net(channels, 3, lattice.length, random);
        Tensor x = Tensor.randn(new Shape(batch, channels[0], lattice), DType.F32, random);
        Tensor expected = chain(net, x);
        int sites = x.shape().sites();
        int[] active = null;
        if (checkerboard) {
            var list = new ArrayList<Integer>();
            int[] coordinate = new int[lattice.length];
            for (int s = 0; s < sites; s++) {
                int rest = s, parity = 0;
                for (int i = lattice.length - 1; i >= 0; i--) {
                    coordinate[i] = rest % lattice[i];
                    rest /= lattice[i];
                    parity += coordinate[i];
                }
                if (parity % 2 == 0) list.add(s);
            }
            active = list.stream().mapToInt(Integer::intValue).toArray();
        }
        float[] out = new float[expected.size()];
        LaneConvNet.forward(x.f32(), batch, LaneConvNet.plan(lattice, 3, active), net.lanes, out);
        boolean[] computed = new boolean[sites];
        if (active == null) java.util.Arrays.fill(computed, true);
        else for (int s : active) computed[s] = true;
        for (int i = 0; i < out.length; i++) {
            int site = i % sites;
            double want = computed[site] ? expected.get(i) : 0.0;
            assertEquals(want, out[i], TOLERANCE, "value " + i + " (site " + site + ") of " + batch + " × " + java.util.Arrays.toString(lattice));
        }
    }

    @Test
    void equalsTheChainOnEveryTileShape() {
        check(32, new int[] {8, 8}, new int[] {1, 8, 8, 2}, false);
        // 21 configurations leave a partly filled lane group; 5 and 3 output channels take the 4-, 2- and 1-channel paths.
        check(21, new int[] {8, 8}, new int[] {2, 5, 3, 1}, false);
    }

    @Test
    void equalsTheChainWhereRowsLeaveSingleSites() {
        check(17, new int[] {6, 6}, new int[] {1, 4, 2}, false);
        check(16, new int[] {4, 4, 4}, new int[] {1, 3, 2}, false);
        check(5, new int[] {10}, new int[] {1, 4, 2}, false);
    }

    @Test
    void computesTheLastLayerOnlyOnTheMaskedSites() {
        check(32, new int[] {8, 8}, new int[] {1, 8, 8, 2}, true);
        check(19, new int[] {16, 16}, new int[] {1, 8, 2}, true);
        check(16, new int[] {6, 6}, new int[] {1, 4, 2}, true);
    }

    /**
     * The gradients of the lane network (input, every weight and bias) against those a tape
     * records through the chain of ConvActs, for a seed gradient on the output; with a mask,
     * the chain's output is multiplied by it, as the lane network's is 0 off its sites.
     */
    private static void checkGradients(int batch, int[] lattice, int[] channels, boolean checkerboard) {
        checkGradients(batch, lattice, channels, checkerboard, Activation.TANH);
    }

    private static void checkGradients(int batch, int[] lattice, int[] channels, boolean checkerboard, Activation last) {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(lattice.length * 7919L + batch);
        Net net = net(channels, 3, lattice.length, random, last);
        Tensor x = Tensor.randn(new Shape(batch, channels[0], lattice), DType.F32, random);
        int sites = x.shape().sites();
        int[] active = checkerboard ? checkerboardSites(lattice) : null;
        Tensor mask = Tensor.zeros(new Shape(1, 1, lattice), DType.F32);
        for (int s = 0; s < sites; s++) mask.set(s, active == null ? 1 : 0);
        if (active != null) for (int s : active) mask.set(s, 1);
        Tensor seed = Tensor.randn(new Shape(batch, channels[channels.length - 1], lattice), DType.F32, random);

        x.requiresGrad(true);
        for (Tensor[] w : net.weights) for (Tensor t : w) t.requiresGrad(true);
        try (org.equiflow.tensor.Tape tape = org.equiflow.tensor.Tape.open()) {
            tape.backward(Ops.mul(chain(net, x), mask), seed);
        }
        var plan = LaneConvNet.plan(lattice, 3, active);
        var lanes = LaneConvNetGradient.backward(x.f32(), batch, plan, net.lanes, seed.f32(), true);
        assertClose(x.grad(), lanes.input(), "input gradient");
        // from the layer outputs a forward pass kept: the same numbers, so the same bits; and the forward's own result unchanged
        float[][] kept = new float[LaneConvNet.keptLayout(batch, plan, net.lanes).length][];
        int[] lengths = LaneConvNet.keptLayout(batch, plan, net.lanes);
        for (int i = 0; i < kept.length; i++) {
            kept[i] = new float[lengths[i]];
            java.util.Arrays.fill(kept[i], Float.NaN); // whatever a recycled array held: every value read must be written first
        }
        int outSize = batch * channels[channels.length - 1] * sites;
        float[] plain = new float[outSize], keeping = new float[outSize];
        LaneConvNet.forward(x.f32(), batch, plan, net.lanes, plain);
        LaneConvNet.forward(x.f32(), batch, plan, net.lanes, keeping, kept);
        org.junit.jupiter.api.Assertions.assertArrayEquals(plain, keeping, "forward pass keeping its layers");
        var fromKept = LaneConvNetGradient.backward(x.f32(), batch, plan, net.lanes, seed.f32(), true, kept);
        org.junit.jupiter.api.Assertions.assertArrayEquals(lanes.input(), fromKept.input(), "input gradient from kept layers");
        for (int l = 0; l < net.weights.size(); l++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(lanes.weights().get(l), fromKept.weights().get(l), "weight gradient from kept layers, " + l);
            if (lanes.biases().get(l) != null) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(lanes.biases().get(l), fromKept.biases().get(l), "bias gradient from kept layers, " + l);
            }
        }
        for (int l = 0; l < net.weights.size(); l++) {
            Tensor[] w = net.weights.get(l);
            assertClose(w[0].grad(), lanes.weights().get(l), "weight gradient of layer " + l);
            if (w.length == 2) assertClose(w[1].grad(), lanes.biases().get(l), "bias gradient of layer " + l);
            else assertEquals(null, lanes.biases().get(l));
        }
    }

    /** Within float32 rounding of sums over the batch and the lattice: 1e-4 of the largest entry. */
    private static void assertClose(Tensor expected, float[] actual, String what) {
        double scale = 1e-3;
        for (int i = 0; i < expected.size(); i++) scale = Math.max(scale, Math.abs(expected.get(i)));
        assertEquals(expected.size(), actual.length, what + ": size");
        for (int i = 0; i < actual.length; i++) assertEquals(expected.get(i), actual[i], 1e-4 * scale, what + ", element " + i);
    }

    private static int[] checkerboardSites(int[] lattice) {
        var list = new ArrayList<Integer>();
        int sites = 1;
        for (int e : lattice) sites *= e;
        for (int s = 0; s < sites; s++) {
            int rest = s, parity = 0;
            for (int i = lattice.length - 1; i >= 0; i--) {
                parity += rest % lattice[i];
                rest /= lattice[i];
            }
            if (parity % 2 == 0) list.add(s);
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void gradientsEqualTheChainsOnATape() {
        checkGradients(32, new int[] {8, 8}, new int[] {1, 8, 8, 2}, true);
        checkGradients(21, new int[] {8, 8}, new int[] {2, 5, 3, 1}, false);
        checkGradients(17, new int[] {6, 6}, new int[] {1, 4, 2}, true);
        checkGradients(16, new int[] {4, 4, 4}, new int[] {1, 3, 2}, false);
        checkGradients(9, new int[] {16, 16}, new int[] {1, 8, 2}, true);
        // the gauge conditioner's shape: 2 -> 8 -> 8 -> 3, the last conv without activation
        checkGradients(20, new int[] {8, 8}, new int[] {2, 8, 8, 3}, false, Activation.IDENTITY);
    }

    /**
     * Layers of 16 channels or more on every site take Winograd's F(2×2, 3×3) (forward, input and
     * weight gradients): the network still equals the chain of ConvActs, its gradients the tape's.
     * 6 × 6 leaves a remainder of blocks; 21 configurations a partly filled lane group.
     */
    @Test
    void wideLayersByWinogradEqualTheChainAndItsGradients() {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var plane = LaneConvNet.Geometry.of(new int[] {8, 8}, 3);
        assumeTrue(WinogradConv.applies(new LaneConvNet.Layer(16, 20, new float[16 * 20 * 9], null, LaneConvNet.Kind.IDENTITY, 0f),
                plane, plane.allTiles()), "Winograd switched off");
        check(21, new int[] {8, 8}, new int[] {2, 16, 20, 3}, true);
        check(16, new int[] {6, 6}, new int[] {1, 16, 16, 2}, false);
        checkGradients(21, new int[] {8, 8}, new int[] {2, 16, 20, 3}, true);
        checkGradients(16, new int[] {6, 6}, new int[] {1, 16, 16, 2}, false, Activation.IDENTITY);
    }

    /**
     * A conditioner applied under a tape keeps its layers' outputs and its backward pass reads
     * them: the gradients the tape gives are the recomputing kernel's, bit for bit, step after
     * step (the second step runs on the arrays the first gave back), and a tape closed before
     * its backward pass leaves nothing that disturbs the next.
     */
    @Test
    void aConditionerOnATapeKeepsItsLayersForItsBackwardPass() {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        int batch = 40;
        int[] lattice = {8, 8};
        var random = new SplittableRandom(11);
        Net net = net(new int[] {1, 8, 8, 2}, 3, 2, random);
        int[] active = checkerboardSites(lattice);
        Tensor mask = Tensor.zeros(new Shape(1, 1, lattice), DType.F32);
        for (int s : active) mask.set(s, 1);
        var stages = new ArrayList<org.equiflow.tensor.Conditioner.Stage>();
        var operands = new ArrayList<Tensor>();
        Tensor x = Tensor.randn(new Shape(batch, 1, lattice), DType.F32, random);
        operands.add(x);
        for (int l = 0; l < net.chain.size(); l++) {
            stages.add(new org.equiflow.tensor.Conditioner.Stage(net.chain.get(l), net.weights.get(l).length == 2));
            for (Tensor t : net.weights.get(l)) {
                t.requiresGrad(true);
                operands.add(t);
            }
        }
        operands.add(mask);
        x.requiresGrad(true);
        var conditioner = new org.equiflow.tensor.Conditioner(stages, true);
        var plan = LaneConvNet.plan(lattice, 3, active);
        try (org.equiflow.tensor.Tape abandoned = org.equiflow.tensor.Tape.open()) {
            Ops.apply(conditioner, operands);
        }
        // weakly held: once the abandoned result is unreachable, its entry goes (the collector decides when)
        for (int i = 0; i < 50 && org.equiflow.tensor.Conditioner.keptForwardPassesWaiting() > 0; i++) System.gc();
        assertEquals(0, org.equiflow.tensor.Conditioner.keptForwardPassesWaiting(), "an abandoned forward pass's layers are let go");
        Ops.apply(conditioner, operands);
        assertEquals(0, org.equiflow.tensor.Conditioner.keptForwardPassesWaiting(), "no tape, nothing kept");
        for (int step = 0; step < 2; step++) {
            Tensor seed = Tensor.randn(new Shape(batch, 2, lattice), DType.F32, random);
            x.zeroGrad();
            for (Tensor[] w : net.weights) for (Tensor t : w) t.zeroGrad();
            try (org.equiflow.tensor.Tape tape = org.equiflow.tensor.Tape.open()) {
                Tensor out = Ops.apply(conditioner, operands);
                assertEquals(1, org.equiflow.tensor.Conditioner.keptForwardPassesWaiting(), "the forward pass kept its layers");
                tape.backward(out, seed);
                assertEquals(0, org.equiflow.tensor.Conditioner.keptForwardPassesWaiting(), "the backward pass took them");
            }
            var recomputed = LaneConvNetGradient.backward(x.f32(), batch, plan, net.lanes, seed.f32(), true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(recomputed.input(), x.grad().f32(), "input gradient, step " + step);
            for (int l = 0; l < net.weights.size(); l++) {
                Tensor[] w = net.weights.get(l);
                org.junit.jupiter.api.Assertions.assertArrayEquals(recomputed.weights().get(l), w[0].grad().f32(), "weight " + l + ", step " + step);
                if (w.length == 2) org.junit.jupiter.api.Assertions.assertArrayEquals(recomputed.biases().get(l), w[1].grad().f32(), "bias " + l);
            }
        }
    }

    /**
     * The weight gradient's neighbour-pair tiles (twelve input loads per two sites instead of
     * eighteen) give the one-site tiles' sums bit for bit, where the sites pair up (every site of
     * an 8 × 8 lattice) and where they do not (a checkerboard's, which take the one-site tiles).
     */
    @Test
    void weightGradientsFromNeighbourPairsAreTheOneSiteTilesBits() {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(5);
        var g = LaneConvNet.Geometry.of(new int[] {8, 8}, 3);
        assertTrue(LaneConvNetGradient.inNeighbourPairs(g.allTiles().sites(), g), "every site of 8 × 8 pairs up");
        var board = g.tiles(checkerboardSites(new int[] {8, 8}));
        assertTrue(!LaneConvNetGradient.inNeighbourPairs(board.sites(), g), "a checkerboard's sites do not");
        int cin = 5, cout = 6, channelSize = g.paddedSites() * LaneConvNet.LANES;
        float[] grad = new float[cout * channelSize], in = new float[cin * channelSize];
        for (int i = 0; i < grad.length; i++) grad[i] = (float) random.nextGaussian();
        for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
        var layer = new LaneConvNet.Layer(cin, cout, new float[cout * cin * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        for (var tiles : List.of(g.allTiles(), board)) {
            float[] pairs = new float[cout * cin * 9 * LaneConvNet.LANES], singles = new float[pairs.length];
            LaneConvNetGradient.weightGradient(grad, in, layer, g, tiles, pairs, true, LaneConvNet.SIXTEEN_REGISTERS);
            LaneConvNetGradient.weightGradient(grad, in, layer, g, tiles, singles, false, LaneConvNet.SIXTEEN_REGISTERS);
            org.junit.jupiter.api.Assertions.assertArrayEquals(singles, pairs);
            assertTrue(java.util.stream.IntStream.range(0, pairs.length).anyMatch(i -> pairs[i] != 0f), "sums were made");
        }
    }

    /**
     * The tiles chosen for sixteen vector registers (AVX2: 3 output channels × 4 sites in the
     * convolution, one output channel at a time in the weight gradient's neighbour pairs) and for 32
     * (AVX-512: 4 × 4, two channels) give the same bits, whichever this machine uses: both are run
     * here. Output channels 7 and 32 leave remainders after the threes and the fours; the
     * checkerboard's sites take the tiles that do not pair sites.
     */
    @ParameterizedTest(name = "{0} → {1} channels")
    @CsvSource({"5, 7", "32, 32", "8, 2"})
    void theSixteenRegisterTilesGiveTheThirtyTwoRegisterTilesBits(int cin, int cout) {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(cin * 100 + cout);
        var g = LaneConvNet.Geometry.of(new int[] {8, 8}, 3);
        int channelSize = g.paddedSites() * LaneConvNet.LANES;
        float[] weight = new float[cout * cin * 9], bias = new float[cout];
        for (int i = 0; i < weight.length; i++) weight[i] = (float) random.nextGaussian();
        for (int i = 0; i < bias.length; i++) bias[i] = (float) random.nextGaussian();
        var layer = new LaneConvNet.Layer(cin, cout, weight, bias, LaneConvNet.Kind.LEAKY_RELU, 0.01f);
        float[] in = new float[cin * channelSize], grad = new float[cout * channelSize];
        for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
        for (int i = 0; i < grad.length; i++) grad[i] = (float) random.nextGaussian();
        for (var tiles : List.of(g.allTiles(), g.tiles(checkerboardSites(new int[] {8, 8})))) {
            float[] sixteen = new float[cout * channelSize], thirtyTwo = new float[sixteen.length];
            LaneConvNet.conv(in, layer, g, tiles, sixteen, true);
            LaneConvNet.conv(in, layer, g, tiles, thirtyTwo, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(thirtyTwo, sixteen, "convolution");
            assertTrue(java.util.stream.IntStream.range(0, sixteen.length).anyMatch(i -> sixteen[i] != 0f), "sums were made");
            float[] oneChannel = new float[cout * cin * 9 * LaneConvNet.LANES], twoChannels = new float[oneChannel.length];
            LaneConvNetGradient.weightGradient(grad, in, layer, g, tiles, oneChannel, true, true);
            LaneConvNetGradient.weightGradient(grad, in, layer, g, tiles, twoChannels, true, false);
            org.junit.jupiter.api.Assertions.assertArrayEquals(twoChannels, oneChannel, "weight gradient");
        }
    }

    @Test
    void rationalTanhIsWithinFiveUlpOfTheCorrectlyRoundedValue() {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        float[] in = new float[lanes], out = new float[lanes];
        long worst = 0;
        int filled = 0;
        // every 97th float in [−12, 12], both signs, and the region near zero densely
        for (int bits = 0; bits <= Float.floatToIntBits(12f); bits += bits < Float.floatToIntBits(1e-3f) ? 9973 : 97) {
            for (float v : new float[] {Float.intBitsToFloat(bits), -Float.intBitsToFloat(bits)}) {
                in[filled++] = v;
                if (filled == lanes) {
                    System.arraycopy(in, 0, out, 0, lanes);
                    LaneConvNet.tanhAt(out, 0);
                    for (int i = 0; i < lanes; i++) {
                        float want = (float) Math.tanh(in[i]);
                        long ulps = Math.abs((long) Float.floatToIntBits(out[i]) - Float.floatToIntBits(want));
                        worst = Math.max(worst, ulps);
                        assertTrue(ulps <= 5 && Math.abs(out[i] - Math.tanh(in[i])) <= 3e-7,
                                "tanh(" + in[i] + ") = " + out[i] + ", correctly rounded " + want);
                    }
                    filled = 0;
                }
            }
        }
        assertTrue(worst >= 1, "the sweep never left exact rounding: it did not test the approximation");
    }

    /**
     * A weight's lanes are added by halves, in float64: the order written out by recursion here, bit for bit,
     * on values whose sums round differently in other orders (magnitudes from 1e-8 to 1e8), at every offset
     * of an array holding several lane groups; and within float64 rounding of the left-to-right sum.
     */
    @Test
    void lanesAreAddedByHalvesInFloat64() {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        int lanes = LaneConvNet.LANES;
        var random = new SplittableRandom(7);
        float[] values = new float[5 * lanes];
        double[] halves = new double[lanes / 2];
        int orderMattered = 0;
        for (int trial = 0; trial < 2000; trial++) {
            for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-8, 9)));
            int from = random.nextInt(4) * lanes;
            double want = byHalves(values, from, lanes), leftToRight = 0, magnitude = 0;
            for (int i = from; i < from + lanes; i++) {
                leftToRight += values[i];
                magnitude += Math.abs(values[i]);
            }
            assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(LaneConvNetGradient.foldedSum(values, from, halves)),
                    "trial " + trial);
            assertTrue(Math.abs(want - leftToRight) <= 4 * Math.ulp(magnitude), "trial " + trial);
            if (want != leftToRight) orderMattered++;
        }
        assertTrue(orderMattered > 0, "no trial told the orders apart: it did not test the order");
    }

    /** Σ values[from .. from + n) as (the first half's sums by halves) lane by lane plus the second's: lane j + lane j + n/2, then halved again. */
    private static double byHalves(float[] values, int from, int n) {
        double[] level = new double[n];
        for (int i = 0; i < n; i++) level[i] = values[from + i];
        for (int length = n; length > 1; length /= 2) {
            for (int j = 0; j < length / 2; j++) level[j] = level[j] + level[j + length / 2];
        }
        return level[0];
    }
}
