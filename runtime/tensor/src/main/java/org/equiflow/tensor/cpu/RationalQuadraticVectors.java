package org.equiflow.tensor.cpu;

import static org.equiflow.tensor.cpu.VectorMath.DOUBLES;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The rational-quadratic spline's value and log-derivative (what a coupling's forward pass wants) for
 * as many sites at once as float64 vectors hold: the same formulas as {@code RationalQuadraticSpline}'s
 * scalar routine, step for step, with each site's bin found by masks instead of a branch. The
 * exponentials and logarithms are {@link VectorMath}'s (relative error near 1e-13 and 1e-15, where
 * {@code Math}'s are correctly rounded to within an ulp), which a float32 result does not see but in a
 * rare last bit. Used for float32 tensors only; float64 ones keep the scalar routine.
 */
public final class RationalQuadraticVectors {

    /** Sites per vector. */
    public static final int LANES = DOUBLES.length();

    private RationalQuadraticVectors() {
    }

    /** {@code -Dequiflow.spline.vectors=false} keeps the scalar routine, to measure what this buys. */
    private static final boolean ENABLED = !"false".equals(System.getProperty("equiflow.spline.vectors"));

    /** Whether this machine has float64 vectors that pay (four lanes or more). */
    public static boolean supported() {
        return ENABLED && VectorMath.supported() && LANES >= 4;
    }

    /**
     * For every configuration and its sites [0, {@code vectorSites}) (a multiple of {@link #LANES}):
     * out[c][0][s] = y and out[c][1][s] = log dy/dx of the spline with K = {@code bins} bins on
     * [−bound, bound], parameters p [N, 3K − 1 (+ 1 with learned ends), sites], at x [N, 1, sites];
     * the identity (y = x, 0) off {@code active} (null: every site active) and outside the interval.
     * The constants are the spline's (its minimal bin share and slope, the slopes' shift).
     */
    public static void transformAndLogDerivative(int bins, double bound, boolean learnedEnds, double minBin, double minDerivative,
                                                 double derivativeShift, double[] x, double[] p, boolean[] active, double[] out,
                                                 int sites, int vectorSites, int configurations) {
        int channels = 3 * bins - 1 + (learnedEnds ? 1 : 0);
        // per vector of sites: the softmaxes' 2K exponentials (then the bin's five rows), 3 softplus arguments, then 3 logarithms'
        double[] exps = new double[Math.max(2 * bins, 5) * LANES], stage = new double[3 * LANES];
        for (int c = 0; c < configurations; c++) {
            for (int s = 0; s < vectorSites; s += LANES) {
                int pBase = c * channels * sites + s, pairBase = c * 2 * sites + s;
                int xo = c * sites + s;
                if (!inside(bound, learnedEnds, x, xo, active, s).anyTrue()) {
                    DoubleVector.fromArray(DOUBLES, x, xo).intoArray(out, pairBase);
                    DoubleVector.zero(DOUBLES).intoArray(out, pairBase + sites);
                    continue;
                }
                // the steps with exponentials and logarithms in loops of their own over arrays: in one method with the
                // rest, C2 did not inline the vector helpers and their vectors went through the heap (no faster than scalar)
                shiftedLogits(bins, p, pBase, sites, exps);
                expInPlace(exps, 2 * bins * LANES);
                binAndKnots(bins, bound, learnedEnds, minBin, derivativeShift, x, xo, p, pBase, sites, exps, stage);
                softplusInPlace(stage);
                finish(bins, bound, minDerivative, learnedEnds, x, xo, active, s, exps, stage, out, pairBase, sites);
            }
        }
    }

    /** The sites x[xo …] on which the spline acts: active (null: all) and inside the interval. */
    private static VectorMask<Double> inside(double bound, boolean learnedEnds, double[] x, int xo, boolean[] active, int s) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        VectorMask<Double> inside = learnedEnds
                ? xv.compare(VectorOperators.GE, -bound).and(xv.compare(VectorOperators.LT, bound))
                : xv.compare(VectorOperators.GT, -bound).and(xv.compare(VectorOperators.LT, bound));
        return active == null ? inside : inside.and(VectorMask.fromArray(DOUBLES, active, s));
    }

    /** exps[k] = p_k − max over the K width logits, exps[K + k] likewise for the heights (each a vector of sites). */
    private static void shiftedLogits(int bins, double[] p, int pBase, int sites, double[] exps) {
        DoubleVector widthMax = DoubleVector.fromArray(DOUBLES, p, pBase);
        DoubleVector heightMax = DoubleVector.fromArray(DOUBLES, p, pBase + bins * sites);
        for (int k = 1; k < bins; k++) {
            widthMax = widthMax.max(DoubleVector.fromArray(DOUBLES, p, pBase + k * sites));
            heightMax = heightMax.max(DoubleVector.fromArray(DOUBLES, p, pBase + (bins + k) * sites));
        }
        for (int k = 0; k < bins; k++) {
            DoubleVector.fromArray(DOUBLES, p, pBase + k * sites).sub(widthMax).intoArray(exps, k * LANES);
            DoubleVector.fromArray(DOUBLES, p, pBase + (bins + k) * sites).sub(heightMax).intoArray(exps, (bins + k) * LANES);
        }
    }

    /**
     * Each site's bin (the first whose right edge passes x; the last takes what rounding leaves): exps is left holding,
     * per row, the bin's left edge, bottom, width, height and index (rows 0–4, over the exponentials no longer needed
     * once the walk is done: it reads them in order); stage the softplus arguments of the shared end slope and the
     * bin's left and right knots.
     */
    private static void binAndKnots(int bins, double bound, boolean learnedEnds, double minBin, double derivativeShift,
                                    double[] x, int xo, double[] p, int pBase, int sites, double[] exps, double[] stage) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        DoubleVector widthSum = DoubleVector.zero(DOUBLES), heightSum = widthSum;
        for (int k = 0; k < bins; k++) {
            widthSum = widthSum.add(DoubleVector.fromArray(DOUBLES, exps, k * LANES));
            heightSum = heightSum.add(DoubleVector.fromArray(DOUBLES, exps, (bins + k) * LANES));
        }
        double scale = 1 - bins * minBin;
        DoubleVector left = DoubleVector.broadcast(DOUBLES, -bound), bottom = left;
        DoubleVector width = DoubleVector.zero(DOUBLES), height = width, bin = DoubleVector.broadcast(DOUBLES, bins - 1);
        VectorMask<Double> searching = DOUBLES.maskAll(true);
        for (int k = 0; k < bins; k++) {
            DoubleVector widthK = DoubleVector.fromArray(DOUBLES, exps, k * LANES).div(widthSum).fma(scale, minBin).mul(2 * bound);
            DoubleVector heightK = DoubleVector.fromArray(DOUBLES, exps, (bins + k) * LANES).div(heightSum).fma(scale, minBin).mul(2 * bound);
            VectorMask<Double> found = k == bins - 1 ? searching : searching.and(xv.compare(VectorOperators.LT, left.add(widthK)));
            width = width.blend(widthK, found);
            height = height.blend(heightK, found);
            bin = bin.blend((double) k, found);
            VectorMask<Double> passed = searching.andNot(found);
            left = left.blend(left.add(widthK), passed);
            bottom = bottom.blend(bottom.add(heightK), passed);
            searching = passed;
        }
        DoubleVector leftZ = DoubleVector.zero(DOUBLES), rightZ = leftZ;
        for (int j = 0; j < bins - 1; j++) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, p, pBase + (2 * bins + j) * sites);
            leftZ = leftZ.blend(z, bin.compare(VectorOperators.EQ, j + 1));
            rightZ = rightZ.blend(z, bin.compare(VectorOperators.EQ, j));
        }
        DoubleVector endZ = learnedEnds ? DoubleVector.fromArray(DOUBLES, p, pBase + (3 * bins - 1) * sites) : DoubleVector.zero(DOUBLES);
        endZ.add(derivativeShift).intoArray(stage, 0);
        leftZ.add(derivativeShift).intoArray(stage, LANES);
        rightZ.add(derivativeShift).intoArray(stage, 2 * LANES);
        left.intoArray(exps, 0);
        bottom.intoArray(exps, LANES);
        width.intoArray(exps, 2 * LANES);
        height.intoArray(exps, 3 * LANES);
        bin.intoArray(exps, 4 * LANES);
    }

    /** y and log dy/dx from the bin (exps' rows 0–4) and the knots' softplus values (stage), the identity outside. */
    private static void finish(int bins, double bound, double minDerivative, boolean learnedEnds, double[] x, int xo, boolean[] active,
                               int s, double[] exps, double[] stage, double[] out, int pairBase, int sites) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        VectorMask<Double> inside = inside(bound, learnedEnds, x, xo, active, s);
        DoubleVector left = DoubleVector.fromArray(DOUBLES, exps, 0), bottom = DoubleVector.fromArray(DOUBLES, exps, LANES);
        DoubleVector width = DoubleVector.fromArray(DOUBLES, exps, 2 * LANES), height = DoubleVector.fromArray(DOUBLES, exps, 3 * LANES);
        DoubleVector bin = DoubleVector.fromArray(DOUBLES, exps, 4 * LANES);
        DoubleVector end = learnedEnds ? DoubleVector.fromArray(DOUBLES, stage, 0).add(minDerivative) : DoubleVector.broadcast(DOUBLES, 1.0);
        DoubleVector leftDerivative = end.blend(DoubleVector.fromArray(DOUBLES, stage, LANES).add(minDerivative),
                bin.compare(VectorOperators.GT, 0));
        DoubleVector rightDerivative = end.blend(DoubleVector.fromArray(DOUBLES, stage, 2 * LANES).add(minDerivative),
                bin.compare(VectorOperators.LT, bins - 1));
        // with ξ the position in the bin and s its slope, as the scalar routine writes them
        DoubleVector xi = xv.sub(left).div(width);
        DoubleVector slope = height.div(width);
        DoubleVector oneMinusXi = xi.neg().add(1.0);
        DoubleVector u = xi.mul(oneMinusXi);
        DoubleVector curvature = leftDerivative.add(rightDerivative).sub(slope.mul(2.0));
        DoubleVector numerator = slope.mul(xi).mul(xi).add(leftDerivative.mul(u));
        DoubleVector denominator = slope.add(curvature.mul(u));
        DoubleVector derivativeNumerator = rightDerivative.mul(xi).mul(xi).add(slope.mul(2.0).mul(u))
                .add(leftDerivative.mul(oneMinusXi).mul(oneMinusXi));
        DoubleVector y = bottom.add(height.mul(numerator).div(denominator));
        // the three logarithms through the stage (lanes outside the interval hold 1: their log is not used)
        DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
        one.blend(slope, inside).intoArray(stage, 0);
        one.blend(derivativeNumerator, inside).intoArray(stage, LANES);
        one.blend(denominator, inside).intoArray(stage, 2 * LANES);
        logInPlace(stage);
        DoubleVector logDerivative = DoubleVector.fromArray(DOUBLES, stage, 0).mul(2.0).add(DoubleVector.fromArray(DOUBLES, stage, LANES))
                .sub(DoubleVector.fromArray(DOUBLES, stage, 2 * LANES).mul(2.0));
        xv.blend(y, inside).intoArray(out, pairBase);
        DoubleVector.zero(DOUBLES).blend(logDerivative, inside).intoArray(out, pairBase + sites);
    }

    /** a[i] = exp(a[i]) for i in [0, n), n a multiple of LANES: a loop of its own, so the vector exponential is inlined in it. */
    private static void expInPlace(double[] a, int n) {
        for (int i = 0; i < n; i += LANES) VectorMath.expDouble(DoubleVector.fromArray(DOUBLES, a, i)).intoArray(a, i);
    }

    /** a[i] = softplus(a[i]) = max(z, 0) + log(1 + e^−|z|) (the scalar routine's form, log1p as log of 1 + …). */
    private static void softplusInPlace(double[] a) {
        for (int i = 0; i < a.length; i += LANES) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, a, i);
            z.max(0.0).add(VectorMath.logDouble(VectorMath.expDouble(z.abs().neg()).add(1.0))).intoArray(a, i);
        }
    }

    /** a[i] = log(a[i]), every value positive. */
    private static void logInPlace(double[] a) {
        for (int i = 0; i < a.length; i += LANES) VectorMath.logDouble(DoubleVector.fromArray(DOUBLES, a, i)).intoArray(a, i);
    }
}
