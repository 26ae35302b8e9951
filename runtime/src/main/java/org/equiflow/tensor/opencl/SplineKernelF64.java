package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.SplineTransform}, {@link org.equiflow.tensor.SplineLogDerivative}
 * and {@link org.equiflow.tensor.SplineGradient}: one work item per configuration and site,
 * {@code mode} as in {@link org.equiflow.tensor.RationalQuadraticSpline}, whose per-site routine
 * this repeats (Aparapi cannot call into another class) without early exits, else-chains or
 * short-circuit conditions, which Aparapi's decompiler cannot translate.
 * The constants are RationalQuadraticSpline's, with DERIVATIVE_SHIFT = log(e^(1 − MIN_DERIVATIVE) − 1)
 * written out because kernel constants must be literals.
 */
final class SplineKernelF64 extends Kernel {

    static final double MIN_BIN = 1e-3;
    static final double MIN_DERIVATIVE = 1e-3;
    static final double DERIVATIVE_SHIFT = 0.539742417236952;

    double[] x = new double[1];
    double[] p = new double[1];
    double[] g = new double[1];
    double[] out = new double[1];
    int mode;
    int bins;
    double bound;
    int sites;

    void bind(int mode, int bins, double bound, double[] x, double[] p, double[] g, double[] out, int sites) {
        this.mode = mode;
        this.bins = bins;
        this.bound = bound;
        this.x = x;
        this.p = p;
        this.g = g;
        this.out = out;
        this.sites = sites;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % sites;
        int configuration = i / sites;
        int channels = 3 * bins - 1;
        int pBase = configuration * channels * sites + site;
        double xv = x[i];
        double cotangent = g[i];
        // Outside [−B, B] the spline is the identity: evaluate at the safe point 0 and select
        // the tail's values at the end, since Aparapi cannot translate early exits here.
        double inside = 1;
        if (xv <= -bound) {
            inside = 0;
        }
        if (xv >= bound) {
            inside = 0;
        }
        double xs = xv * inside;
        double widthMax = p[pBase];
        double heightMax = p[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = max(widthMax, p[pBase + k * sites]);
            heightMax = max(heightMax, p[pBase + (bins + k) * sites]);
        }
        double widthSum = 0;
        double heightSum = 0;
        for (int k = 0; k < bins; k++) {
            widthSum += exp(p[pBase + k * sites] - widthMax);
            heightSum += exp(p[pBase + (bins + k) * sites] - heightMax);
        }
        double scale = 1 - bins * MIN_BIN;
        int bin = -1;
        double left = -bound;
        double bottom = -bound;
        double width = 0;
        double height = 0;
        double widthShare = 0;
        double heightShare = 0;
        double widthSharesBefore = 0;
        double heightSharesBefore = 0;
        for (int k = 0; k < bins; k++) {
            if (bin < 0) {
                widthShare = exp(p[pBase + k * sites] - widthMax) / widthSum;
                heightShare = exp(p[pBase + (bins + k) * sites] - heightMax) / heightSum;
                width = 2 * bound * (MIN_BIN + scale * widthShare);
                height = 2 * bound * (MIN_BIN + scale * heightShare);
                int found = 0;
                if (xs < left + width) {
                    found = 1;
                }
                if (k == bins - 1) {
                    found = 1;
                }
                if (found == 1) {
                    bin = k;
                }
                if (found == 0) {
                    left += width;
                    bottom += height;
                    widthSharesBefore += widthShare;
                    heightSharesBefore += heightShare;
                }
            }
        }
        double leftDerivative = 1;
        double rightDerivative = 1;
        double leftSoftplusSlope = 0;
        double rightSoftplusSlope = 0;
        if (bin > 0) {
            double z = p[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            leftSoftplusSlope = 1 / (1 + exp(-z));
        }
        if (bin < bins - 1) {
            double z = p[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT;
            rightDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            rightSoftplusSlope = 1 / (1 + exp(-z));
        }
        double xi = (xs - left) / width;
        double slope = height / width;
        double u = xi * (1 - xi);
        double curvature = leftDerivative + rightDerivative - 2 * slope;
        double numerator = slope * xi * xi + leftDerivative * u;
        double denominator = slope + curvature * u;
        double derivativeNumerator = rightDerivative * xi * xi + 2 * slope * u + leftDerivative * (1 - xi) * (1 - xi);
        double numeratorXi = 2 * slope * xi + leftDerivative * (1 - 2 * xi);
        double denominatorXi = curvature * (1 - 2 * xi);
        double derivativeNumeratorXi = 2 * rightDerivative * xi + 2 * slope * (1 - 2 * xi) - 2 * leftDerivative * (1 - xi);
        // Partial derivatives with respect to ξ, s, δₖ, δₖ₊₁, hₖ (direct) and yₖ of y (ofTransform = 1) or of log dy/dx.
        double ofTransform = 0;
        if (mode == 2) {
            ofTransform = 1;
        }
        if (mode == 4) {
            ofTransform = 1;
        }
        double q = height / (denominator * denominator);
        double dXi = ofTransform * q * (numeratorXi * denominator - numerator * denominatorXi)
                + (1 - ofTransform) * (derivativeNumeratorXi / derivativeNumerator - 2 * denominatorXi / denominator);
        double dSlope = ofTransform * q * (xi * xi * denominator - numerator * (1 - 2 * u))
                + (1 - ofTransform) * (2 / slope + 2 * u / derivativeNumerator - 2 * (1 - 2 * u) / denominator);
        double dLeftDerivative = ofTransform * q * (u * denominator - numerator * u)
                + (1 - ofTransform) * ((1 - xi) * (1 - xi) / derivativeNumerator - 2 * u / denominator);
        double dRightDerivative = ofTransform * (-q * numerator * u)
                + (1 - ofTransform) * (xi * xi / derivativeNumerator - 2 * u / denominator);
        double dHeight = ofTransform * numerator / denominator;
        double dBottom = ofTransform;
        double result = inside * (bottom + height * numerator / denominator) + (1 - inside) * xv;
        if (mode == 1) {
            result = inside * (2 * log(slope) + log(derivativeNumerator) - 2 * log(denominator));
        }
        if (mode == 2) {
            result = cotangent * (inside * dXi / width + (1 - inside));
        }
        if (mode == 3) {
            result = cotangent * inside * dXi / width;
        }
        if (mode < 4) {
            out[i] = result;
        }
        if (mode >= 4) {
            // Through ξ = (x − xₖ)/wₖ and s = hₖ/wₖ to the bin, then through the softmaxes to the logits.
            double dLeft = -dXi / width;
            double dWidth = -(xi * dXi + slope * dSlope) / width;
            double dBinHeight = dHeight + dSlope / width;
            double chain = inside * cotangent * 2 * bound * scale;
            for (int j = 0; j < bins; j++) {
                double widthShareJ = exp(p[pBase + j * sites] - widthMax) / widthSum;
                double heightShareJ = exp(p[pBase + (bins + j) * sites] - heightMax) / heightSum;
                double before = 0;
                if (j < bin) {
                    before = 1;
                }
                double same = 0;
                if (j == bin) {
                    same = 1;
                }
                out[pBase + j * sites] = chain * (dLeft * widthShareJ * (before - widthSharesBefore)
                        + dWidth * widthShare * (same - widthShareJ));
                out[pBase + (bins + j) * sites] = chain * (dBottom * heightShareJ * (before - heightSharesBefore)
                        + dBinHeight * heightShare * (same - heightShareJ));
            }
            for (int j = 0; j < bins - 1; j++) {
                double value = 0;
                if (j + 1 == bin) {
                    value += dLeftDerivative * leftSoftplusSlope;
                }
                if (j == bin) {
                    value += dRightDerivative * rightSoftplusSlope;
                }
                out[pBase + (2 * bins + j) * sites] = inside * cotangent * value;
            }
        }
    }
}
