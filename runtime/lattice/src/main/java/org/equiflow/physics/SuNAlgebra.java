package org.equiflow.physics;

/**
 * Float64 arithmetic on one complex N×N matrix at a time, row-major real and imaginary parts
 * ({@code re[iN + j]}, {@code im[iN + j]}): what HMC on SU(N) links needs on the host — the
 * projection onto the Lie algebra su(N) (traceless anti-Hermitian matrices) and the exponential
 * of an algebra element. Inner product throughout: ⟨A, B⟩ = Re tr(A†B), the sum of the products
 * of the packed real components.
 */
final class SuNAlgebra {
    private SuNAlgebra() {}

    /**
     * The orthogonal projection onto su(N) in place: A ← (A − A†)/2 − (tr(A − A†)/2N)·1. Anti-Hermitian
     * and Hermitian parts are orthogonal, and so are traceless matrices and the identity, so
     * this is the nearest algebra element, and it maps a standard Gaussian of the packed
     * components to a standard Gaussian on su(N).
     */
    static void projectToAlgebra(int n, double[] re, double[] im) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double r = 0.5 * (re[i * n + j] - re[j * n + i]), s = 0.5 * (im[i * n + j] + im[j * n + i]);
                re[i * n + j] = r;
                im[i * n + j] = s;
                re[j * n + i] = -r;
                im[j * n + i] = s;
            }
        }
        double trace = 0;
        for (int i = 0; i < n; i++) {
            re[i * n + i] = 0;
            trace += im[i * n + i];
        }
        for (int i = 0; i < n; i++) im[i * n + i] -= trace / n;
    }

    /** C = A·B (C must not alias A or B). */
    static void multiply(int n, double[] ar, double[] ai, double[] br, double[] bi, double[] cr, double[] ci) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double r = 0, s = 0;
                for (int k = 0; k < n; k++) {
                    double xr = ar[i * n + k], xi = ai[i * n + k], yr = br[k * n + j], yi = bi[k * n + j];
                    r += xr * yr - xi * yi;
                    s += xr * yi + xi * yr;
                }
                cr[i * n + j] = r;
                ci[i * n + j] = s;
            }
        }
    }

    /** C = A·B† (C must not alias A or B). */
    static void multiplyAdjoint(int n, double[] ar, double[] ai, double[] br, double[] bi, double[] cr, double[] ci) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double r = 0, s = 0;
                for (int k = 0; k < n; k++) {
                    // (B†)[k][j] = conj(B[j][k])
                    double xr = ar[i * n + k], xi = ai[i * n + k], yr = br[j * n + k], yi = -bi[j * n + k];
                    r += xr * yr - xi * yi;
                    s += xr * yi + xi * yr;
                }
                cr[i * n + j] = r;
                ci[i * n + j] = s;
            }
        }
    }

    /**
     * exp(A) into (er, ei) by scaling and squaring: A/2^s has Frobenius norm below 1/4, its Taylor
     * series to order 14 is exact to far below float64 rounding (4^-15/15! ≈ 10^-21), and s
     * squarings undo the scaling. For A ∈ su(N) the result is in SU(N) to rounding.
     */
    static void exp(int n, double[] ar, double[] ai, double[] er, double[] ei) {
        double norm = 0;
        for (int e = 0; e < n * n; e++) norm += ar[e] * ar[e] + ai[e] * ai[e];
        norm = Math.sqrt(norm);
        int squarings = norm <= 0.25 ? 0 : (int) Math.ceil(Math.log(norm / 0.25) / Math.log(2));
        double scale = Math.scalb(1.0, -squarings);
        double[] xr = new double[n * n], xi = new double[n * n], tr = new double[n * n], ti = new double[n * n];
        for (int e = 0; e < n * n; e++) {
            xr[e] = ar[e] * scale;
            xi[e] = ai[e] * scale;
        }
        // Horner: exp(X) ≈ 1 + X(1 + X/2(1 + X/3(… (1 + X/14)))).
        java.util.Arrays.fill(er, 0);
        java.util.Arrays.fill(ei, 0);
        for (int i = 0; i < n; i++) er[i * n + i] = 1;
        for (int k = 14; k >= 1; k--) {
            multiply(n, xr, xi, er, ei, tr, ti);
            java.util.Arrays.fill(er, 0);
            java.util.Arrays.fill(ei, 0);
            for (int e = 0; e < n * n; e++) {
                er[e] = tr[e] / k;
                ei[e] = ti[e] / k;
            }
            for (int i = 0; i < n; i++) er[i * n + i] += 1;
        }
        for (int s = 0; s < squarings; s++) {
            multiply(n, er, ei, er, ei, tr, ti);
            System.arraycopy(tr, 0, er, 0, n * n);
            System.arraycopy(ti, 0, ei, 0, n * n);
        }
    }
}
