package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The laws of a gradient flow's two SU(N) primitives beyond their gradients (which
 * {@link PrimitiveGradientCheckTest} checks): {@link AlgebraProjection} is an idempotent
 * projection onto traceless anti-Hermitian matrices, orthogonal in Re tr(A†B) (what its
 * self-adjoint VJP rests on); {@link MatrixExponential} maps su(N) into SU(N), inverts by
 * exp(−X), agrees with the closed form of SU(2), and computes in double for float32 tensors.
 */
class MatrixExponentialTest {
    private final SplittableRandom random = new SplittableRandom(20260);

    /** Two matrices per site on a 3×2 lattice, batch 2, entries N(0, scale²). */
    private Tensor randomMatrices(int n, double scale) {
        Tensor t = Tensor.randn(new Shape(2, 2 * 2 * n * n, 3, 2), DType.F64, random);
        for (int i = 0; i < t.size(); i++) t.set(i, scale * t.get(i));
        return t;
    }

    /** Matrix m (counting over batch and matrices per site) at site x, packed 2(iN + j) + part. */
    private static double[] matrix(Tensor t, int n, int m, int x) {
        int block = 2 * n * n, sites = t.shape().sites();
        double[] a = new double[block];
        for (int c = 0; c < block; c++) a[c] = t.get((m * block + c) * sites + x);
        return a;
    }

    private static int matrices(Tensor t, int n) { return t.shape().batch() * t.shape().channels() / (2 * n * n); }

    /** The determinant of a packed complex n×n matrix by Gaussian elimination with partial pivoting, {re, im}. */
    private static double[] determinant(double[] packed, int n) {
        double[][] re = new double[n][n], im = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                re[i][j] = packed[2 * (i * n + j)];
                im[i][j] = packed[2 * (i * n + j) + 1];
            }
        }
        double detRe = 1, detIm = 0;
        for (int k = 0; k < n; k++) {
            int pivot = k;
            for (int i = k + 1; i < n; i++) if (Math.hypot(re[i][k], im[i][k]) > Math.hypot(re[pivot][k], im[pivot][k])) pivot = i;
            if (pivot != k) {
                double[] r = re[k]; re[k] = re[pivot]; re[pivot] = r;
                double[] s = im[k]; im[k] = im[pivot]; im[pivot] = s;
                detRe = -detRe;
                detIm = -detIm;
            }
            double pr = re[k][k], pi = im[k][k];
            double nextRe = detRe * pr - detIm * pi;
            detIm = detRe * pi + detIm * pr;
            detRe = nextRe;
            double norm = pr * pr + pi * pi;
            for (int i = k + 1; i < n; i++) {
                // f = A_ik / A_kk
                double fr = (re[i][k] * pr + im[i][k] * pi) / norm, fi = (im[i][k] * pr - re[i][k] * pi) / norm;
                for (int j = k; j < n; j++) {
                    re[i][j] -= fr * re[k][j] - fi * im[k][j];
                    im[i][j] -= fr * im[k][j] + fi * re[k][j];
                }
            }
        }
        return new double[] {detRe, detIm};
    }

    private static void assertIdentity(Tensor t, int n, double tolerance, String label) {
        for (int m = 0; m < matrices(t, n); m++) {
            for (int x = 0; x < t.shape().sites(); x++) {
                double[] a = matrix(t, n, m, x);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        assertEquals(i == j ? 1 : 0, a[2 * (i * n + j)], tolerance, label + ": Re entry " + i + j);
                        assertEquals(0, a[2 * (i * n + j) + 1], tolerance, label + ": Im entry " + i + j);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {2, 3})
    void theExponentialOfSuNIsSpecialUnitary(int n) {
        // from a small flow step to a long one, which takes several squarings
        for (double scale : new double[] {1e-3, 0.3, 2, 12}) {
            Tensor x = Ops.apply(new AlgebraProjection(n), randomMatrices(n, scale));
            Tensor u = Ops.apply(new MatrixExponential(n), x);
            assertIdentity(Ops.apply(new ComplexMatMul(n, true, false), u, u), n, 1e-12, "U†U at scale " + scale);
            for (int m = 0; m < matrices(u, n); m++) {
                for (int site = 0; site < u.shape().sites(); site++) {
                    double[] det = determinant(matrix(u, n, m, site), n);
                    assertEquals(1, det[0], 1e-12, "Re det U at scale " + scale);
                    assertEquals(0, det[1], 1e-12, "Im det U at scale " + scale);
                }
            }
        }
    }

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {1, 2, 3, 4, 8})
    void theExponentialOfMinusXIsTheInverse(int n) {
        Tensor x = randomMatrices(n, 0.4);
        Tensor product = Ops.apply(new ComplexMatMul(n, false, false),
                Ops.apply(new MatrixExponential(n), x), Ops.apply(new MatrixExponential(n), Ops.neg(x)));
        assertIdentity(product, n, 1e-12, "exp(X)·exp(−X)");
    }

    /** exp(iθ n̂·σ⃗) = cos θ·1 + i sin θ n̂·σ⃗ for unit n̂, from tiny θ to many turns. */
    @ParameterizedTest(name = "θ = {0}")
    @ValueSource(doubles = {1e-6, 0.3, 1, Math.PI / 2, 3, 7.5, 40})
    void su2ExponentialsHaveTheirClosedForm(double theta) {
        double n1 = random.nextGaussian(), n2 = random.nextGaussian(), n3 = random.nextGaussian();
        double norm = Math.sqrt(n1 * n1 + n2 * n2 + n3 * n3);
        n1 /= norm;
        n2 /= norm;
        n3 /= norm;
        // n̂·σ⃗ = [[n3, n1 − i n2], [n1 + i n2, −n3]], times iθ
        double[] generator = {0, theta * n3, theta * n2, theta * n1, -theta * n2, theta * n1, 0, -theta * n3};
        double c = Math.cos(theta), s = Math.sin(theta);
        double[] expected = {c, s * n3, s * n2, s * n1, -s * n2, s * n1, c, -s * n3};
        Tensor u = Ops.apply(new MatrixExponential(2), Tensor.wrap(new Shape(1, 8, 1), generator.clone()));
        for (int k = 0; k < 8; k++) assertEquals(expected[k], u.get(k), 1e-13 * Math.max(1, theta), "channel " + k);
    }

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void theProjectionIsAnOrthogonalProjectionOntoTheAlgebra(int n) {
        AlgebraProjection ta = new AlgebraProjection(n);
        Tensor m = randomMatrices(n, 1), a = Ops.apply(ta, m);
        Tensor again = Ops.apply(ta, a);
        for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), again.get(i), 1e-15, "TA(TA(M)) = TA(M)");
        // anti-Hermitian: A + A† = 0
        Tensor identity = Tensor.zeros(m.shape(), DType.F64);
        for (int k = 0; k < matrices(m, n); k++) {
            for (int i = 0; i < n; i++) {
                for (int x = 0; x < m.shape().sites(); x++) identity.set((k * 2 * n * n + 2 * (i * n + i)) * m.shape().sites() + x, 1);
            }
        }
        Tensor adjoint = Ops.apply(new ComplexMatMul(n, true, false), a, identity);
        for (int i = 0; i < a.size(); i++) assertEquals(0, a.get(i) + adjoint.get(i), 1e-15, "A + A†");
        Tensor trace = Ops.apply(new ComplexTrace(n), a), traceOfM = Ops.apply(new ComplexTrace(n), m);
        int sites = m.shape().sites();
        for (int i = 0; i < trace.size(); i++) {
            // channels alternate Re tr, Im tr; traceless for N ≥ 2, while for N = 1 the
            // anti-Hermitian part i·Im M keeps the imaginary part of its trace
            boolean imaginary = (i / sites) % 2 == 1;
            assertEquals(n == 1 && imaginary ? traceOfM.get(i) : 0, trace.get(i), 1e-14, imaginary ? "Im tr TA(M)" : "Re tr TA(M)");
        }
        // M − TA(M) is orthogonal to every element TA(Y) of the algebra in Re tr(A†B): the VJP's premise
        Tensor y = Ops.apply(ta, randomMatrices(n, 1));
        double inner = 0;
        for (int i = 0; i < m.size(); i++) inner += (m.get(i) - a.get(i)) * y.get(i);
        assertEquals(0, inner, 1e-12, "⟨M − TA(M), TA(Y)⟩");
    }

    /**
     * Float32 tensors are read into double, exponentiated there and rounded once on the way out; the series stops at a
     * term of 2⁻³⁰ of the sum instead of 10⁻¹⁷, so each entry is the double result to within its float32 rounding (half
     * an ulp) and the terms left out (under 2⁻²⁹ of a sum whose 1-norm is below 2 for these unitary matrices).
     */
    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {2, 3})
    void float32ExponentialsAreDoubleResultsToWithinTheirRounding(int n) {
        Tensor x = Ops.apply(new AlgebraProjection(n), randomMatrices(n, 1.5)).to(DType.F32);
        Tensor single = Ops.apply(new MatrixExponential(n), x);
        Tensor reference = Ops.apply(new MatrixExponential(n), x.to(DType.F64));
        assertEquals(DType.F32, single.dtype());
        for (int i = 0; i < x.size(); i++) {
            double exact = reference.get(i);
            assertEquals(exact, single.get(i), Math.ulp((float) exact) / 2 + 0x1p-28, "element " + i);
        }
    }
}
