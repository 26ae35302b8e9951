package org.equiflow.truffle;

import java.util.SplittableRandom;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * The group side of the SU(3) flow laws, on 2D link fields packed as [B, 2·18, L0, L1] (channel
 * μ·18 + 2(3i + j) + part): the log-det of a flow's Jacobian in local group coordinates
 * U → exp(Σₐ εₐ iλₐ/2)U (λₐ the Gell-Mann matrices), and random gauge transformations. Written
 * from the definitions, independently of the layer (as {@link SuTwoLinks} for SU(2)).
 */
final class SuThreeLinks {
    private SuThreeLinks() {}

    private static final int N = 3, MATRIX = 2 * N * N;

    static double[] link(Tensor t, int b, int mu, int site) {
        double[] m = new double[MATRIX];
        for (int c = 0; c < MATRIX; c++) m[c] = t.get(t.shape().index(b, mu * MATRIX + c, site));
        return m;
    }

    static void setLink(Tensor t, int b, int mu, int site, double[] m) {
        for (int c = 0; c < MATRIX; c++) t.set(t.shape().index(b, mu * MATRIX + c, site), m[c]);
    }

    /** A·B (or with adjoints), complex 3×3 in the packed order. */
    static double[] multiply(double[] a, boolean adjointA, double[] b, boolean adjointB) {
        double[] out = new double[MATRIX];
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) {
            double re = 0, im = 0;
            for (int k = 0; k < N; k++) {
                int ai = adjointA ? 2 * (N * k + i) : 2 * (N * i + k), bi = adjointB ? 2 * (N * j + k) : 2 * (N * k + j);
                double ar = a[ai], aim = adjointA ? -a[ai + 1] : a[ai + 1];
                double br = b[bi], bim = adjointB ? -b[bi + 1] : b[bi + 1];
                re += ar * br - aim * bim;
                im += ar * bim + aim * br;
            }
            out[2 * (N * i + j)] = re;
            out[2 * (N * i + j) + 1] = im;
        }
        return out;
    }

    /** The Gell-Mann matrix λₐ, a = 0 … 7 (λ₁ … λ₈), packed. */
    static double[] gellMann(int a) {
        double[] m = new double[MATRIX];
        switch (a) {
            case 0 -> { m[2 * 1] = 1; m[2 * 3] = 1; }
            case 1 -> { m[2 * 1 + 1] = -1; m[2 * 3 + 1] = 1; }
            case 2 -> { m[0] = 1; m[2 * 4] = -1; }
            case 3 -> { m[2 * 2] = 1; m[2 * 6] = 1; }
            case 4 -> { m[2 * 2 + 1] = -1; m[2 * 6 + 1] = 1; }
            case 5 -> { m[2 * 5] = 1; m[2 * 7] = 1; }
            case 6 -> { m[2 * 5 + 1] = -1; m[2 * 7 + 1] = 1; }
            case 7 -> { double s = 1 / Math.sqrt(3); m[0] = s; m[2 * 4] = s; m[2 * 8] = -2 * s; }
            default -> throw new IllegalArgumentException("generator " + a);
        }
        return m;
    }

    /** exp(i·angle·λₐ/2) by its Taylor series (|angle| ≪ 1 here, so 12 terms are exact to rounding). */
    static double[] rotation(int a, double angle) {
        double[] x = gellMann(a), generator = new double[MATRIX];
        // i·angle/2·λ: (re, im) → (−im, re)·angle/2
        for (int c = 0; c < MATRIX; c += 2) {
            generator[c] = -x[c + 1] * angle / 2;
            generator[c + 1] = x[c] * angle / 2;
        }
        double[] sum = identity(), term = identity();
        for (int k = 1; k < 12; k++) {
            term = multiply(term, false, generator, false);
            for (int c = 0; c < MATRIX; c++) term[c] /= k;
            for (int c = 0; c < MATRIX; c++) sum[c] += term[c];
        }
        return sum;
    }

    static double[] identity() {
        double[] m = new double[MATRIX];
        for (int i = 0; i < N; i++) m[2 * (N * i + i)] = 1;
        return m;
    }

    /** A Haar-random SU(3) element: Gram–Schmidt on complex Gaussian rows (Haar on U(3)), then the phase of the determinant divided out. */
    static double[] randomElement(SplittableRandom random) {
        double[][] re = new double[N][N], im = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) { re[i][j] = random.nextGaussian(); im[i][j] = random.nextGaussian(); }
            for (int k = 0; k < i; k++) {
                double pr = 0, pi = 0; // ⟨row k, row i⟩ = Σ conj(k)·i
                for (int j = 0; j < N; j++) {
                    pr += re[k][j] * re[i][j] + im[k][j] * im[i][j];
                    pi += re[k][j] * im[i][j] - im[k][j] * re[i][j];
                }
                for (int j = 0; j < N; j++) {
                    re[i][j] -= pr * re[k][j] - pi * im[k][j];
                    im[i][j] -= pr * im[k][j] + pi * re[k][j];
                }
            }
            double norm = 0;
            for (int j = 0; j < N; j++) norm += re[i][j] * re[i][j] + im[i][j] * im[i][j];
            norm = Math.sqrt(norm);
            for (int j = 0; j < N; j++) { re[i][j] /= norm; im[i][j] /= norm; }
        }
        double[] m = new double[MATRIX];
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { m[2 * (N * i + j)] = re[i][j]; m[2 * (N * i + j) + 1] = im[i][j]; }
        double[] det = determinant(m);
        double phase = -Math.atan2(det[1], det[0]) / 3, c = Math.cos(phase), s = Math.sin(phase);
        for (int k = 0; k < MATRIX; k += 2) {
            double r = m[k], i = m[k + 1];
            m[k] = c * r - s * i;
            m[k + 1] = c * i + s * r;
        }
        return m;
    }

    /** det of a packed 3×3 complex matrix, as (re, im). */
    static double[] determinant(double[] m) {
        double re = 0, im = 0;
        int[][] permutations = {{0, 1, 2, 1}, {1, 2, 0, 1}, {2, 0, 1, 1}, {0, 2, 1, -1}, {2, 1, 0, -1}, {1, 0, 2, -1}};
        for (int[] p : permutations) {
            double pr = 1, pi = 0;
            for (int i = 0; i < N; i++) {
                double ar = m[2 * (N * i + p[i])], ai = m[2 * (N * i + p[i]) + 1];
                double nr = pr * ar - pi * ai;
                pi = pr * ai + pi * ar;
                pr = nr;
            }
            re += p[3] * pr;
            im += p[3] * pi;
        }
        return new double[] {re, im};
    }

    /** Ω(x) per configuration and site. */
    static double[][][] randomGauge(Shape s, SplittableRandom random) {
        double[][][] omega = new double[s.batch()][s.sites()][];
        for (double[][] configuration : omega) for (int x = 0; x < configuration.length; x++) configuration[x] = randomElement(random);
        return omega;
    }

    /** U_μ(x) → Ω(x) U_μ(x) Ω(x + μ)†. */
    static Tensor gaugeTransform(Tensor links, double[][][] omega) {
        Shape s = links.shape();
        int l0 = s.latticeExtent(0), l1 = s.latticeExtent(1);
        Tensor out = links.copy();
        for (int b = 0; b < s.batch(); b++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < l0; x0++) for (int x1 = 0; x1 < l1; x1++) {
                    int site = x0 * l1 + x1;
                    int next = ((x0 + (mu == 0 ? 1 : 0)) % l0) * l1 + (x1 + (mu == 1 ? 1 : 0)) % l1;
                    setLink(out, b, mu, site, multiply(multiply(omega[b][site], false, link(links, b, mu, site), false), false, omega[b][next], true));
                }
            }
        }
        return out;
    }

    /**
     * log|det| of the flow's forward map at z (one configuration) in the local coordinates
     * U → exp(Σₐ εₐ iλₐ/2)U of every link, in which the Haar measure is flat: central differences
     * of step 1e-5, all perturbed configurations in one batch; the output's tangent
     * X = ∂U′·U′† ∈ su(3) is read back as εₐ = Im tr(λₐX) (tr(λₐλ_b) = 2δₐ_b).
     */
    static double localLogDet(CompiledFlow flow, Tensor z) {
        Shape s = z.shape();
        int sites = s.sites(), generators = N * N - 1, coordinates = 2 * sites * generators;
        double step = 1e-5;
        Tensor perturbed = Tensor.zeros(s.withBatch(2 * coordinates), z.dtype());
        for (int k = 0; k < coordinates; k++) {
            int mu = k / (generators * sites), site = (k / generators) % sites, generator = k % generators;
            for (int sign = 0; sign < 2; sign++) {
                int b = 2 * k + sign;
                for (int m = 0; m < 2; m++) for (int x = 0; x < sites; x++) setLink(perturbed, b, m, x, link(z, 0, m, x));
                double[] rotation = rotation(generator, sign == 0 ? step : -step);
                setLink(perturbed, b, mu, site, multiply(rotation, false, link(z, 0, mu, site), false));
            }
        }
        Tensor image = flow.forward(z).x(), out = flow.forward(perturbed).x();
        double[][] jacobian = new double[coordinates][coordinates];
        double[][] lambda = new double[generators][];
        for (int a = 0; a < generators; a++) lambda[a] = gellMann(a);
        for (int k = 0; k < coordinates; k++) {
            for (int m = 0; m < 2; m++) for (int x = 0; x < sites; x++) {
                double[] plus = link(out, 2 * k, m, x), minus = link(out, 2 * k + 1, m, x);
                double[] difference = new double[MATRIX];
                for (int c = 0; c < MATRIX; c++) difference[c] = (plus[c] - minus[c]) / (2 * step);
                double[] tangent = multiply(difference, false, link(image, 0, m, x), true);
                int row = (m * sites + x) * generators;
                for (int a = 0; a < generators; a++) {
                    double[] product = multiply(lambda[a], false, tangent, false);
                    jacobian[row + a][k] = product[1] + product[2 * 4 + 1] + product[2 * 8 + 1];
                }
            }
        }
        return Determinants.logAbsDeterminant(jacobian);
    }
}
