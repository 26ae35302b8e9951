package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** The float32 twin of {@link SplineKernelF64} (Aparapi kernels are fixed to one array element type). */
final class SplineKernelF32 extends Kernel {

    static final float MIN_BIN = 1e-3f;
    static final float MIN_DERIVATIVE = 1e-3f;
    static final float DERIVATIVE_SHIFT = 0.539742417236952f;

    float[] x = new float[1];
    float[] p = new float[1];
    float[] g = new float[1];
    float[] out = new float[1];
    int mode;
    int bins;
    float bound;
    int sites;

    void bind(int mode, int bins, float bound, float[] x, float[] p, float[] g, float[] out, int sites) {
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
        float xv = x[i];
        float cotangent = g[i];
        // Outside [−B, B] the spline is the identity: evaluate at the safe point 0 and select
        // the tail's values at the end, since Aparapi cannot translate early exits here.
        float inside = 1;
        if (xv <= -bound) {
            inside = 0;
        }
        if (xv >= bound) {
            inside = 0;
        }
        float xs = xv * inside;
        float widthMax = p[pBase];
        float heightMax = p[pBase + bins * sites];
        for (int k = 1; k < bins; k++) {
            widthMax = max(widthMax, p[pBase + k * sites]);
            heightMax = max(heightMax, p[pBase + (bins + k) * sites]);
        }
        float widthSum = 0;
        float heightSum = 0;
        for (int k = 0; k < bins; k++) {
            widthSum += exp(p[pBase + k * sites] - widthMax);
            heightSum += exp(p[pBase + (bins + k) * sites] - heightMax);
        }
        float scale = 1 - bins * MIN_BIN;
        int bin = -1;
        float left = -bound;
        float bottom = -bound;
        float width = 0;
        float height = 0;
        float widthShare = 0;
        float heightShare = 0;
        float widthSharesBefore = 0;
        float heightSharesBefore = 0;
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
        float leftDerivative = 1;
        float rightDerivative = 1;
        float leftSoftplusSlope = 0;
        float rightSoftplusSlope = 0;
        if (bin > 0) {
            float z = p[pBase + (2 * bins + bin - 1) * sites] + DERIVATIVE_SHIFT;
            leftDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            leftSoftplusSlope = 1 / (1 + exp(-z));
        }
        if (bin < bins - 1) {
            float z = p[pBase + (2 * bins + bin) * sites] + DERIVATIVE_SHIFT;
            rightDerivative = MIN_DERIVATIVE + max(z, 0) + log(1 + exp(-abs(z)));
            rightSoftplusSlope = 1 / (1 + exp(-z));
        }
        float xi = (xs - left) / width;
        float slope = height / width;
        float u = xi * (1 - xi);
        float curvature = leftDerivative + rightDerivative - 2 * slope;
        float numerator = slope * xi * xi + leftDerivative * u;
        float denominator = slope + curvature * u;
        float derivativeNumerator = rightDerivative * xi * xi + 2 * slope * u + leftDerivative * (1 - xi) * (1 - xi);
        float numeratorXi = 2 * slope * xi + leftDerivative * (1 - 2 * xi);
        float denominatorXi = curvature * (1 - 2 * xi);
        float derivativeNumeratorXi = 2 * rightDerivative * xi + 2 * slope * (1 - 2 * xi) - 2 * leftDerivative * (1 - xi);
        // Partial derivatives with respect to ξ, s, δₖ, δₖ₊₁, hₖ (direct) and yₖ of y (ofTransform = 1) or of log dy/dx.
        float ofTransform = 0;
        if (mode == 2) {
            ofTransform = 1;
        }
        if (mode == 4) {
            ofTransform = 1;
        }
        float q = height / (denominator * denominator);
        float dXi = ofTransform * q * (numeratorXi * denominator - numerator * denominatorXi)
                + (1 - ofTransform) * (derivativeNumeratorXi / derivativeNumerator - 2 * denominatorXi / denominator);
        float dSlope = ofTransform * q * (xi * xi * denominator - numerator * (1 - 2 * u))
                + (1 - ofTransform) * (2 / slope + 2 * u / derivativeNumerator - 2 * (1 - 2 * u) / denominator);
        float dLeftDerivative = ofTransform * q * (u * denominator - numerator * u)
                + (1 - ofTransform) * ((1 - xi) * (1 - xi) / derivativeNumerator - 2 * u / denominator);
        float dRightDerivative = ofTransform * (-q * numerator * u)
                + (1 - ofTransform) * (xi * xi / derivativeNumerator - 2 * u / denominator);
        float dHeight = ofTransform * numerator / denominator;
        float dBottom = ofTransform;
        float result = inside * (bottom + height * numerator / denominator) + (1 - inside) * xv;
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
            float dLeft = -dXi / width;
            float dWidth = -(xi * dXi + slope * dSlope) / width;
            float dBinHeight = dHeight + dSlope / width;
            float chain = inside * cotangent * 2 * bound * scale;
            for (int j = 0; j < bins; j++) {
                float widthShareJ = exp(p[pBase + j * sites] - widthMax) / widthSum;
                float heightShareJ = exp(p[pBase + (bins + j) * sites] - heightMax) / heightSum;
                float before = 0;
                if (j < bin) {
                    before = 1;
                }
                float same = 0;
                if (j == bin) {
                    same = 1;
                }
                out[pBase + j * sites] = chain * (dLeft * widthShareJ * (before - widthSharesBefore)
                        + dWidth * widthShare * (same - widthShareJ));
                out[pBase + (bins + j) * sites] = chain * (dBottom * heightShareJ * (before - heightSharesBefore)
                        + dBinHeight * heightShare * (same - heightShareJ));
            }
            for (int j = 0; j < bins - 1; j++) {
                float value = 0;
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
