package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * {@code haar()} on SU(N) links: every link an independent Haar-random SU(N) matrix, in the packed layout of
 * {@link org.equiflow.tensor.ComplexMatMul} (channel m·2N² + 2(iN + j) + part per link direction m).
 *
 * <p>Mezzadri's recipe (math-ph/0609050): a complex Ginibre matrix Z (independent standard complex normals) has
 * Z = QR with Q Haar on U(N) once the phases of R's diagonal are moved into Q (Q ← Q·diag(R_ii/|R_ii|)); dividing by
 * det(Q)^{1/N} then gives Haar on SU(N), since V·Q has the same determinant as Q for every V ∈ SU(N), so the map
 * commutes with left multiplication and carries the invariant measure to the invariant measure. With the Haar
 * measure normalised to one, the log-density is 0 per link.
 */
final class SuNHaarPrior implements Prior {
    private final int n;

    SuNHaarPrior(int n) {
        if (n < 2 || n > 8) throw new IllegalArgumentException("SU(N) needs 2 ≤ N ≤ 8, got " + n);
        this.n = n;
    }

    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        int block = 2 * n * n;
        if (shape.channels() % block != 0) {
            throw new IllegalArgumentException(shape + " does not hold whole SU(" + n + ") matrices (" + block + " channels each)");
        }
        Tensor u = Tensor.zeros(shape, dtype);
        int matrices = shape.channels() / block;
        int sites = u.size() / (shape.batch() * shape.channels());
        double[] re = new double[n * n], im = new double[n * n];
        for (int b = 0; b < shape.batch(); b++) {
            for (int m = 0; m < matrices; m++) {
                for (int x = 0; x < sites; x++) {
                    haarMatrix(n, random, re, im);
                    for (int e = 0; e < n * n; e++) {
                        int base = (b * shape.channels() + m * block + 2 * e) * sites + x;
                        u.set(base, re[e]);
                        u.set(base + sites, im[e]);
                    }
                }
            }
        }
        return u;
    }

    /** One Haar-random SU(n) matrix into row-major {@code re}, {@code im}. */
    static void haarMatrix(int n, SplittableRandom random, double[] re, double[] im) {
        for (int e = 0; e < n * n; e++) {
            re[e] = random.nextGaussian() / Math.sqrt(2);
            im[e] = random.nextGaussian() / Math.sqrt(2);
        }
        // Modified Gram–Schmidt on the columns: column j becomes Q_j, and R_jj = its norm before normalising is real
        // and positive, so the phase fix of Mezzadri's recipe is already made (Gram–Schmidt is QR with R_jj > 0).
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < j; k++) {
                // ⟨Q_k, Z_j⟩ = Σ_i conj(Q_ik) Z_ij
                double pr = 0, pi = 0;
                for (int i = 0; i < n; i++) {
                    pr += re[i * n + k] * re[i * n + j] + im[i * n + k] * im[i * n + j];
                    pi += re[i * n + k] * im[i * n + j] - im[i * n + k] * re[i * n + j];
                }
                for (int i = 0; i < n; i++) {
                    re[i * n + j] -= pr * re[i * n + k] - pi * im[i * n + k];
                    im[i * n + j] -= pr * im[i * n + k] + pi * re[i * n + k];
                }
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += re[i * n + j] * re[i * n + j] + im[i * n + j] * im[i * n + j];
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                re[i * n + j] /= norm;
                im[i * n + j] /= norm;
            }
        }
        double[] det = determinant(n, re, im);
        double phase = -Math.atan2(det[1], det[0]) / n, c = Math.cos(phase), s = Math.sin(phase);
        for (int e = 0; e < n * n; e++) {
            double r = re[e], i = im[e];
            re[e] = r * c - i * s;
            im[e] = r * s + i * c;
        }
    }

    /** det of a complex n×n matrix by Gaussian elimination with partial pivoting, as {re, im}. */
    static double[] determinant(int n, double[] reIn, double[] imIn) {
        double[] re = reIn.clone(), im = imIn.clone();
        double dr = 1, di = 0;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.hypot(re[r * n + c], im[r * n + c]) > Math.hypot(re[pivot * n + c], im[pivot * n + c])) pivot = r;
            }
            if (pivot != c) {
                for (int k = 0; k < n; k++) {
                    double t = re[c * n + k]; re[c * n + k] = re[pivot * n + k]; re[pivot * n + k] = t;
                    t = im[c * n + k]; im[c * n + k] = im[pivot * n + k]; im[pivot * n + k] = t;
                }
                dr = -dr;
                di = -di;
            }
            double ar = re[c * n + c], ai = im[c * n + c];
            double nr = dr * ar - di * ai, ni = dr * ai + di * ar;
            dr = nr;
            di = ni;
            double mag = ar * ar + ai * ai;
            if (mag == 0) return new double[] {0, 0};
            for (int r = c + 1; r < n; r++) {
                // factor = a_rc / a_cc
                double fr = (re[r * n + c] * ar + im[r * n + c] * ai) / mag, fi = (im[r * n + c] * ar - re[r * n + c] * ai) / mag;
                for (int k = c; k < n; k++) {
                    re[r * n + k] -= fr * re[c * n + k] - fi * im[c * n + k];
                    im[r * n + k] -= fr * im[c * n + k] + fi * re[c * n + k];
                }
            }
        }
        return new double[] {dr, di};
    }
}
