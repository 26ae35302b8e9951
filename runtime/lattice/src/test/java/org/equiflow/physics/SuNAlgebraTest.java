package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The host-side su(N) arithmetic HMC on SU(N) links rests on: the projection is the orthogonal
 * projection onto traceless anti-Hermitian matrices, and the exponential matches SU(2)'s closed
 * form exp(iθ n̂·σ⃗) = cos θ + i sin θ n̂·σ⃗ and, for SU(3), is a group element with exp(X)exp(−X) = 1
 * — also for large X, where scaling and squaring takes over.
 */
class SuNAlgebraTest {
    private static void randomMatrix(SplittableRandom random, double scale, double[] re, double[] im) {
        for (int e = 0; e < re.length; e++) {
            re[e] = scale * random.nextGaussian();
            im[e] = scale * random.nextGaussian();
        }
    }

    @Test
    void theProjectionIsOrthogonalOntoTracelessAntiHermitianMatrices() {
        var random = new SplittableRandom(3);
        for (int n = 2; n <= 4; n++) {
            double[] mr = new double[n * n], mi = new double[n * n], pr = new double[n * n], pi = new double[n * n];
            double[] ar = new double[n * n], ai = new double[n * n];
            randomMatrix(random, 1, mr, mi);
            System.arraycopy(mr, 0, pr, 0, n * n);
            System.arraycopy(mi, 0, pi, 0, n * n);
            SuNAlgebra.projectToAlgebra(n, pr, pi);
            double trace = 0;
            for (int i = 0; i < n; i++) {
                trace += pi[i * n + i];
                assertEquals(0, pr[i * n + i], 1e-15, "anti-Hermitian: real diagonal 0");
                for (int j = 0; j < n; j++) {
                    assertEquals(-pr[j * n + i], pr[i * n + j], 1e-15);
                    assertEquals(pi[j * n + i], pi[i * n + j], 1e-15);
                }
            }
            assertEquals(0, trace, 1e-14, "traceless");
            // M − P(M) is orthogonal to every algebra element A: Re tr((M − PM)† A) = 0.
            randomMatrix(random, 1, ar, ai);
            SuNAlgebra.projectToAlgebra(n, ar, ai);
            double inner = 0;
            for (int e = 0; e < n * n; e++) inner += (mr[e] - pr[e]) * ar[e] + (mi[e] - pi[e]) * ai[e];
            assertEquals(0, inner, 1e-13, "orthogonal projection");
            // Idempotent.
            double[] qr = pr.clone(), qi = pi.clone();
            SuNAlgebra.projectToAlgebra(n, qr, qi);
            for (int e = 0; e < n * n; e++) {
                assertEquals(pr[e], qr[e], 1e-15);
                assertEquals(pi[e], qi[e], 1e-15);
            }
        }
    }

    @Test
    void theSu2ExponentialMatchesTheClosedForm() {
        var random = new SplittableRandom(5);
        for (double theta : new double[] {0, 1e-9, 0.3, 2.0, 7.5, 40.0}) {
            double a = random.nextGaussian(), b = random.nextGaussian(), c = random.nextGaussian(), norm = Math.sqrt(a * a + b * b + c * c);
            a /= norm;
            b /= norm;
            c /= norm;
            // X = iθ(a σ₁ + b σ₂ + c σ₃) = θ [[ic, b + ia], [−b + ia, −ic]]
            double[] xr = {0, theta * b, -theta * b, 0}, xi = {theta * c, theta * a, theta * a, -theta * c};
            double[] er = new double[4], ei = new double[4];
            SuNAlgebra.exp(2, xr, xi, er, ei);
            double cos = Math.cos(theta), sin = Math.sin(theta);
            double[] wantRe = {cos, sin * b, -sin * b, cos}, wantIm = {sin * c, sin * a, sin * a, -sin * c};
            for (int e = 0; e < 4; e++) {
                assertEquals(wantRe[e], er[e], 1e-12 * Math.max(1, theta), "θ = " + theta + ", entry " + e);
                assertEquals(wantIm[e], ei[e], 1e-12 * Math.max(1, theta), "θ = " + theta + ", entry " + e);
            }
        }
    }

    @Test
    void theSu3ExponentialIsAGroupElementAndExpOfMinusXIsItsInverse() {
        var random = new SplittableRandom(7);
        int n = 3;
        for (double scale : new double[] {1e-3, 0.1, 1, 5}) {
            double[] xr = new double[9], xi = new double[9], er = new double[9], ei = new double[9], fr = new double[9], fi = new double[9];
            randomMatrix(random, scale, xr, xi);
            SuNAlgebra.projectToAlgebra(n, xr, xi);
            SuNAlgebra.exp(n, xr, xi, er, ei);
            double[] nr = xr.clone(), ni = xi.clone();
            for (int e = 0; e < 9; e++) {
                nr[e] = -nr[e];
                ni[e] = -ni[e];
            }
            SuNAlgebra.exp(n, nr, ni, fr, fi);
            double[] pr = new double[9], pi = new double[9], ur = new double[9], ui = new double[9];
            SuNAlgebra.multiply(n, er, ei, fr, fi, pr, pi);
            SuNAlgebra.multiplyAdjoint(n, er, ei, er, ei, ur, ui);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double id = i == j ? 1 : 0;
                    assertEquals(id, pr[i * n + j], 1e-12, "exp(X) exp(−X) = 1 at scale " + scale);
                    assertEquals(0, pi[i * n + j], 1e-12);
                    assertEquals(id, ur[i * n + j], 1e-12, "exp(X) exp(X)† = 1 at scale " + scale);
                    assertEquals(0, ui[i * n + j], 1e-12);
                }
            }
        }
    }
}
