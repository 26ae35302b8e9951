package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The laws a rational-quadratic spline coupling relies on, for one set of raw parameters
 * shared by many sites that each hold a different x: strictly increasing, the identity outside
 * [−B, B], continuous with a continuous slope at every knot and at ±B, log dy/dx equal to the
 * log of a central difference of y, and the identity for all-zero raw parameters.
 */
class SplineLawsTest {

    private static final double BOUND = 2.0;

    private static Tensor sharedParameters(int bins, int sites, SplittableRandom random, double spread) {
        int channels = 3 * bins - 1;
        double[] raw = new double[channels];
        for (int c = 0; c < channels; c++) raw[c] = spread * random.nextGaussian();
        Tensor p = Tensor.zeros(new Shape(1, channels, 1, sites), DType.F64);
        for (int c = 0; c < channels; c++) for (int s = 0; s < sites; s++) p.set(c * sites + s, raw[c]);
        return p;
    }

    private static Tensor field(double[] values) {
        return Tensor.wrap(new Shape(1, 1, 1, values.length), values.clone());
    }

    private static double[] apply(Primitive spline, double[] xs, Tensor p) {
        return Ops.apply(spline, field(xs), p).toDoubleArray();
    }

    /** The knots x₀ = −B < x₁ < … < x_K = B the parameterisation puts the bin edges at. */
    private static double[] knots(int bins, Tensor p, int sites) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int k = 0; k < bins; k++) max = Math.max(max, p.get(k * sites));
        for (int k = 0; k < bins; k++) sum += Math.exp(p.get(k * sites) - max);
        double[] knots = new double[bins + 1];
        knots[0] = -BOUND;
        for (int k = 0; k < bins; k++) {
            double share = Math.exp(p.get(k * sites) - max) / sum;
            knots[k + 1] = knots[k] + 2 * BOUND * (RationalQuadraticSpline.MIN_BIN + (1 - bins * RationalQuadraticSpline.MIN_BIN) * share);
        }
        return knots;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void increasingAndIdentityOutsideTheInterval(int bins) {
        int sites = 4001;
        Tensor p = sharedParameters(bins, sites, new SplittableRandom(bins), 1.5);
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -2 * BOUND + 4 * BOUND * i / (sites - 1);
        double[] ys = apply(Spline.transform(bins, BOUND), xs, p);
        double[] logDerivatives = apply(Spline.logDerivative(bins, BOUND), xs, p);
        for (int i = 1; i < sites; i++) assertTrue(ys[i] > ys[i - 1], "not increasing at x = " + xs[i]);
        for (int i = 0; i < sites; i++) {
            if (Math.abs(xs[i]) >= BOUND) {
                assertEquals(xs[i], ys[i], 0.0, "tail at x = " + xs[i]);
                assertEquals(0.0, logDerivatives[i], 0.0, "tail slope at x = " + xs[i]);
            } else {
                assertTrue(Math.abs(ys[i]) < BOUND, "the interval maps into itself, x = " + xs[i] + " gave " + ys[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 8})
    void continuousWithContinuousSlopeAtKnotsAndBoundary(int bins) {
        double gap = 1e-9;
        double[] knots = knots(bins, sharedParameters(bins, 1, new SplittableRandom(10 + bins), 1.5), 1);
        int sites = 2 * knots.length;
        Tensor p = sharedParameters(bins, sites, new SplittableRandom(10 + bins), 1.5);
        double[] xs = new double[sites];
        for (int k = 0; k < knots.length; k++) {
            xs[2 * k] = knots[k] - gap;
            xs[2 * k + 1] = knots[k] + gap;
        }
        double[] ys = apply(Spline.transform(bins, BOUND), xs, p);
        double[] logDerivatives = apply(Spline.logDerivative(bins, BOUND), xs, p);
        for (int k = 0; k < knots.length; k++) {
            // A jump would show as a difference far above slope × 2·gap (slopes stay below 1/MIN_BIN).
            assertEquals(ys[2 * k], ys[2 * k + 1], 1e-5, "y jumps at knot " + k + " (x = " + knots[k] + ")");
            assertEquals(logDerivatives[2 * k], logDerivatives[2 * k + 1], 1e-5, "slope jumps at knot " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void logDerivativeIsTheLogOfACentralDifference(int bins) {
        int sites = 200;
        SplittableRandom random = new SplittableRandom(100 + bins);
        Tensor p = sharedParameters(bins, sites, random, 1.0);
        double step = 1e-6;
        double[] xs = new double[sites], plus = new double[sites], minus = new double[sites];
        for (int i = 0; i < sites; i++) {
            xs[i] = 1.5 * BOUND * (2 * random.nextDouble() - 1);
            plus[i] = xs[i] + step;
            minus[i] = xs[i] - step;
        }
        var transform = Spline.transform(bins, BOUND);
        double[] yPlus = apply(transform, plus, p), yMinus = apply(transform, minus, p);
        double[] logDerivatives = apply(Spline.logDerivative(bins, BOUND), xs, p);
        for (int i = 0; i < sites; i++) {
            double numeric = Math.log((yPlus[i] - yMinus[i]) / (2 * step));
            assertEquals(numeric, logDerivatives[i], 1e-6, "log dy/dx at x = " + xs[i]);
        }
    }

    /**
     * Masked, every mode is the unmasked one on the mask's sites and the tails' off them (x, 0, g,
     * 0), whatever the parameters hold there.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void aMaskedSplineIsTheSplineOnItsMaskAndTheTailsOff(int bins) {
        SplittableRandom random = new SplittableRandom(17 + bins);
        Shape field = new Shape(3, 1, 4, 4);
        Tensor x = Tensor.zeros(field, DType.F64), g = Tensor.randn(field, DType.F64, random);
        for (int i = 0; i < x.size(); i++) x.set(i, 1.8 * BOUND * (2 * random.nextDouble() - 1));
        Tensor p = Tensor.randn(field.withChannels(3 * bins - 1), DType.F64, random);
        Tensor mask = Tensor.zeros(new Shape(1, 1, 4, 4), DType.F64);
        for (int s = 0; s < 16; s++) if (s % 3 == 1) mask.set(s, 1.0);
        for (SplineGradient.Quantity quantity : List.of(SplineGradient.Quantity.TRANSFORM, SplineGradient.Quantity.LOG_DERIVATIVE)) {
            Tensor all = Ops.apply(new Spline(bins, BOUND, quantity, false, false), x, p);
            Tensor masked = Ops.apply(new Spline(bins, BOUND, quantity, false, true), x, p, mask);
            for (int i = 0; i < x.size(); i++) {
                double expected = mask.get(i % 16) != 0 ? all.get(i) : quantity == SplineGradient.Quantity.TRANSFORM ? x.get(i) : 0;
                assertEquals(expected, masked.get(i), 0, quantity + " at " + i);
            }
            for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                Tensor gradientAll = Ops.apply(new SplineGradient(bins, BOUND, quantity, operand, false, false), x, p, g);
                Tensor gradientMasked = Ops.apply(new SplineGradient(bins, BOUND, quantity, operand, false, true), x, p, g, mask);
                int perChannel = 16, channels = gradientAll.size() / (3 * perChannel);
                for (int i = 0; i < gradientAll.size(); i++) {
                    int site = i % perChannel, configuration = i / (channels * perChannel);
                    double offMask = operand == SplineGradient.Operand.INPUT && quantity == SplineGradient.Quantity.TRANSFORM
                            ? g.get(configuration * perChannel + site) : 0;
                    double expected = mask.get(site) != 0 ? gradientAll.get(i) : offMask;
                    assertEquals(expected, gradientMasked.get(i), 0, quantity + " by " + operand + " at " + i);
                }
            }
        }
    }

    /**
     * The pair is the two quantities: y and log dy/dx bit for bit as its two channels, masked or
     * not, and its gradients the sums of theirs (one pass weighs the partial derivatives by both
     * cotangents, so only rounding differs).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8})
    void thePairIsTheTwoQuantitiesInOnePass(int bins) {
        SplittableRandom random = new SplittableRandom(29 + bins);
        Shape field = new Shape(3, 1, 4, 4);
        Tensor x = Tensor.zeros(field, DType.F64), gy = Tensor.randn(field, DType.F64, random), gl = Tensor.randn(field, DType.F64, random);
        for (int i = 0; i < x.size(); i++) x.set(i, 1.8 * BOUND * (2 * random.nextDouble() - 1));
        Tensor p = Tensor.randn(field.withChannels(3 * bins - 1), DType.F64, random);
        Tensor mask = Tensor.zeros(new Shape(1, 1, 4, 4), DType.F64);
        for (int s = 0; s < 16; s++) if (s % 3 != 1) mask.set(s, 1.0);
        Tensor g = Ops.concatChannels(List.of(gy, gl));
        SplineGradient.Quantity pair = SplineGradient.Quantity.TRANSFORM_AND_LOG_DERIVATIVE;
        for (boolean masked : new boolean[] {false, true}) {
            List<Tensor> xp = masked ? List.of(x, p, mask) : List.of(x, p);
            Tensor both = Ops.apply(new Spline(bins, BOUND, pair, false, masked), xp);
            Tensor expected = Ops.concatChannels(List.of(Ops.apply(new Spline(bins, BOUND, SplineGradient.Quantity.TRANSFORM, false, masked), xp),
                    Ops.apply(new Spline(bins, BOUND, SplineGradient.Quantity.LOG_DERIVATIVE, false, masked), xp)));
            for (int i = 0; i < both.size(); i++) assertEquals(expected.get(i), both.get(i), 0, "masked " + masked + " at " + i);
            for (SplineGradient.Operand operand : SplineGradient.Operand.values()) {
                Tensor gradient = Ops.apply(new SplineGradient(bins, BOUND, pair, operand, false, masked), operands(x, p, g, masked ? mask : null));
                Tensor ofTransform = Ops.apply(new SplineGradient(bins, BOUND, SplineGradient.Quantity.TRANSFORM, operand, false, masked),
                        operands(x, p, gy, masked ? mask : null));
                Tensor ofLogDerivative = Ops.apply(new SplineGradient(bins, BOUND, SplineGradient.Quantity.LOG_DERIVATIVE, operand, false, masked),
                        operands(x, p, gl, masked ? mask : null));
                for (int i = 0; i < gradient.size(); i++) {
                    double sum = ofTransform.get(i) + ofLogDerivative.get(i);
                    assertEquals(sum, gradient.get(i), 1e-12 * Math.max(1, Math.abs(sum)), operand + ", masked " + masked + " at " + i);
                }
            }
        }
    }

    private static List<Tensor> operands(Tensor x, Tensor p, Tensor g, Tensor mask) {
        return mask == null ? List.of(x, p, g) : List.of(x, p, g, mask);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8})
    void zeroParametersGiveTheIdentity(int bins) {
        int sites = 101;
        Tensor p = Tensor.zeros(new Shape(1, 3 * bins - 1, 1, sites), DType.F64);
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -1.5 * BOUND + 3 * BOUND * i / (sites - 1);
        double[] ys = apply(Spline.transform(bins, BOUND), xs, p);
        double[] logDerivatives = apply(Spline.logDerivative(bins, BOUND), xs, p);
        for (int i = 0; i < sites; i++) {
            assertEquals(xs[i], ys[i], 1e-12);
            assertEquals(0.0, logDerivatives[i], 1e-12);
        }
    }

    /** The inverse undoes the transform both ways, across every bin, the knots and the identity tails. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8})
    void theInverseInvertsTheTransform(int bins) {
        int sites = 4001;
        Tensor p = sharedParameters(bins, sites, new SplittableRandom(1000 + bins), 1.5);
        double[] xs = new double[sites];
        for (int i = 0; i < sites; i++) xs[i] = -2 * BOUND + 4 * BOUND * i / (sites - 1);
        double[] ys = apply(Spline.transform(bins, BOUND), xs, p);
        double[] back = apply(new SplineInverse(bins, BOUND), ys, p);
        for (int i = 0; i < sites; i++) assertEquals(xs[i], back[i], 1e-10, "spline⁻¹(spline(x)) at x = " + xs[i]);
        double[] forth = apply(Spline.transform(bins, BOUND), apply(new SplineInverse(bins, BOUND), xs, p), p);
        for (int i = 0; i < sites; i++) assertEquals(xs[i], forth[i], 1e-10, "spline(spline⁻¹(y)) at y = " + xs[i]);
    }
}
