package org.equiflow.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Haar samples of SU(2) and SU(3) against the Weyl integration formula: the eigenangles θ of Haar-random SU(N)
 * matrices have density ∝ ∏_{i<j} |e^{iθᵢ} − e^{iθⱼ}|² with Σθ = 0 — for SU(2), θ ∈ [0, π] with density (2/π) sin²θ.
 * Histograms of samples are compared with that density by a χ² test, and the class moments of the Haar measure
 * (E tr U = 0, E|tr U|² = 1, E|tr U|⁴ = 2, and for SU(3) E (tr U)³ = 1, which U(3) would give as 0) within 5σ.
 */
class SuNHaarPriorTest {

    @Test
    void samplesAreSpecialUnitaryInThePackedLinkLayout() {
        for (int n : new int[] {2, 3, 4}) {
            Tensor u = new SuNHaarPrior(n).sample(new Shape(3, 2 * 2 * n * n, 2, 3), DType.F64, new SplittableRandom(5));
            int sites = 6, block = 2 * n * n;
            for (int b = 0; b < 3; b++) for (int m = 0; m < 2; m++) for (int x = 0; x < sites; x++) {
                double[] re = new double[n * n], im = new double[n * n];
                for (int e = 0; e < n * n; e++) {
                    re[e] = u.get((b * 2 * block + m * block + 2 * e) * sites + x);
                    im[e] = u.get((b * 2 * block + m * block + 2 * e + 1) * sites + x);
                }
                // U†U = 1
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
                    double sr = 0, si = 0;
                    for (int k = 0; k < n; k++) {
                        sr += re[k * n + i] * re[k * n + j] + im[k * n + i] * im[k * n + j];
                        si += re[k * n + i] * im[k * n + j] - im[k * n + i] * re[k * n + j];
                    }
                    assertEquals(i == j ? 1 : 0, sr, 1e-12);
                    assertEquals(0, si, 1e-12);
                }
                double[] det = SuNHaarPrior.determinant(n, re, im);
                assertEquals(1, det[0], 1e-12, "det U = 1");
                assertEquals(0, det[1], 1e-12, "det U = 1");
            }
        }
    }

    @Test
    void su2EigenanglesFollowTheWeylDensity() {
        int samples = 200_000, bins = 20;
        long[] counts = new long[bins];
        var random = new SplittableRandom(11);
        double[] re = new double[4], im = new double[4];
        for (int s = 0; s < samples; s++) {
            SuNHaarPrior.haarMatrix(2, random, re, im);
            double theta = Math.acos(Math.max(-1, Math.min(1, (re[0] + re[3]) / 2)));
            counts[Math.min(bins - 1, (int) (theta / Math.PI * bins))]++;
        }
        // P(bin) = ∫ (2/π) sin²θ dθ = [θ − sin θ cos θ]/π over the bin
        double[] expected = new double[bins];
        for (int k = 0; k < bins; k++) {
            double a = Math.PI * k / bins, b = Math.PI * (k + 1) / bins;
            expected[k] = samples * ((b - Math.sin(b) * Math.cos(b)) - (a - Math.sin(a) * Math.cos(a))) / Math.PI;
        }
        assertChiSquareFits(counts, expected);
    }

    @Test
    void su3TraceFollowsTheWeylDensity() {
        // Re tr U of Haar SU(3), binned, against the Weyl density integrated over the maximal torus (θ₁, θ₂, −θ₁−θ₂).
        int samples = 200_000, bins = 16;
        double lo = -1.5, hi = 3;
        long[] counts = new long[bins];
        var random = new SplittableRandom(12);
        double[] re = new double[9], im = new double[9];
        double sumRe = 0, sumIm = 0, abs2 = 0, abs4 = 0, cubeRe = 0, cubeIm = 0;
        double[] abs2Series = new double[samples];
        for (int s = 0; s < samples; s++) {
            SuNHaarPrior.haarMatrix(3, random, re, im);
            double tr = re[0] + re[4] + re[8], ti = im[0] + im[4] + im[8];
            counts[Math.max(0, Math.min(bins - 1, (int) ((tr - lo) / (hi - lo) * bins)))]++;
            sumRe += tr;
            sumIm += ti;
            double a2 = tr * tr + ti * ti;
            abs2 += a2;
            abs4 += a2 * a2;
            abs2Series[s] = a2;
            // (tr U)³
            double sqr = tr * tr - ti * ti, sqi = 2 * tr * ti;
            cubeRe += sqr * tr - sqi * ti;
            cubeIm += sqr * ti + sqi * tr;
        }
        int grid = 1200;
        double[] weight = new double[bins];
        double total = 0;
        for (int a = 0; a < grid; a++) {
            for (int b = 0; b < grid; b++) {
                double t1 = 2 * Math.PI * (a + 0.5) / grid - Math.PI, t2 = 2 * Math.PI * (b + 0.5) / grid - Math.PI, t3 = -t1 - t2;
                double w = chord2(t1, t2) * chord2(t1, t3) * chord2(t2, t3);
                double trace = Math.cos(t1) + Math.cos(t2) + Math.cos(t3);
                weight[Math.max(0, Math.min(bins - 1, (int) ((trace - lo) / (hi - lo) * bins)))] += w;
                total += w;
            }
        }
        double norm = samples / total;
        double[] expected = Arrays.stream(weight).map(w -> w * norm).toArray();
        assertChiSquareFits(counts, expected);

        double n = samples;
        assertEquals(0, sumRe / n, 5 / Math.sqrt(2 * n), "E Re tr U");
        assertEquals(0, sumIm / n, 5 / Math.sqrt(2 * n), "E Im tr U");
        assertEquals(1, abs2 / n, 5 * Math.sqrt((2 - 1) / n), "E |tr U|²");
        assertEquals(2, abs4 / n, 5 * Math.sqrt((24 - 4) / n), "E |tr U|⁴ (variance from E|tr U|⁸ = 24)");
        assertEquals(1, cubeRe / n, 5 * Math.sqrt(6 / n), "E (tr U)³ = 1 on SU(3), 0 on U(3)");
        assertEquals(0, cubeIm / n, 5 * Math.sqrt(6 / n));
    }

    private static double chord2(double a, double b) {
        return 2 - 2 * Math.cos(a - b);
    }

    /** Pearson χ² over bins with ≥ 20 expected counts, required below the 0.999 quantile (Wilson–Hilferty). */
    private static void assertChiSquareFits(long[] counts, double[] expected) {
        double chi2 = 0;
        int dof = -1;
        for (int k = 0; k < counts.length; k++) {
            if (expected[k] < 20) continue;
            chi2 += (counts[k] - expected[k]) * (counts[k] - expected[k]) / expected[k];
            dof++;
        }
        double z = 3.09; // 0.999 quantile of the standard normal
        double bound = dof * Math.pow(1 - 2.0 / (9 * dof) + z * Math.sqrt(2.0 / (9 * dof)), 3);
        assertTrue(chi2 < bound, "χ² = " + chi2 + " over " + dof + " degrees of freedom, bound " + bound
                + "; counts " + Arrays.toString(counts) + " expected " + Arrays.toString(expected));
    }
}
