package org.equiflow.tensor.cpu;

import static org.equiflow.tensor.cpu.VectorMath.DOUBLES;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The rational-quadratic spline's value and log-derivative (what a coupling's forward pass wants), and
 * their gradients with respect to x and to the parameters, for as many sites at once as float64 vectors
 * hold: the same formulas as {@code RationalQuadraticSpline}'s scalar routine, step for step, with each
 * site's bin found by masks instead of a branch. The
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
        eachVectorOfSites(PAIR, bins, bound, learnedEnds, minBin, minDerivative, derivativeShift, x, p, null, active, out, sites,
                vectorSites, configurations);
    }

    /**
     * The gradients of a coupling's pair (y, log dy/dx) for every configuration and its sites [0, {@code vectorSites}),
     * given their cotangents g [N, 2, sites]: with respect to x into out [N, 1, sites] ({@code parameters} false), or
     * with respect to p into out [N, 3K − 1 (+ 1), sites]; off the active sites and outside the interval the
     * identity's (g's first channel for x, 0 for p).
     */
    public static void pairGradient(boolean parameters, int bins, double bound, boolean learnedEnds, double minBin, double minDerivative,
                                    double derivativeShift, double[] x, double[] p, double[] g, boolean[] active, double[] out,
                                    int sites, int vectorSites, int configurations) {
        eachVectorOfSites(parameters ? PARAMETER_GRADIENT : INPUT_GRADIENT, bins, bound, learnedEnds, minBin, minDerivative,
                derivativeShift, x, p, g, active, out, sites, vectorSites, configurations);
    }

    /** What {@link #eachVectorOfSites} writes: the pair, or its gradient with respect to x or to the parameters. */
    private static final int PAIR = 0, INPUT_GRADIENT = 1, PARAMETER_GRADIENT = 2;

    private static void eachVectorOfSites(int output, int bins, double bound, boolean learnedEnds, double minBin, double minDerivative,
                                          double derivativeShift, double[] x, double[] p, double[] g, boolean[] active, double[] out,
                                          int sites, int vectorSites, int configurations) {
        int channels = 3 * bins - 1 + (learnedEnds ? 1 : 0);
        // per vector of sites: the softmaxes' 2K exponentials, what the walk to the bin found, the knots' softplus arguments
        double[] exps = new double[2 * bins * LANES], walk = new double[WALK_ROWS * LANES], stage = new double[6 * LANES];
        for (int c = 0; c < configurations; c++) {
            for (int s = 0; s < vectorSites; s += LANES) {
                int pBase = c * channels * sites + s, pairBase = c * 2 * sites + s, xo = c * sites + s;
                if (!inside(bound, learnedEnds, x, xo, active, s).anyTrue()) {
                    // the identity's: y = x and log dy/dx = 0, whose gradient is g's first channel for x and 0 for p
                    if (output == PAIR) {
                        DoubleVector.fromArray(DOUBLES, x, xo).intoArray(out, pairBase);
                        DoubleVector.zero(DOUBLES).intoArray(out, pairBase + sites);
                    } else if (output == INPUT_GRADIENT) {
                        DoubleVector.fromArray(DOUBLES, g, pairBase).intoArray(out, xo);
                    } else {
                        for (int ch = 0; ch < channels; ch++) DoubleVector.zero(DOUBLES).intoArray(out, pBase + ch * sites);
                    }
                    continue;
                }
                // the steps with exponentials and logarithms in loops of their own over arrays: in one method with the
                // rest, C2 did not inline the vector helpers and their vectors went through the heap (no faster than scalar)
                shiftedLogits(bins, p, pBase, sites, exps);
                expInPlace(exps, 2 * bins * LANES);
                binAndKnots(bins, bound, learnedEnds, minBin, derivativeShift, x, xo, p, pBase, sites, exps, walk, stage);
                softplusInPlace(stage, 3 * LANES);
                rationalQuadratic(bins, minDerivative, learnedEnds, x, xo, walk, stage);
                if (output == PAIR) {
                    finish(bound, learnedEnds, x, xo, active, s, walk, stage, out, pairBase, sites);
                } else {
                    softplusSlopesInPlace(stage);
                    gradient(output == PARAMETER_GRADIENT, bins, bound, minBin, learnedEnds, x, xo, active, s, g, exps, walk, stage, out,
                            pairBase, pBase, sites);
                }
            }
        }
    }

    /**
     * The bin's quantities both the pair and its gradients start from, as the scalar routine writes them, into the rows
     * of {@code walk}: the knots' slopes δₖ, δₖ₊₁ (the end slope, or 1, at the ends; from stage's softplus values
     * inside), ξ = (x − xₖ)/wₖ, s = hₖ/wₖ, ξ(1 − ξ), δₖ + δₖ₊₁ − 2s, the value's numerator and denominator and the
     * derivative's numerator.
     */
    private static void rationalQuadratic(int bins, double minDerivative, boolean learnedEnds, double[] x, int xo, double[] walk,
                                          double[] stage) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        DoubleVector left = DoubleVector.fromArray(DOUBLES, walk, LEFT * LANES);
        DoubleVector width = DoubleVector.fromArray(DOUBLES, walk, WIDTH * LANES), height = DoubleVector.fromArray(DOUBLES, walk, HEIGHT * LANES);
        DoubleVector bin = DoubleVector.fromArray(DOUBLES, walk, BIN * LANES);
        DoubleVector end = learnedEnds ? DoubleVector.fromArray(DOUBLES, stage, 0).add(minDerivative) : DoubleVector.broadcast(DOUBLES, 1.0);
        DoubleVector leftDerivative = end.blend(DoubleVector.fromArray(DOUBLES, stage, LANES).add(minDerivative),
                bin.compare(VectorOperators.GT, 0));
        DoubleVector rightDerivative = end.blend(DoubleVector.fromArray(DOUBLES, stage, 2 * LANES).add(minDerivative),
                bin.compare(VectorOperators.LT, bins - 1));
        DoubleVector xi = xv.sub(left).div(width);
        DoubleVector slope = height.div(width);
        DoubleVector oneMinusXi = xi.neg().add(1.0);
        DoubleVector u = xi.mul(oneMinusXi);
        DoubleVector curvature = leftDerivative.add(rightDerivative).sub(slope.mul(2.0));
        leftDerivative.intoArray(walk, LEFT_DERIVATIVE * LANES);
        rightDerivative.intoArray(walk, RIGHT_DERIVATIVE * LANES);
        xi.intoArray(walk, XI * LANES);
        slope.intoArray(walk, SLOPE * LANES);
        u.intoArray(walk, U * LANES);
        curvature.intoArray(walk, CURVATURE * LANES);
        slope.mul(xi).mul(xi).add(leftDerivative.mul(u)).intoArray(walk, NUMERATOR * LANES);
        slope.add(curvature.mul(u)).intoArray(walk, DENOMINATOR * LANES);
        rightDerivative.mul(xi).mul(xi).add(slope.mul(2.0).mul(u)).add(leftDerivative.mul(oneMinusXi).mul(oneMinusXi))
                .intoArray(walk, DERIVATIVE_NUMERATOR * LANES);
    }

    /** The chain rule of the scalar routine's gradient modes, term for term, on a vector of sites. */
    private static void gradient(boolean parameters, int bins, double bound, double minBin, boolean learnedEnds,
                                 double[] x, int xo, boolean[] active, int s, double[] g, double[] exps, double[] walk, double[] stage,
                                 double[] out, int pairBase, int pBase, int sites) {
        VectorMask<Double> inside = inside(bound, learnedEnds, x, xo, active, s);
        DoubleVector width = DoubleVector.fromArray(DOUBLES, walk, WIDTH * LANES), height = DoubleVector.fromArray(DOUBLES, walk, HEIGHT * LANES);
        DoubleVector bin = DoubleVector.fromArray(DOUBLES, walk, BIN * LANES);
        DoubleVector leftDerivative = DoubleVector.fromArray(DOUBLES, walk, LEFT_DERIVATIVE * LANES);
        DoubleVector rightDerivative = DoubleVector.fromArray(DOUBLES, walk, RIGHT_DERIVATIVE * LANES);
        DoubleVector xi = DoubleVector.fromArray(DOUBLES, walk, XI * LANES), slope = DoubleVector.fromArray(DOUBLES, walk, SLOPE * LANES);
        DoubleVector u = DoubleVector.fromArray(DOUBLES, walk, U * LANES), curvature = DoubleVector.fromArray(DOUBLES, walk, CURVATURE * LANES);
        DoubleVector numerator = DoubleVector.fromArray(DOUBLES, walk, NUMERATOR * LANES);
        DoubleVector denominator = DoubleVector.fromArray(DOUBLES, walk, DENOMINATOR * LANES);
        DoubleVector derivativeNumerator = DoubleVector.fromArray(DOUBLES, walk, DERIVATIVE_NUMERATOR * LANES);
        DoubleVector oneMinusXi = xi.neg().add(1.0);
        DoubleVector oneMinusTwoXi = xi.mul(-2.0).add(1.0);
        DoubleVector ofTransform = DoubleVector.fromArray(DOUBLES, g, pairBase), ofLogDerivative = DoubleVector.fromArray(DOUBLES, g, pairBase + sites);
        DoubleVector numeratorXi = slope.mul(2.0).mul(xi).add(leftDerivative.mul(oneMinusTwoXi));
        DoubleVector denominatorXi = curvature.mul(oneMinusTwoXi);
        // of y
        DoubleVector q = height.div(denominator.mul(denominator));
        DoubleVector dXi = ofTransform.mul(q.mul(numeratorXi.mul(denominator).sub(numerator.mul(denominatorXi))));
        DoubleVector dSlope = ofTransform.mul(q.mul(xi.mul(xi).mul(denominator).sub(numerator.mul(u.mul(-2.0).add(1.0)))));
        DoubleVector dLeftDerivative = ofTransform.mul(q.mul(u.mul(denominator).sub(numerator.mul(u))));
        DoubleVector dRightDerivative = ofTransform.mul(q.neg().mul(numerator).mul(u));
        DoubleVector dHeight = ofTransform.mul(numerator.div(denominator));
        DoubleVector dBottom = ofTransform;
        // of log dy/dx
        DoubleVector derivativeNumeratorXi = rightDerivative.mul(2.0).mul(xi).add(slope.mul(2.0).mul(oneMinusTwoXi))
                .sub(leftDerivative.mul(2.0).mul(oneMinusXi));
        dXi = dXi.add(ofLogDerivative.mul(derivativeNumeratorXi.div(derivativeNumerator).sub(denominatorXi.mul(2.0).div(denominator))));
        dSlope = dSlope.add(ofLogDerivative.mul(DoubleVector.broadcast(DOUBLES, 2.0).div(slope).add(u.mul(2.0).div(derivativeNumerator))
                .sub(u.mul(-2.0).add(1.0).mul(2.0).div(denominator))));
        dLeftDerivative = dLeftDerivative.add(ofLogDerivative.mul(oneMinusXi.mul(oneMinusXi).div(derivativeNumerator)
                .sub(u.mul(2.0).div(denominator))));
        dRightDerivative = dRightDerivative.add(ofLogDerivative.mul(xi.mul(xi).div(derivativeNumerator).sub(u.mul(2.0).div(denominator))));
        DoubleVector zero = DoubleVector.zero(DOUBLES);
        if (!parameters) {
            ofTransform.blend(dXi.div(width), inside).intoArray(out, xo);
            return;
        }
        // through ξ = (x − xₖ)/wₖ and s = hₖ/wₖ to the bin's knot, width and height, then to the softmax logits
        DoubleVector dLeft = dXi.neg().div(width);
        DoubleVector dWidth = xi.mul(dXi).add(slope.mul(dSlope)).neg().div(width);
        DoubleVector dBinHeight = dHeight.add(dSlope.div(width));
        double chain = 2 * bound * (1 - bins * minBin);
        DoubleVector widthSum = DoubleVector.fromArray(DOUBLES, walk, WIDTH_SUM * LANES), heightSum = DoubleVector.fromArray(DOUBLES, walk, HEIGHT_SUM * LANES);
        DoubleVector widthShare = DoubleVector.fromArray(DOUBLES, walk, WIDTH_SHARE * LANES);
        DoubleVector heightShare = DoubleVector.fromArray(DOUBLES, walk, HEIGHT_SHARE * LANES);
        DoubleVector widthSharesBefore = DoubleVector.fromArray(DOUBLES, walk, WIDTH_SHARES_BEFORE * LANES);
        DoubleVector heightSharesBefore = DoubleVector.fromArray(DOUBLES, walk, HEIGHT_SHARES_BEFORE * LANES);
        for (int j = 0; j < bins; j++) {
            DoubleVector widthShareJ = DoubleVector.fromArray(DOUBLES, exps, j * LANES).div(widthSum);
            DoubleVector heightShareJ = DoubleVector.fromArray(DOUBLES, exps, (bins + j) * LANES).div(heightSum);
            DoubleVector before = zero.blend(1.0, bin.compare(VectorOperators.GT, j));
            DoubleVector same = zero.blend(1.0, bin.compare(VectorOperators.EQ, j));
            DoubleVector ofWidth = dLeft.mul(widthShareJ).mul(before.sub(widthSharesBefore)).add(dWidth.mul(widthShare).mul(same.sub(widthShareJ)));
            DoubleVector ofHeight = dBottom.mul(heightShareJ).mul(before.sub(heightSharesBefore))
                    .add(dBinHeight.mul(heightShare).mul(same.sub(heightShareJ)));
            zero.blend(ofWidth.mul(chain), inside).intoArray(out, pBase + j * sites);
            zero.blend(ofHeight.mul(chain), inside).intoArray(out, pBase + (bins + j) * sites);
        }
        DoubleVector leftSlope = DoubleVector.fromArray(DOUBLES, stage, 4 * LANES), rightSlope = DoubleVector.fromArray(DOUBLES, stage, 5 * LANES);
        for (int j = 0; j < bins - 1; j++) {
            DoubleVector value = zero.blend(dLeftDerivative.mul(leftSlope), bin.compare(VectorOperators.EQ, j + 1))
                    .add(zero.blend(dRightDerivative.mul(rightSlope), bin.compare(VectorOperators.EQ, j)));
            zero.blend(value, inside).intoArray(out, pBase + (2 * bins + j) * sites);
        }
        if (learnedEnds) {
            // the shared end slope enters as δₖ in the first bin and as δₖ₊₁ in the last (both when K = 1)
            DoubleVector endSlope = DoubleVector.fromArray(DOUBLES, stage, 3 * LANES);
            DoubleVector value = zero.blend(dLeftDerivative.mul(endSlope), bin.compare(VectorOperators.EQ, 0))
                    .add(zero.blend(dRightDerivative.mul(endSlope), bin.compare(VectorOperators.EQ, bins - 1)));
            zero.blend(value, inside).intoArray(out, pBase + (3 * bins - 1) * sites);
        }
    }

    /** stage's rows 3–5, each −z of a knot, become the softplus slopes 1/(1 + e^−z) (rows 0–2 are left as they are). */
    private static void softplusSlopesInPlace(double[] stage) {
        DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
        for (int i = 3 * LANES; i < 6 * LANES; i += LANES) {
            one.div(VectorMath.expDouble(DoubleVector.fromArray(DOUBLES, stage, i)).add(1.0)).intoArray(stage, i);
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
     * Rows of {@link #binAndKnots}'s result (the bin's left edge, bottom, width, height, index; the softmaxes' sums; the
     * bin's shares; the shares before it) and of {@link #rationalQuadratic}'s (the rest).
     */
    private static final int LEFT = 0, BOTTOM = 1, WIDTH = 2, HEIGHT = 3, BIN = 4, WIDTH_SUM = 5, HEIGHT_SUM = 6, WIDTH_SHARE = 7,
            HEIGHT_SHARE = 8, WIDTH_SHARES_BEFORE = 9, HEIGHT_SHARES_BEFORE = 10, LEFT_DERIVATIVE = 11, RIGHT_DERIVATIVE = 12, XI = 13,
            SLOPE = 14, U = 15, CURVATURE = 16, NUMERATOR = 17, DENOMINATOR = 18, DERIVATIVE_NUMERATOR = 19, WALK_ROWS = 20;

    /**
     * Each site's bin (the first whose right edge passes x; the last takes what rounding leaves), into the rows of
     * {@code walk}; into stage's first three rows the softplus arguments of the shared end slope and of the bin's left
     * and right knots, and into the next three their negatives (for the softplus slopes a gradient wants).
     */
    private static void binAndKnots(int bins, double bound, boolean learnedEnds, double minBin, double derivativeShift,
                                    double[] x, int xo, double[] p, int pBase, int sites, double[] exps, double[] walk, double[] stage) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        DoubleVector widthSum = DoubleVector.zero(DOUBLES), heightSum = widthSum;
        for (int k = 0; k < bins; k++) {
            widthSum = widthSum.add(DoubleVector.fromArray(DOUBLES, exps, k * LANES));
            heightSum = heightSum.add(DoubleVector.fromArray(DOUBLES, exps, (bins + k) * LANES));
        }
        double scale = 1 - bins * minBin;
        DoubleVector left = DoubleVector.broadcast(DOUBLES, -bound), bottom = left;
        DoubleVector width = DoubleVector.zero(DOUBLES), height = width, bin = DoubleVector.broadcast(DOUBLES, bins - 1);
        DoubleVector widthShare = width, heightShare = width, widthSharesBefore = width, heightSharesBefore = width;
        VectorMask<Double> searching = DOUBLES.maskAll(true);
        for (int k = 0; k < bins; k++) {
            DoubleVector widthShareK = DoubleVector.fromArray(DOUBLES, exps, k * LANES).div(widthSum);
            DoubleVector heightShareK = DoubleVector.fromArray(DOUBLES, exps, (bins + k) * LANES).div(heightSum);
            DoubleVector widthK = widthShareK.fma(scale, minBin).mul(2 * bound), heightK = heightShareK.fma(scale, minBin).mul(2 * bound);
            VectorMask<Double> found = k == bins - 1 ? searching : searching.and(xv.compare(VectorOperators.LT, left.add(widthK)));
            width = width.blend(widthK, found);
            height = height.blend(heightK, found);
            widthShare = widthShare.blend(widthShareK, found);
            heightShare = heightShare.blend(heightShareK, found);
            bin = bin.blend((double) k, found);
            VectorMask<Double> passed = searching.andNot(found);
            left = left.blend(left.add(widthK), passed);
            bottom = bottom.blend(bottom.add(heightK), passed);
            widthSharesBefore = widthSharesBefore.blend(widthSharesBefore.add(widthShareK), passed);
            heightSharesBefore = heightSharesBefore.blend(heightSharesBefore.add(heightShareK), passed);
            searching = passed;
        }
        DoubleVector leftZ = DoubleVector.zero(DOUBLES), rightZ = leftZ;
        for (int j = 0; j < bins - 1; j++) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, p, pBase + (2 * bins + j) * sites);
            leftZ = leftZ.blend(z, bin.compare(VectorOperators.EQ, j + 1));
            rightZ = rightZ.blend(z, bin.compare(VectorOperators.EQ, j));
        }
        DoubleVector endZ = learnedEnds ? DoubleVector.fromArray(DOUBLES, p, pBase + (3 * bins - 1) * sites) : DoubleVector.zero(DOUBLES);
        endZ = endZ.add(derivativeShift);
        leftZ = leftZ.add(derivativeShift);
        rightZ = rightZ.add(derivativeShift);
        endZ.intoArray(stage, 0);
        leftZ.intoArray(stage, LANES);
        rightZ.intoArray(stage, 2 * LANES);
        endZ.neg().intoArray(stage, 3 * LANES);
        leftZ.neg().intoArray(stage, 4 * LANES);
        rightZ.neg().intoArray(stage, 5 * LANES);
        left.intoArray(walk, LEFT * LANES);
        bottom.intoArray(walk, BOTTOM * LANES);
        width.intoArray(walk, WIDTH * LANES);
        height.intoArray(walk, HEIGHT * LANES);
        bin.intoArray(walk, BIN * LANES);
        widthSum.intoArray(walk, WIDTH_SUM * LANES);
        heightSum.intoArray(walk, HEIGHT_SUM * LANES);
        widthShare.intoArray(walk, WIDTH_SHARE * LANES);
        heightShare.intoArray(walk, HEIGHT_SHARE * LANES);
        widthSharesBefore.intoArray(walk, WIDTH_SHARES_BEFORE * LANES);
        heightSharesBefore.intoArray(walk, HEIGHT_SHARES_BEFORE * LANES);
    }

    /** y and log dy/dx from the bin's quantities ({@link #rationalQuadratic}), the identity outside. */
    private static void finish(double bound, boolean learnedEnds, double[] x, int xo, boolean[] active, int s, double[] walk,
                               double[] stage, double[] out, int pairBase, int sites) {
        DoubleVector xv = DoubleVector.fromArray(DOUBLES, x, xo);
        VectorMask<Double> inside = inside(bound, learnedEnds, x, xo, active, s);
        DoubleVector bottom = DoubleVector.fromArray(DOUBLES, walk, BOTTOM * LANES), height = DoubleVector.fromArray(DOUBLES, walk, HEIGHT * LANES);
        DoubleVector slope = DoubleVector.fromArray(DOUBLES, walk, SLOPE * LANES);
        DoubleVector numerator = DoubleVector.fromArray(DOUBLES, walk, NUMERATOR * LANES);
        DoubleVector denominator = DoubleVector.fromArray(DOUBLES, walk, DENOMINATOR * LANES);
        DoubleVector derivativeNumerator = DoubleVector.fromArray(DOUBLES, walk, DERIVATIVE_NUMERATOR * LANES);
        DoubleVector y = bottom.add(height.mul(numerator).div(denominator));
        // the three logarithms through the stage (lanes outside the interval hold 1: their log is not used)
        DoubleVector one = DoubleVector.broadcast(DOUBLES, 1.0);
        one.blend(slope, inside).intoArray(stage, 0);
        one.blend(derivativeNumerator, inside).intoArray(stage, LANES);
        one.blend(denominator, inside).intoArray(stage, 2 * LANES);
        logInPlace(stage, 3 * LANES);
        DoubleVector logDerivative = DoubleVector.fromArray(DOUBLES, stage, 0).mul(2.0).add(DoubleVector.fromArray(DOUBLES, stage, LANES))
                .sub(DoubleVector.fromArray(DOUBLES, stage, 2 * LANES).mul(2.0));
        xv.blend(y, inside).intoArray(out, pairBase);
        DoubleVector.zero(DOUBLES).blend(logDerivative, inside).intoArray(out, pairBase + sites);
    }

    /** a[i] = exp(a[i]) for i in [0, n), n a multiple of LANES: a loop of its own, so the vector exponential is inlined in it. */
    private static void expInPlace(double[] a, int n) {
        for (int i = 0; i < n; i += LANES) VectorMath.expDouble(DoubleVector.fromArray(DOUBLES, a, i)).intoArray(a, i);
    }

    /** a[i] = softplus(a[i]) = max(z, 0) + log(1 + e^−|z|) for i in [0, n) (the scalar routine's form, log1p as log of 1 + …). */
    private static void softplusInPlace(double[] a, int n) {
        for (int i = 0; i < n; i += LANES) {
            DoubleVector z = DoubleVector.fromArray(DOUBLES, a, i);
            z.max(0.0).add(VectorMath.logDouble(VectorMath.expDouble(z.abs().neg()).add(1.0))).intoArray(a, i);
        }
    }

    /** a[i] = log(a[i]) for i in [0, n), every value positive. */
    private static void logInPlace(double[] a, int n) {
        for (int i = 0; i < n; i += LANES) VectorMath.logDouble(DoubleVector.fromArray(DOUBLES, a, i)).intoArray(a, i);
    }
}
