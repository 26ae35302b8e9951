package org.equiflow.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Winograd's F(2×2, 3×3) against the periodic correlation it replaces, computed here in float64
 * site by site from its definition (not from the direct tiles): every output within four float32
 * roundings of the sum of its terms' magnitudes (1.1 the worst seen), on lattices whose blocks fill the matrix
 * products' tiles and ones that leave remainders, every activation, with and without bias; the
 * padding (halo) left as it was. And where it does not apply.
 */
class WinogradConvTest {

    /** Float32 epsilon: the transforms add a few roundings of terms as large as the sum of the magnitudes. */
    private static final double EPSILON = Math.ulp(1f);

    @ParameterizedTest(name = "{0} → {1} channels on {2} × {3}, {4}")
    @CsvSource({
        "32, 32, 8, 8, LEAKY_RELU",   // the wide conditioners' middle layer: every tile 3 (or 4) channels × 4 blocks
        "25, 32, 8, 8, IDENTITY",     // a last layer's input gradient: 25 channels in
        "8, 8, 8, 8, TANH",           // a narrow layer (such layers stay direct in use; the kernel takes any width)
        "9, 10, 6, 6, LEAKY_RELU",    // nine blocks: a chunk of eight and one over, a remainder of channels
        "16, 11, 16, 16, TANH",       // 64 blocks in chunks of eight
        "8, 13, 4, 10, IDENTITY",     // rows and columns of different lengths
    })
    void equalsThePeriodicCorrelationWithinFloat32Rounding(int cin, int cout, int rows, int cols, LaneConvNet.Kind activation) {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(cin * 1000L + cout * 10L + rows);
        int[] extents = {rows, cols};
        var g = LaneConvNet.Geometry.of(extents, 3);
        int lanes = LaneConvNet.LANES, channelSize = g.paddedSites() * lanes;
        float[] weight = new float[cout * cin * 9];
        for (int i = 0; i < weight.length; i++) weight[i] = (float) (random.nextGaussian() / Math.sqrt(9 * cin));
        float[] bias = null;
        if (cout % 2 == 0) {
            bias = new float[cout];
            for (int i = 0; i < cout; i++) bias[i] = (float) random.nextGaussian();
        }
        var layer = new LaneConvNet.Layer(cin, cout, weight, bias, activation, 0.01f);
        float[] in = new float[cin * channelSize];
        for (int c = 0; c < cin; c++) {
            for (int s = 0; s < g.sites(); s++) {
                for (int lane = 0; lane < lanes; lane++) in[c * channelSize + g.padded()[s] + lane] = (float) random.nextGaussian();
            }
        }
        g.fillHalo(in, cin);
        float[] out = new float[cout * channelSize];
        java.util.Arrays.fill(out, Float.NaN);
        WinogradConv.conv(in, layer, g, out);

        boolean[] site = new boolean[g.paddedSites()];
        for (int s = 0; s < g.sites(); s++) site[g.padded()[s] / lanes] = true;
        double worst = 0;
        for (int co = 0; co < cout; co++) {
            for (int p = 0; p < g.paddedSites(); p++) {
                int o = co * channelSize + p * lanes;
                if (!site[p]) {
                    for (int lane = 0; lane < lanes; lane++) assertTrue(Float.isNaN(out[o + lane]), "the halo is left as it was");
                    continue;
                }
                for (int lane = 0; lane < lanes; lane++) {
                    double sum = bias == null ? 0 : bias[co], magnitude = Math.abs(sum);
                    for (int ci = 0; ci < cin; ci++) {
                        for (int tap = 0; tap < 9; tap++) {
                            double term = (double) weight[(co * cin + ci) * 9 + tap] * in[ci * channelSize + p * lanes + g.tapOffset()[tap] + lane];
                            sum += term;
                            magnitude += Math.abs(term);
                        }
                    }
                    double want = switch (activation) {
                        case IDENTITY -> sum;
                        case LEAKY_RELU -> sum > 0 ? sum : 0.01 * sum;
                        case TANH -> Math.tanh(sum);
                    };
                    // 5e-7: the rational tanh's own error
                    double error = Math.abs(out[o + lane] - want), allowed = 4 * EPSILON * magnitude + (activation == LaneConvNet.Kind.TANH ? 5e-7 : 0);
                    assertTrue(error <= allowed, "channel " + co + ", padded site " + p + ", lane " + lane + ": " + out[o + lane]
                            + " against " + want + " (error " + error + ", allowed " + allowed + ")");
                    worst = Math.max(worst, error / (EPSILON * magnitude));
                }
            }
        }
        assertTrue(worst > 0, "some output was rounded: the comparison is not vacuous");
    }

    /**
     * The weight gradient summed at the Winograd points and carried to the taps, against its
     * definition in float64: Σ over sites and lanes of grad[co][s] · in[ci][s + tap]. Float32
     * sums over the 16 blocks of each lane group and across the groups, as the direct tiles' are.
     */
    @ParameterizedTest(name = "{0} → {1} channels on {2} × {3}, {4} lane groups")
    @CsvSource({"32, 32, 8, 8, 4", "9, 10, 6, 6, 3", "8, 13, 4, 10, 2", "16, 8, 16, 16, 1"})
    void weightGradientAtThePointsIsTheCorrelationOfGradientAndInput(int cin, int cout, int rows, int cols, int groups) {
        assumeTrue(LaneConvNet.supported(), "no vector support here");
        var random = new SplittableRandom(cin * 7L + cout * 3L + rows);
        var g = LaneConvNet.Geometry.of(new int[] {rows, cols}, 3);
        int lanes = LaneConvNet.LANES, channelSize = g.paddedSites() * lanes;
        var layer = new LaneConvNet.Layer(cin, cout, new float[cout * cin * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        float[] partial = new float[WinogradConv.pointPartialSize(layer)];
        double[] want = new double[cout * cin * 9], magnitude = new double[want.length];
        for (int group = 0; group < groups; group++) {
            float[] in = new float[cin * channelSize], grad = new float[cout * channelSize];
            for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
            for (int i = 0; i < grad.length; i++) grad[i] = (float) random.nextGaussian();
            g.fillHalo(in, cin);
            WinogradConv.weightGradient(grad, in, layer, g, partial);
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int tap = 0; tap < 9; tap++) {
                        int k = (co * cin + ci) * 9 + tap;
                        for (int s = 0; s < g.sites(); s++) {
                            for (int lane = 0; lane < lanes; lane++) {
                                double term = (double) grad[co * channelSize + g.padded()[s] + lane]
                                        * in[ci * channelSize + g.padded()[s] + g.tapOffset()[tap] + lane];
                                want[k] += term;
                                magnitude[k] += Math.abs(term);
                            }
                        }
                    }
                }
            }
        }
        float[] got = WinogradConv.weightsFromPoints(partial, layer);
        double worst = 0;
        for (int k = 0; k < want.length; k++) {
            double error = Math.abs(got[k] - want[k]);
            // float32 sums over blocks and lane groups of combinations of four inputs and four gradients: 0.32 the worst seen
            double allowed = 2 * EPSILON * magnitude[k];
            assertTrue(error <= allowed, "weight " + k + ": " + got[k] + " against " + want[k] + " (error " + error + ", allowed " + allowed + ")");
            worst = Math.max(worst, error / (EPSILON * magnitude[k]));
        }
        assertTrue(worst > 0, "some sum was rounded: the comparison is not vacuous");
    }

    @Test
    void leavesToTheDirectTilesWhatItCannotDo() {
        var plane = LaneConvNet.Geometry.of(new int[] {8, 8}, 3);
        var wide = new LaneConvNet.Layer(32, 32, new float[32 * 32 * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        var narrowIn = new LaneConvNet.Layer(2, 32, new float[2 * 32 * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        var narrowOut = new LaneConvNet.Layer(32, 2, new float[2 * 32 * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        var tutorial = new LaneConvNet.Layer(8, 8, new float[8 * 8 * 9], null, LaneConvNet.Kind.IDENTITY, 0f);
        assertFalse(WinogradConv.applies(tutorial, plane, plane.allTiles()), "eight channels (the tutorial's) stay direct");
        assertEquals(WinogradConvTest.enabled(), WinogradConv.applies(wide, plane, plane.allTiles()));
        assertFalse(WinogradConv.applies(narrowIn, plane, plane.allTiles()), "two input channels");
        assertFalse(WinogradConv.applies(narrowOut, plane, plane.allTiles()), "two output channels");
        int[] even = new int[32];
        for (int i = 0; i < 32; i++) even[i] = 2 * i;
        assertFalse(WinogradConv.applies(wide, plane, plane.tiles(even)), "the last layer on some sites");
        var odd = LaneConvNet.Geometry.of(new int[] {7, 8}, 3);
        assertFalse(WinogradConv.applies(wide, odd, odd.allTiles()), "an odd extent");
        var cube = LaneConvNet.Geometry.of(new int[] {4, 4, 4}, 3);
        assertFalse(WinogradConv.applies(wide, cube, cube.allTiles()), "three dimensions");
        var five = LaneConvNet.Geometry.of(new int[] {8, 8}, 5);
        var wideFive = new LaneConvNet.Layer(32, 32, new float[32 * 32 * 25], null, LaneConvNet.Kind.IDENTITY, 0f);
        assertFalse(WinogradConv.applies(wideFive, five, five.allTiles()), "a 5 × 5 kernel");
    }

    private static boolean enabled() {
        return !"false".equals(System.getProperty("equiflow.conditioner.winograd"));
    }
}
