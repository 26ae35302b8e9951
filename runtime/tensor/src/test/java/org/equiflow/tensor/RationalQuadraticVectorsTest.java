package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.equiflow.tensor.cpu.RationalQuadraticVectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A float32 coupling's spline value and log-derivative, and their gradients with respect to x and
 * to the parameters, computed a vector of sites at a time ({@link RationalQuadraticVectors}),
 * against the scalar routine in float64 on the same widened numbers: within two float32 roundings of it (the vector exponentials and logarithms differ from
 * {@code Math}'s near 1e-13), with x inside and outside [−B, B], on masked and unmasked sites, the
 * learned and the pinned end slopes, and lattices whose sites fill the vectors and ones that leave
 * some over.
 */
class RationalQuadraticVectorsTest {

    @ParameterizedTest(name = "mode {5}: {0} bins, learned ends {1}, {2} × {3}, masked {4}")
    @CsvSource({
        "8, true, 8, 8, true, 7",     // the wide U(1) model's circular spline on a checkerboard: the pair
        "8, true, 8, 8, false, 7",
        "8, false, 8, 8, true, 7",    // a pinned spline (φ⁴'s)
        "3, false, 5, 7, false, 7",   // 35 sites: a vector's remainder goes through the scalar routine
        "1, true, 4, 6, true, 7",     // one bin: both end slopes in it
        "8, true, 8, 8, true, 8",     // the pair's gradient with respect to x
        "8, false, 5, 7, false, 8",
        "1, true, 4, 6, true, 8",
        "8, true, 8, 8, true, 9",     // ... and with respect to the parameters
        "8, false, 8, 8, false, 9",
        "3, true, 5, 7, true, 9",
        "1, true, 4, 6, false, 9",
    })
    void matchesTheScalarRoutine(int bins, boolean learnedEnds, int rows, int cols, boolean masked, int mode) {
        assumeTrue(RationalQuadraticVectors.supported(), "no float64 vectors here");
        double bound = Math.PI;
        int batch = 37, sites = rows * cols, channels = 3 * bins - 1 + (learnedEnds ? 1 : 0);
        var random = new SplittableRandom(bins * 100L + rows * 10L + (learnedEnds ? 1 : 0) + (masked ? 2 : 0));
        Tensor x = Tensor.zeros(new Shape(batch, 1, rows, cols), DType.F32);
        Tensor p = Tensor.zeros(new Shape(batch, channels, rows, cols), DType.F32);
        for (int i = 0; i < x.size(); i++) x.f32()[i] = (float) (random.nextDouble(-1.25, 1.25) * bound);
        for (int i = 0; i < p.size(); i++) p.f32()[i] = (float) (random.nextGaussian() * 2);
        Tensor mask = null;
        boolean[] active = null;
        if (masked) {
            mask = Tensor.zeros(new Shape(1, 1, rows, cols), DType.F32);
            active = new boolean[sites];
            for (int s = 0; s < sites; s++) {
                active[s] = (s / cols + s % cols) % 2 == 0;
                mask.f32()[s] = active[s] ? 1 : 0;
            }
        }
        Tensor g = Tensor.zeros(new Shape(batch, 2, rows, cols), DType.F32);
        for (int i = 0; i < g.size(); i++) g.f32()[i] = (float) random.nextGaussian();
        int outChannels = mode == RationalQuadraticSpline.TRANSFORM_AND_LOG_DERIVATIVE ? 2
                : mode == RationalQuadraticSpline.PAIR_INPUT_GRADIENT ? 1 : channels;
        Tensor out = Tensor.zeros(new Shape(batch, outChannels, rows, cols), DType.F32);
        RationalQuadraticSpline.apply(mode, bins, bound, learnedEnds, x, p, g, mask, out);

        double[] xd = new double[x.size()], pd = new double[p.size()], gd = new double[g.size()], want = new double[out.size()];
        for (int i = 0; i < xd.length; i++) xd[i] = x.f32()[i];
        for (int i = 0; i < pd.length; i++) pd[i] = p.f32()[i];
        for (int i = 0; i < gd.length; i++) gd[i] = g.f32()[i];
        RationalQuadraticSpline.evaluate(mode, bins, bound, learnedEnds, xd, pd, gd, active, want, sites, xd.length);
        // float32 rounding of each result; a gradient summed from terms that cancel gets an absolute floor, far above
        // the vector routine's 1e-13 relative error in the terms and far below any error in a formula
        double largest = 0;
        for (double w : want) largest = Math.max(largest, Math.abs(w));
        int differing = 0, nonZero = 0;
        for (int i = 0; i < want.length; i++) {
            float got = out.f32()[i];
            double tolerance = 2 * Math.ulp((float) Math.max(Math.abs(want[i]), 1e-30)) + (mode == RationalQuadraticSpline.TRANSFORM_AND_LOG_DERIVATIVE ? 0 : 1e-9 * largest);
            assertTrue(Math.abs(got - want[i]) <= tolerance, "value " + i + ": " + got + " against " + want[i]);
            if (got != (float) want[i]) differing++;
            if (want[i] != 0) nonZero++;
        }
        assertTrue(nonZero > want.length / 8, "too few results that are not zero: " + nonZero);
        assertTrue(differing <= want.length / 100, differing + " of " + want.length + " float32 results not the scalar routine's");
        if (mode != RationalQuadraticSpline.TRANSFORM_AND_LOG_DERIVATIVE) return;
        // the identity off the mask and outside [−B, B], exactly
        for (int c = 0; c < batch; c++) {
            for (int s = 0; s < sites; s++) {
                float xv = x.f32()[c * sites + s];
                boolean in = (active == null || active[s]) && (learnedEnds ? xv >= -bound && xv < bound : xv > -bound && xv < bound);
                if (!in) {
                    assertEquals(xv, out.f32()[c * 2 * sites + s]);
                    assertEquals(0f, out.f32()[c * 2 * sites + sites + s]);
                }
            }
        }
    }
}
