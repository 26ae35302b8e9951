package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The circular spline with a learned end-knot slope shared by both ends (Rezende et al.,
 * arXiv:2002.02428: 3K − 1 spline parameters plus that slope): on [−π, π] it fixes both ends,
 * its slope there is the learned δ_end at both, log dy/dx is the log of a central difference,
 * the inverse undoes it, and the hand-written gradients in x and in every raw parameter —
 * the end slope's included — match central differences in float64.
 */
class CircularSplineTest {

    private static final double BOUND = Math.PI;

    /** Raw parameters [1, 3K, 1, sites], the same at every site. */
    private static Tensor sharedParameters(int bins, int sites, double[] raw) {
        int channels = 3 * bins;
        Tensor p = Tensor.zeros(new Shape(1, channels, 1, sites), DType.F64);
        for (int c = 0; c < channels; c++) for (int s = 0; s < sites; s++) p.set(c * sites + s, raw[c]);
        return p;
    }

    private static double[] randomRaw(int bins, SplittableRandom random) {
        double[] raw = new double[3 * bins];
        for (int c = 0; c < raw.length; c++) raw[c] = 1.2 * random.nextGaussian();
        return raw;
    }

    private static Tensor field(double... values) {
        return Tensor.wrap(new Shape(1, 1, 1, values.length), values.clone());
    }

    private static double[] apply(Primitive primitive, double[] xs, Tensor p) {
        return Ops.apply(primitive, field(xs), p).toDoubleArray();
    }

    /** The end slope the parameterisation gives for raw value r: the interior slopes' softplus map. */
    private static double endSlope(double r) {
        double z = r + RationalQuadraticSpline.DERIVATIVE_SHIFT;
        return RationalQuadraticSpline.MIN_DERIVATIVE + Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void fixesTheEndsWithTheLearnedSlopeAtBoth(int bins) {
        double[] raw = randomRaw(bins, new SplittableRandom(7 + bins));
        raw[3 * bins - 1] = 0.9;
        double expected = endSlope(0.9);
        assertTrue(Math.abs(expected - 1) > 0.3, "the test needs an end slope away from the pinned 1, got " + expected);
        // Second-order one-sided differences and extrapolation: a narrow end bin can curve strongly.
        double h = 1e-6;
        double[] xs = {-BOUND, -BOUND + h, -BOUND + 2 * h, BOUND - h, BOUND - 2 * h, BOUND - 3 * h};
        Tensor p = sharedParameters(bins, xs.length, raw);
        double[] ys = apply(Spline.circularTransform(bins, BOUND), xs, p);
        double[] logDerivatives = apply(Spline.circularLogDerivative(bins, BOUND), xs, p);
        assertEquals(-BOUND, ys[0], 1e-15, "f(−π) = −π");
        // f(π) = π, approached from inside (π itself is the next turn's −π): quadratic extrapolation.
        assertEquals(BOUND, 3 * ys[3] - 3 * ys[4] + ys[5], 1e-9, "f(π) = π");
        assertEquals(expected, (-3 * ys[0] + 4 * ys[1] - ys[2]) / (2 * h), 1e-4, "f′(−π) is the learned end slope");
        assertEquals(expected, (3 * BOUND - 4 * ys[3] + ys[4]) / (2 * h), 1e-4, "f′(π) is the learned end slope");
        assertEquals(Math.log(expected), logDerivatives[0], 1e-12, "log f′ at −π itself");
        assertEquals(Math.log(expected), logDerivatives[3], 1e-4, "log f′ next to π");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void logDerivativeIsTheLogOfACentralDifference(int bins) {
        int sites = 801;
        Tensor p = sharedParameters(bins, sites, randomRaw(bins, new SplittableRandom(100 + bins)));
        double h = 1e-6;
        double[] xs = new double[sites], up = new double[sites], down = new double[sites];
        for (int i = 0; i < sites; i++) {
            xs[i] = -BOUND + 2 * h + (2 * BOUND - 4 * h) * i / (sites - 1);
            up[i] = xs[i] + h;
            down[i] = xs[i] - h;
        }
        double[] logDerivatives = apply(Spline.circularLogDerivative(bins, BOUND), xs, p);
        double[] yUp = apply(Spline.circularTransform(bins, BOUND), up, p), yDown = apply(Spline.circularTransform(bins, BOUND), down, p);
        int compared = 0;
        for (int i = 0; i < sites; i++) {
            double numerical = (yUp[i] - yDown[i]) / (2 * h);
            assertTrue(numerical > 0, "strictly increasing at x = " + xs[i]);
            // Knots are only C¹: a difference straddling one sees the slope's kink at second order, so compare with a loose bound.
            assertEquals(numerical, Math.exp(logDerivatives[i]), 1e-5 * Math.max(1, numerical), "f′ at x = " + xs[i]);
            compared++;
        }
        assertEquals(sites, compared);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void theInverseInvertsTheTransform(int bins) {
        int sites = 2001;
        Tensor p = sharedParameters(bins, sites, randomRaw(bins, new SplittableRandom(1000 + bins)));
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -BOUND + 2 * BOUND * i / sites;
        SplineInverse inverse = new SplineInverse(bins, BOUND, true);
        double[] back = apply(inverse, apply(Spline.circularTransform(bins, BOUND), xs, p), p);
        for (int i = 0; i < sites; i++) assertEquals(xs[i], back[i], 1e-10, "f⁻¹(f(x)) at x = " + xs[i]);
        double[] forth = apply(Spline.circularTransform(bins, BOUND), apply(inverse, xs, p), p);
        for (int i = 0; i < sites; i++) assertEquals(xs[i], forth[i], 1e-10, "f(f⁻¹(y)) at y = " + xs[i]);
    }

    /**
     * ∂/∂x and ∂/∂p of y and of log dy/dx against central differences, per site (the Jacobian is
     * diagonal in sites), for every raw channel; the end slope's channel is 3K − 1.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void gradientsMatchCentralDifferences(int bins) {
        SplittableRandom random = new SplittableRandom(5000 + bins);
        int sites = 64, channels = 3 * bins;
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -BOUND + 2 * BOUND * (i + 0.5) / sites;
        Tensor p = Tensor.zeros(new Shape(1, channels, 1, sites), DType.F64);
        for (int k = 0; k < p.size(); k++) p.set(k, 1.2 * random.nextGaussian());
        double[] cotangent = new double[sites];
        for (int i = 0; i < sites; i++) cotangent[i] = random.nextGaussian();
        double h = 1e-6;
        for (SplineGradient.Quantity quantity : List.of(SplineGradient.Quantity.TRANSFORM, SplineGradient.Quantity.LOG_DERIVATIVE)) {
            Spline f = new Spline(bins, BOUND, quantity, true);
            double[] inputGradient = Ops.apply(new SplineGradient(bins, BOUND, quantity, SplineGradient.Operand.INPUT, true),
                    field(xs), p, field(cotangent)).toDoubleArray();
            double[] up = xs.clone(), down = xs.clone();
            for (int i = 0; i < sites; i++) { up[i] += h; down[i] -= h; }
            double[] fUp = apply(f, up, p), fDown = apply(f, down, p);
            for (int i = 0; i < sites; i++) {
                double numerical = cotangent[i] * (fUp[i] - fDown[i]) / (2 * h);
                assertEquals(numerical, inputGradient[i], 1e-6 * Math.max(1, Math.abs(numerical)), quantity + " ∂/∂x at site " + i);
            }
            double[] parameterGradient = Ops.apply(new SplineGradient(bins, BOUND, quantity, SplineGradient.Operand.PARAMETERS, true),
                    field(xs), p, field(cotangent)).toDoubleArray();
            double endGradientSize = 0;
            for (int c = 0; c < channels; c++) {
                Tensor pUp = p.copy(), pDown = p.copy();
                for (int i = 0; i < sites; i++) {
                    pUp.set(c * sites + i, p.get(c * sites + i) + h);
                    pDown.set(c * sites + i, p.get(c * sites + i) - h);
                }
                double[] gUp = apply(f, xs, pUp), gDown = apply(f, xs, pDown);
                for (int i = 0; i < sites; i++) {
                    double numerical = cotangent[i] * (gUp[i] - gDown[i]) / (2 * h);
                    assertEquals(numerical, parameterGradient[c * sites + i], 1e-6 * Math.max(1, Math.abs(numerical)),
                            quantity + " ∂/∂p channel " + c + " at site " + i);
                    if (c == channels - 1) endGradientSize += Math.abs(numerical);
                }
            }
            assertTrue(endGradientSize > 1e-3, quantity + ": the end slope must move the spline in the end bins");
        }
    }

    @Test
    void theLearnedVariantNeedsThreeChannelsPerBin() {
        Tensor x = field(0.1, 0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ops.apply(Spline.circularTransform(4, BOUND), x, Tensor.zeros(new Shape(1, 11, 1, 2), DType.F64)));
        assertTrue(e.getMessage().contains("3·bins channels"), e.getMessage());
    }

    /** Raw end slope 0 gives δ_end = 1: then the learned spline is the pinned one on [−π, π). */
    @Test
    void aZeroEndSlopeIsThePinnedSpline() {
        int bins = 5, sites = 301;
        double[] raw = randomRaw(bins, new SplittableRandom(42));
        raw[3 * bins - 1] = 0;
        Tensor learned = sharedParameters(bins, sites, raw);
        Tensor pinned = Ops.sliceChannels(learned, 0, 3 * bins - 1);
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -BOUND + 2 * BOUND * (i + 0.5) / sites;
        double[] a = apply(Spline.circularTransform(bins, BOUND), xs, learned), b = apply(Spline.transform(bins, BOUND), xs, pinned);
        for (int i = 0; i < sites; i++) assertEquals(b[i], a[i], 1e-12, "at x = " + xs[i]);
    }
}
