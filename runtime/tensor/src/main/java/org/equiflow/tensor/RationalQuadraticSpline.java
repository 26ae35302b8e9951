package org.equiflow.tensor;

import org.equiflow.tensor.cpu.RationalQuadraticVectors;

/**
 * The monotone rational-quadratic spline of Durkan et al. 2019 ("Neural Spline Flows"), one per
 * site, shared by {@link Spline}, {@link SplineGradient} and
 * {@link SplineInverse}.
 *
 * <p>Parameterisation, with K bins on [−B, B] and raw parameters p of 3K − 1 channels per site:
 * <ul>
 *   <li>channels [0, K): bin widths 2B·(m + (1 − K·m)·softmax(p)ₖ), m = {@link #MIN_BIN};</li>
 *   <li>channels [K, 2K): bin heights, the same map;</li>
 *   <li>channels [2K, 3K − 1): the slopes at the K − 1 interior knots,
 *       δ = {@link #MIN_DERIVATIVE} + softplus(p + c) with c chosen so that p = 0 gives δ = 1;</li>
 *   <li>the slopes at ±B are 1, so the spline joins the identity tails outside [−B, B] with a
 *       continuous first derivative.</li>
 * </ul>
 * With a <em>learned end derivative</em> (the circular spline of Rezende et al. 2020,
 * arXiv:2002.02428) there is one more channel, 3K − 1, holding the raw slope shared by both end
 * knots, δ₀ = δ_K = {@link #MIN_DERIVATIVE} + softplus(p + c) like the interior ones: the map
 * fixes ±B and has equal slopes there, so wrapped onto the circle it stays a C¹ diffeomorphism
 * (it no longer joins the identity tails smoothly; a circular use wraps its input into [−B, B]).
 * The point −B itself then belongs to the first bin, so its log-derivative is log δ₀ rather than
 * the identity tail's 0.
 * All-zero raw parameters give uniform bins and unit slopes: the identity map, so a conditioner
 * that starts near zero starts the layer near the identity.
 *
 * <p>In bin k with left knot (xₖ, yₖ), width wₖ, height hₖ, slope s = hₖ/wₖ, ξ = (x − xₖ)/wₖ:
 * y = yₖ + hₖ·[s ξ² + δₖ ξ(1−ξ)] / [s + (δₖ₊₁ + δₖ − 2s) ξ(1−ξ)], and
 * dy/dx = s²·[δₖ₊₁ ξ² + 2s ξ(1−ξ) + δₖ (1−ξ)²] / [s + (δₖ₊₁ + δₖ − 2s) ξ(1−ξ)]².
 * The derivatives with respect to p are written out by hand (chain rule through the knot
 * positions, the softmaxes and the softplus) so that a backward pass is one kernel too; the
 * OpenCL kernels {@code SplineKernelF32/F64} repeat this routine line for line.
 */
public final class RationalQuadraticSpline {

    /** Smallest bin width and height, as a fraction of 2B: keeps slopes hₖ/wₖ finite. */
    public static final double MIN_BIN = 1e-3;
    /** Smallest knot slope: keeps the map strictly increasing. */
    public static final double MIN_DERIVATIVE = 1e-3;
    /** softplus(DERIVATIVE_SHIFT) + MIN_DERIVATIVE = 1. */
    public static final double DERIVATIVE_SHIFT = Math.log(Math.expm1(1 - MIN_DERIVATIVE));

    /**
     * What {@link #evaluate} writes. The last three are a coupling's pair in one pass: y and
     * log dy/dx as two channels [N, 2, L…], and the cotangents of that pair (g [N, 2, L…]) for x and
     * for p. (6 is the OpenCL kernels' inverse.)
     */
    public static final int TRANSFORM = 0, LOG_DERIVATIVE = 1, TRANSFORM_INPUT_GRADIENT = 2,
            LOG_DERIVATIVE_INPUT_GRADIENT = 3, TRANSFORM_PARAMETER_GRADIENT = 4, LOG_DERIVATIVE_PARAMETER_GRADIENT = 5,
            TRANSFORM_AND_LOG_DERIVATIVE = 7, PAIR_INPUT_GRADIENT = 8, PAIR_PARAMETER_GRADIENT = 9;

    private RationalQuadraticSpline() {
    }

    static int parameterChannels(int bins, boolean learnedEnds) {
        return 3 * bins - 1 + (learnedEnds ? 1 : 0);
    }

    /**
     * Evaluates {@code mode} for every configuration and site. x is [N, 1, L…], p is
     * [N, 3K−1, L…], g (ignored by the forward modes) is the cotangent of y or of log dy/dx,
     * [N, 1, L…]; out is [N, 1, L…] or, for the parameter gradients, [N, 3K−1, L…].
     */
    static void evaluate(int mode, int bins, double bound, boolean learnedEnds, double[] x, double[] p, double[] g, double[] out, int sites) {
        evaluate(mode, bins, bound, learnedEnds, x, p, g, null, out, sites, x.length);
    }

    /**
     * {@link #evaluate(int, int, double, boolean, double[], double[], double[], double[], int)} on the first {@code values}
     * entries of x (arrays may be longer); with {@code active} (one flag per site, null: all) the sites off it are the tails'.
     */
    static void evaluate(int mode, int bins, double bound, boolean learnedEnds, double[] x, double[] p, double[] g, boolean[] active, double[] out,
                         int sites, int values) {
        double[] exps = new double[2 * bins];
        for (int i = 0; i < values; i++) {
            evaluateSite(mode, bins, bound, learnedEnds, x, p, g, out, sites, i, exps, active == null || active[i % sites]);
        }
    }

    /**
     * One site; {@code exps} (2K entries) holds the softmaxes' exponentials while it runs, each
     * computed once and read wherever the formulas need it. A site that is not {@code active} is
     * treated like one in the tails: identity, nothing read from p.
     */
    static void evaluateSite(int mode, int bins, double bound, boolean learnedEnds, double[] x, double[] p, double[] g, double[] out, int sites, int i,
                             double[] exps, boolean active) {
        int site = i % sites;
        int configuration = i / sites;
        int channels = parameterChannels(bins, learnedEnds);
        int pBase = configuration * channels * sites + site;
        double xv = x[i];
        boolean parameterGradient = mode == TRANSFORM_PARAMETER_GRADIENT || mode == LOG_DERIVATIVE_PARAMETER_GRADIENT || mode == PAIR_PARAMETER_GRADIENT;
        // The pair's two channels, y then log dy/dx, in its result (forward) or its cotangent (backward).
        int pairBase = configuration * 2 * sites + site;
        // A learned end slope is not the tails' 1, so −B (where a wrapped angle can land) is the first bin's.
        boolean inside = active && (learnedEnds ? xv >= -bound && xv < bound : xv > -bound && xv < bound);
        if (!inside) {
            // Identity tail: y = x, log dy/dx = 0, nothing depends on p.
            if (mode == TRANSFORM) out[i] = xv;
            else if (mode == LOG_DERIVATIVE) out[i] = 0;
            else if (mode == TRANSFORM_INPUT_GRADIENT) out[i] = g[i];
            else if (mode == LOG_DERIVATIVE_INPUT_GRADIENT) out[i] = 0;
            else if (mode == TRANSFORM_AND_LOG_DERIVATIVE) {
                out[pairBase] = xv;
                out[pairBase + sites] = 0;
            } else if (mode == PAIR_INPUT_GRADIENT) out[i] = g[pairBase];
            else for (int c = 0; c < channels; c++) out[pBase + c * sites] = 0;
            return;
        }
        double widthMax = p[pBase], heightMax = p[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = Math.max(widthMax, p[pBase + k * sites]);
            heightMax = Math.max(heightMax, p[pBase + (bins + k) * sites]);
        }
        double widthSum = 0, heightSum = 0;
        for (int k = 0; k < bins; k++) {
            exps[k] = Math.exp(p[pBase + k * sites] - widthMax);
            exps[bins + k] = Math.exp(p[pBase + (bins + k) * sites] - heightMax);
            widthSum += exps[k];
            heightSum += exps[bins + k];
        }
        double scale = 1 - bins * MIN_BIN;
        // Walk the bins to the one holding x; the last bin takes whatever rounding leaves over.
        int bin = -1;
        double left = -bound, bottom = -bound, width = 0, height = 0;
        double widthShare = 0, heightShare = 0, widthSharesBefore = 0, heightSharesBefore = 0;
        for (int k = 0; k < bins; k++) {
            if (bin < 0) {
                widthShare = exps[k] / widthSum;
                heightShare = exps[bins + k] / heightSum;
                width = 2 * bound * (MIN_BIN + scale * widthShare);
                height = 2 * bound * (MIN_BIN + scale * heightShare);
                if (xv < left + width || k == bins - 1) {
                    bin = k;
                } else {
                    left += width;
                    bottom += height;
                    widthSharesBefore += widthShare;
                    heightSharesBefore += heightShare;
                }
            }
        }
        double leftDerivative = 1, rightDerivative = 1, leftSoftplusSlope = 0, rightSoftplusSlope = 0;
        double endSoftplusSlope = 0;
        if (learnedEnds) {
            double z = p[pBase + (3 * bins - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = rightDerivative = MIN_DERIVATIVE + softplus(z);
            endSoftplusSlope = 1 / (1 + Math.exp(-z));
        }
        if (bin > 0) {
            double z = p[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + softplus(z);
            leftSoftplusSlope = 1 / (1 + Math.exp(-z));
        }
        if (bin < bins - 1) {
            double z = p[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT;
            rightDerivative = MIN_DERIVATIVE + softplus(z);
            rightSoftplusSlope = 1 / (1 + Math.exp(-z));
        }
        double xi = (xv - left) / width;
        double slope = height / width;
        double u = xi * (1 - xi);
        double curvature = leftDerivative + rightDerivative - 2 * slope;
        double numerator = slope * xi * xi + leftDerivative * u;
        double denominator = slope + curvature * u;
        double derivativeNumerator = rightDerivative * xi * xi + 2 * slope * u + leftDerivative * (1 - xi) * (1 - xi);
        if (mode == TRANSFORM) {
            out[i] = bottom + height * numerator / denominator;
            return;
        }
        if (mode == LOG_DERIVATIVE) {
            out[i] = 2 * Math.log(slope) + Math.log(derivativeNumerator) - 2 * Math.log(denominator);
            return;
        }
        if (mode == TRANSFORM_AND_LOG_DERIVATIVE) {
            out[pairBase] = bottom + height * numerator / denominator;
            out[pairBase + sites] = 2 * Math.log(slope) + Math.log(derivativeNumerator) - 2 * Math.log(denominator);
            return;
        }
        // Partial derivatives with respect to ξ, s, δₖ, δₖ₊₁, hₖ (direct) and yₖ of y, of log dy/dx,
        // or of the pair weighted by its two cotangents (which then stand in for the cotangent, 1).
        boolean pair = mode == PAIR_INPUT_GRADIENT || mode == PAIR_PARAMETER_GRADIENT;
        double ofTransform = pair ? g[pairBase] : mode == TRANSFORM_INPUT_GRADIENT || mode == TRANSFORM_PARAMETER_GRADIENT ? 1 : 0;
        double ofLogDerivative = pair ? g[pairBase + sites] : mode == LOG_DERIVATIVE_INPUT_GRADIENT || mode == LOG_DERIVATIVE_PARAMETER_GRADIENT ? 1 : 0;
        double dXi = 0, dSlope = 0, dLeftDerivative = 0, dRightDerivative = 0, dHeight = 0, dBottom = 0;
        double numeratorXi = 2 * slope * xi + leftDerivative * (1 - 2 * xi);
        double denominatorXi = curvature * (1 - 2 * xi);
        if (ofTransform != 0) {
            double q = height / (denominator * denominator);
            dXi += ofTransform * (q * (numeratorXi * denominator - numerator * denominatorXi));
            dSlope += ofTransform * (q * (xi * xi * denominator - numerator * (1 - 2 * u)));
            dLeftDerivative += ofTransform * (q * (u * denominator - numerator * u));
            dRightDerivative += ofTransform * (-q * numerator * u);
            dHeight += ofTransform * (numerator / denominator);
            dBottom += ofTransform;
        }
        if (ofLogDerivative != 0) {
            double derivativeNumeratorXi = 2 * rightDerivative * xi + 2 * slope * (1 - 2 * xi) - 2 * leftDerivative * (1 - xi);
            dXi += ofLogDerivative * (derivativeNumeratorXi / derivativeNumerator - 2 * denominatorXi / denominator);
            dSlope += ofLogDerivative * (2 / slope + 2 * u / derivativeNumerator - 2 * (1 - 2 * u) / denominator);
            dLeftDerivative += ofLogDerivative * ((1 - xi) * (1 - xi) / derivativeNumerator - 2 * u / denominator);
            dRightDerivative += ofLogDerivative * (xi * xi / derivativeNumerator - 2 * u / denominator);
        }
        double cotangent = pair ? 1 : g[i];
        if (!parameterGradient) {
            out[i] = cotangent * dXi / width;
            return;
        }
        // Through ξ = (x − xₖ)/wₖ and s = hₖ/wₖ to the knot, width and height of the bin ...
        double dLeft = -dXi / width;
        double dWidth = -(xi * dXi + slope * dSlope) / width;
        double dBinHeight = dHeight + dSlope / width;
        // ... then through xₖ = −B + 2B·Σ_{j<k} Wⱼ and wₖ = 2B·Wₖ to the softmax logits.
        double chain = cotangent * 2 * bound * scale;
        for (int j = 0; j < bins; j++) {
            double widthShareJ = exps[j] / widthSum;
            double heightShareJ = exps[bins + j] / heightSum;
            double before = j < bin ? 1 : 0;
            double same = j == bin ? 1 : 0;
            out[pBase + j * sites] = chain * (dLeft * widthShareJ * (before - widthSharesBefore)
                    + dWidth * widthShare * (same - widthShareJ));
            out[pBase + (bins + j) * sites] = chain * (dBottom * heightShareJ * (before - heightSharesBefore)
                    + dBinHeight * heightShare * (same - heightShareJ));
        }
        for (int j = 0; j < bins - 1; j++) {
            double value = 0;
            if (j + 1 == bin) value += dLeftDerivative * leftSoftplusSlope;
            if (j == bin) value += dRightDerivative * rightSoftplusSlope;
            out[pBase + (2 * bins + j) * sites] = cotangent * value;
        }
        if (learnedEnds) {
            // The shared end slope enters as δₖ in the first bin and as δₖ₊₁ in the last (both when K = 1).
            double value = 0;
            if (bin == 0) value += dLeftDerivative * endSoftplusSlope;
            if (bin == bins - 1) value += dRightDerivative * endSoftplusSlope;
            out[pBase + (3 * bins - 1) * sites] = cotangent * value;
        }
    }

    /**
     * x = spline⁻¹(y) for every configuration and site (y and out [N, 1, L…], p [N, 3K−1, L…]):
     * the bin is found by the knots' heights, and with Δ = y − yₖ, c = δₖ₊₁ + δₖ − 2s,
     * a = hₖ(s − δₖ) + Δc, b = hₖδₖ − Δc, γ = −sΔ the position in the bin is the root
     * ξ = 2γ / (−b − √(b² − 4aγ)) of aξ² + bξ + γ = 0 that lies in [0, 1] (Durkan et al. 2019,
     * the form without cancellation); x = xₖ + wₖξ. Outside [−B, B] x = y.
     */
    static void invert(int bins, double bound, boolean learnedEnds, double[] y, double[] p, double[] out, int sites) {
        for (int i = 0; i < y.length; i++) out[i] = invertSite(bins, bound, learnedEnds, y, p, sites, i);
    }

    static double invertSite(int bins, double bound, boolean learnedEnds, double[] y, double[] p, int sites, int i) {
        int site = i % sites;
        int configuration = i / sites;
        int channels = parameterChannels(bins, learnedEnds);
        int pBase = configuration * channels * sites + site;
        double yv = y[i];
        if (!(yv > -bound && yv < bound)) return yv;
        double widthMax = p[pBase], heightMax = p[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = Math.max(widthMax, p[pBase + k * sites]);
            heightMax = Math.max(heightMax, p[pBase + (bins + k) * sites]);
        }
        double widthSum = 0, heightSum = 0;
        for (int k = 0; k < bins; k++) {
            widthSum += Math.exp(p[pBase + k * sites] - widthMax);
            heightSum += Math.exp(p[pBase + (bins + k) * sites] - heightMax);
        }
        double scale = 1 - bins * MIN_BIN;
        // The same knots as the forward walk, found by their heights; the last bin takes what rounding leaves over.
        int bin = -1;
        double left = -bound, bottom = -bound, width = 0, height = 0;
        for (int k = 0; k < bins && bin < 0; k++) {
            width = 2 * bound * (MIN_BIN + scale * Math.exp(p[pBase + k * sites] - widthMax) / widthSum);
            height = 2 * bound * (MIN_BIN + scale * Math.exp(p[pBase + (bins + k) * sites] - heightMax) / heightSum);
            if (yv < bottom + height || k == bins - 1) {
                bin = k;
            } else {
                left += width;
                bottom += height;
            }
        }
        double endDerivative = learnedEnds ? MIN_DERIVATIVE + softplus(p[pBase + (3 * bins - 1) * sites] + DERIVATIVE_SHIFT) : 1;
        double leftDerivative = bin > 0 ? MIN_DERIVATIVE + softplus(p[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT) : endDerivative;
        double rightDerivative = bin < bins - 1 ? MIN_DERIVATIVE + softplus(p[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT) : endDerivative;
        double slope = height / width;
        double delta = yv - bottom;
        double curvature = leftDerivative + rightDerivative - 2 * slope;
        double a = height * (slope - leftDerivative) + delta * curvature;
        double b = height * leftDerivative - delta * curvature;
        double c = -slope * delta;
        double discriminant = Math.max(b * b - 4 * a * c, 0);
        double xi = 2 * c / (-b - Math.sqrt(discriminant));
        return left + Math.min(Math.max(xi, 0), 1) * width;
    }

    /** {@link #invert} on tensors of either precision (float32 is evaluated in float64). */
    static void applyInverse(int bins, double bound, boolean learnedEnds, Tensor y, Tensor p, Tensor out) {
        int sites = y.shape().sites();
        double[] yv = y.toDoubleArray(), pv = p.toDoubleArray();
        if (out.dtype() == DType.F64) {
            invert(bins, bound, learnedEnds, yv, pv, out.f64(), sites);
        } else {
            double[] result = new double[out.size()];
            invert(bins, bound, learnedEnds, yv, pv, result, sites);
            float[] o = out.f32();
            for (int k = 0; k < o.length; k++) o[k] = (float) result[k];
        }
    }

    private static double softplus(double z) {
        return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    /**
     * Runs {@code mode} on tensors of either precision (float32 is evaluated in float64); {@code mask}
     * (null: every site) is the 0/1 mask [1, 1, L…] of the sites evaluated, the others being the tails'.
     */
    static void apply(int mode, int bins, double bound, boolean learnedEnds, Tensor x, Tensor p, Tensor g, Tensor mask, Tensor out) {
        int sites = x.shape().sites();
        boolean[] active = null;
        if (mask != null) {
            active = new boolean[sites];
            for (int s = 0; s < sites; s++) active[s] = mask.get(s) != 0;
        }
        if (out.dtype() == DType.F64) {
            evaluate(mode, bins, bound, learnedEnds, x.f64(), p.f64(), g == null ? null : g.f64(), active, out.f64(), sites, x.size());
            return;
        }
        // float32 widened into this thread's float64 buffers, reused from call to call (a coupling's
        // parameters are megabytes at batch 1024: allocating them per call kept the collector busy)
        Widened buffers = WIDENED.get();
        double[] xv = buffers.widen(0, x.f32()), pv = buffers.widen(1, p.f32()), gv = g == null ? null : buffers.widen(2, g.f32());
        double[] result = buffers.sized(3, out.size());
        boolean pairMode = mode == TRANSFORM_AND_LOG_DERIVATIVE || mode == PAIR_INPUT_GRADIENT || mode == PAIR_PARAMETER_GRADIENT;
        if (pairMode && RationalQuadraticVectors.supported()) {
            // a coupling's pair and its gradients: whole vectors of sites at once, the sites left over one by one
            int configurations = x.size() / sites, vectorSites = sites - sites % RationalQuadraticVectors.LANES;
            if (mode == TRANSFORM_AND_LOG_DERIVATIVE) {
                RationalQuadraticVectors.transformAndLogDerivative(bins, bound, learnedEnds, MIN_BIN, MIN_DERIVATIVE, DERIVATIVE_SHIFT,
                        xv, pv, active, result, sites, vectorSites, configurations);
            } else {
                RationalQuadraticVectors.pairGradient(mode == PAIR_PARAMETER_GRADIENT, bins, bound, learnedEnds, MIN_BIN, MIN_DERIVATIVE,
                        DERIVATIVE_SHIFT, xv, pv, gv, active, result, sites, vectorSites, configurations);
            }
            double[] exps = new double[2 * bins];
            for (int c = 0; c < configurations; c++) {
                for (int s = vectorSites; s < sites; s++) {
                    evaluateSite(mode, bins, bound, learnedEnds, xv, pv, gv, result, sites, c * sites + s, exps, active == null || active[s]);
                }
            }
        } else {
            evaluate(mode, bins, bound, learnedEnds, xv, pv, gv, active, result, sites, x.size());
        }
        float[] o = out.f32();
        for (int k = 0; k < o.length; k++) o[k] = (float) result[k];
    }

    /** Float64 working copies of float32 operands, one per role, grown as needed and kept per thread. */
    private static final class Widened {
        private final double[][] arrays = new double[4][0];

        /** Buffer {@code role}, at least {@code size} long; what it held is garbage. */
        double[] sized(int role, int size) {
            if (arrays[role].length < size) arrays[role] = new double[size];
            return arrays[role];
        }

        /** {@code values} widened into buffer {@code role} (exact: every float is a double). */
        double[] widen(int role, float[] values) {
            double[] a = sized(role, values.length);
            for (int k = 0; k < values.length; k++) a[k] = values[k];
            return a;
        }
    }

    private static final ThreadLocal<Widened> WIDENED = ThreadLocal.withInitial(Widened::new);

    /** A spline's mask: [1, 1, L…] on x's lattice. */
    static void checkMask(Primitive primitive, Shape x, Shape mask) {
        if (mask.batch() != 1 || mask.channels() != 1 || !mask.sameLattice(x)) {
            throw new IllegalArgumentException(primitive.name() + "'s mask must be [1, 1, L…] on x's lattice " + x + ", got " + mask);
        }
    }

    static Shape checkShapes(Primitive primitive, int bins, double bound, boolean learnedEnds, Shape x, Shape p) {
        if (bins < 1 || !(bound > 0)) {
            throw new IllegalArgumentException(primitive.name() + " needs bins ≥ 1 and bound > 0, got " + bins + " and " + bound);
        }
        if (x.channels() != 1) throw new IllegalArgumentException(primitive.name() + " needs a one-channel field x, got " + x);
        if (!p.equals(x.withChannels(parameterChannels(bins, learnedEnds)))) {
            throw new IllegalArgumentException(primitive.name() + " needs parameters " + x.withChannels(parameterChannels(bins, learnedEnds))
                    + (learnedEnds ? " (3·bins channels: a learned end derivative)" : " (3·bins − 1 channels)") + " for x " + x + ", got " + p);
        }
        return x;
    }
}
