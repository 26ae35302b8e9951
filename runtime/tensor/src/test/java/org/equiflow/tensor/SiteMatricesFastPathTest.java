package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU kernels of the site-wise SU(N) primitives ({@link ComplexMatMul}, {@link MatrixExponential}
 * forward and VJP, {@link AlgebraProjection}, {@link ComplexTrace}) loop over sites innermost on the
 * backing arrays, unroll N = 3 and split matrices over threads; they must compute exactly what the
 * straightforward per-site loops over {@link Tensor#get}/{@link Tensor#set} computed before them.
 * Those loops live here as the reference, and every element must agree bit for bit, in float32 and
 * float64, for N = 1 … 4, one to three matrices per site, every adjoint flag, and a field large
 * enough to be split over threads.
 */
class SiteMatricesFastPathTest {

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (int n = 1; n <= 4; n++) {
                for (int m = 1; m <= 3; m++) cases.add(Arguments.of(dtype, n, new Shape(2, m * 2 * n * n, 5, 3)));
            }
            // 8 · 2 · 18 · 256 values: above the threshold where the matrices are split over threads
            cases.add(Arguments.of(dtype, 3, new Shape(8, 2 * 18, 16, 16)));
            cases.add(Arguments.of(dtype, 2, new Shape(3, 8, 7)));
        }
        return cases.stream();
    }

    private static Tensor random(Shape shape, DType dtype, double scale, SplittableRandom random) {
        Tensor t = Tensor.zeros(shape, dtype);
        for (int i = 0; i < t.size(); i++) t.set(i, scale * random.nextGaussian());
        return t;
    }

    private static Tensor forward(Primitive p, Shape shape, DType dtype, Tensor... inputs) {
        Tensor out = Tensor.full(p.outputShape(Arrays.stream(inputs).map(Tensor::shape).toList()), dtype, Double.NaN);
        p.forward(List.of(inputs), out);
        return out;
    }

    private static void assertBitIdentical(Tensor expected, Tensor actual, String what) {
        // assertArrayEquals on doubles compares doubleToLongBits: −0 differs from +0; float32 values widen exactly
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray(), what);
    }

    @ParameterizedTest(name = "{0} N={1} {2}")
    @MethodSource("cases")
    void complexMatMulEqualsTheReferenceLoop(DType dtype, int n, Shape shape) {
        SplittableRandom rng = new SplittableRandom(31 * n + shape.size());
        Tensor a = random(shape, dtype, 1, rng), b = random(shape, dtype, 1, rng);
        for (boolean left : new boolean[] {false, true}) {
            for (boolean right : new boolean[] {false, true}) {
                Tensor expected = Tensor.zeros(shape, dtype);
                referenceMatMul(n, left, right, a, b, expected);
                assertBitIdentical(expected, forward(new ComplexMatMul(n, left, right), shape, dtype, a, b),
                        "ComplexMatMul adjointLeft=" + left + " adjointRight=" + right);
            }
        }
    }

    @ParameterizedTest(name = "{0} N={1} {2}")
    @MethodSource("cases")
    void matrixExponentialEqualsTheReferenceLoop(DType dtype, int n, Shape shape) {
        SplittableRandom rng = new SplittableRandom(17 * n + shape.size());
        // scale 0.2: no squaring for most sites; scale 3: several squarings
        for (double scale : new double[] {0.2, 3}) {
            Tensor x = random(shape, dtype, scale, rng);
            // a NaN and an infinite entry: those sites' exponentials are NaN, their neighbours' unharmed
            x.set(1, Double.NaN);
            x.set(shape.sites() * (2 * n * n - 1) + 2, Double.POSITIVE_INFINITY);
            Tensor expected = Tensor.zeros(shape, dtype);
            referenceExponential(n, x, expected);
            MatrixExponential exp = new MatrixExponential(n);
            assertBitIdentical(expected, forward(exp, shape, dtype, x), "exp, scale " + scale);

            Tensor g = random(shape, dtype, 1, rng);
            // a few sites with a zero cotangent, which the VJP skips
            for (int c = 0; c < 2 * n * n; c++) g.set(c * shape.sites(), 0);
            assertBitIdentical(referenceExponentialVjp(n, x, g), exp.vjp(0, List.of(x), expected, g), "exp VJP, scale " + scale);
        }
    }

    @ParameterizedTest(name = "{0} N={1} {2}")
    @MethodSource("cases")
    void projectionAndTraceEqualTheReferenceLoops(DType dtype, int n, Shape shape) {
        SplittableRandom rng = new SplittableRandom(5 * n + shape.size());
        Tensor a = random(shape, dtype, 1, rng);
        Tensor projected = Tensor.zeros(shape, dtype);
        referenceProjection(n, a, projected);
        assertBitIdentical(projected, forward(new AlgebraProjection(n), shape, dtype, a), "AlgebraProjection");
        ComplexTrace trace = new ComplexTrace(n);
        Tensor traced = Tensor.zeros(trace.outputShape(List.of(shape)), dtype);
        referenceTrace(n, a, traced);
        assertBitIdentical(traced, forward(trace, shape, dtype, a), "ComplexTrace");
    }

    // ---------------------------------------------------------------- the loops the kernels replaced

    private static int index(int n, int row, int column) { return 2 * (row * n + column); }

    static void referenceMatMul(int n, boolean adjointLeft, boolean adjointRight, Tensor a, Tensor b, Tensor out) {
        Shape s = a.shape();
        int block = 2 * n * n, sites = s.sites(), matrices = s.batch() * (s.channels() / block);
        for (int m = 0; m < matrices; m++) {
            int base = m * block * sites;
            for (int x = 0; x < sites; x++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double re = 0, im = 0;
                        for (int k = 0; k < n; k++) {
                            int ai = adjointLeft ? index(n, k, i) : index(n, i, k);
                            int bi = adjointRight ? index(n, j, k) : index(n, k, j);
                            double ar = a.get(base + ai * sites + x), aim = a.get(base + (ai + 1) * sites + x);
                            double br = b.get(base + bi * sites + x), bim = b.get(base + (bi + 1) * sites + x);
                            if (adjointLeft) aim = -aim;
                            if (adjointRight) bim = -bim;
                            re += ar * br - aim * bim;
                            im += ar * bim + aim * br;
                        }
                        int ci = index(n, i, j);
                        out.set(base + ci * sites + x, re);
                        out.set(base + (ci + 1) * sites + x, im);
                    }
                }
            }
        }
    }

    static void referenceProjection(int n, Tensor a, Tensor out) {
        Shape s = a.shape();
        int block = 2 * n * n, sites = s.sites(), matrices = s.batch() * (s.channels() / block);
        for (int m = 0; m < matrices; m++) {
            int base = m * block * sites;
            for (int x = 0; x < sites; x++) {
                double imTrace = 0;
                for (int i = 0; i < n; i++) imTrace += a.get(base + (index(n, i, i) + 1) * sites + x);
                double shift = n == 1 ? 0 : imTrace / n;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int ij = index(n, i, j), ji = index(n, j, i);
                        double re = 0.5 * (a.get(base + ij * sites + x) - a.get(base + ji * sites + x));
                        double im = 0.5 * (a.get(base + (ij + 1) * sites + x) + a.get(base + (ji + 1) * sites + x));
                        if (i == j) im -= shift;
                        out.set(base + ij * sites + x, re);
                        out.set(base + (ij + 1) * sites + x, im);
                    }
                }
            }
        }
    }

    static void referenceTrace(int n, Tensor a, Tensor out) {
        Shape s = a.shape();
        int block = 2 * n * n, sites = s.sites(), matrices = s.batch() * (s.channels() / block);
        for (int m = 0; m < matrices; m++) {
            for (int x = 0; x < sites; x++) {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++) {
                    int channel = 2 * (i * n + i);
                    re += a.get((m * block + channel) * sites + x);
                    im += a.get((m * block + channel + 1) * sites + x);
                }
                out.set((2 * m) * sites + x, re);
                out.set((2 * m + 1) * sites + x, im);
            }
        }
    }

    static void referenceExponential(int n, Tensor a, Tensor out) {
        Shape s = a.shape();
        int block = 2 * n * n, sites = s.sites(), matrices = s.batch() * (s.channels() / block);
        ReferenceExponential exponential = new ReferenceExponential(n, toleranceFor(out.dtype()));
        double[] x = new double[block], e = new double[block];
        for (int m = 0; m < matrices; m++) {
            int base = m * block * sites;
            for (int site = 0; site < sites; site++) {
                for (int c = 0; c < block; c++) x[c] = a.get(base + c * sites + site);
                exponential.of(x, e);
                for (int c = 0; c < block; c++) out.set(base + c * sites + site, e[c]);
            }
        }
    }

    static Tensor referenceExponentialVjp(int n, Tensor a, Tensor outputGrad) {
        Shape s = a.shape();
        int block = 2 * n * n, sites = s.sites(), matrices = s.batch() * (s.channels() / block), d = 2 * n;
        Tensor grad = Tensor.zeros(s, outputGrad.dtype());
        ReferenceExponential exponential = new ReferenceExponential(d, toleranceFor(grad.dtype()));
        double[] g = new double[block], big = new double[2 * d * d], e = new double[2 * d * d];
        for (int m = 0; m < matrices; m++) {
            int base = m * block * sites;
            for (int site = 0; site < sites; site++) {
                for (int c = 0; c < block; c++) g[c] = outputGrad.get(base + c * sites + site);
                double gNorm = ReferenceExponential.norm1(g, n);
                if (gNorm == 0) continue;
                Arrays.fill(big, 0);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int ji = 2 * (j * n + i), ij = 2 * (i * n + j);
                        double re = a.get(base + ji * sites + site), im = -a.get(base + (ji + 1) * sites + site);
                        int upper = 2 * (i * d + j), lower = 2 * ((n + i) * d + n + j);
                        big[upper] = big[lower] = re;
                        big[upper + 1] = big[lower + 1] = im;
                        big[2 * (i * d + n + j)] = g[ij] / gNorm;
                        big[2 * (i * d + n + j) + 1] = g[ij + 1] / gNorm;
                    }
                }
                exponential.of(big, e);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int ij = 2 * (i * n + j), corner = 2 * (i * d + n + j);
                        grad.set(base + ij * sites + site, e[corner] * gNorm);
                        grad.set(base + (ij + 1) * sites + site, e[corner + 1] * gNorm);
                    }
                }
            }
        }
        return grad;
    }

    /** The series' stopping tolerance for a result kept in {@code dtype}: 1e-17 for float64, 2⁻³⁰ for float32. */
    private static double toleranceFor(DType dtype) { return dtype == DType.F32 ? 0x1p-30 : 1e-17; }

    /** The scaling and squaring of {@link MatrixExponential} as first written, with generic loops. */
    private static final class ReferenceExponential {
        private final int d;
        private final double tolerance;
        private final double[] y, term, product, sum;

        ReferenceExponential(int d, double tolerance) {
            this.d = d;
            this.tolerance = tolerance;
            int size = 2 * d * d;
            y = new double[size];
            term = new double[size];
            product = new double[size];
            sum = new double[size];
        }

        void of(double[] a, double[] out) {
            double norm = norm1(a, d);
            if (!Double.isFinite(norm)) {
                Arrays.fill(out, Double.NaN);
                return;
            }
            int squarings = 0;
            double scale = 1;
            while (norm * scale > 0.5) {
                squarings++;
                scale *= 0.5;
            }
            for (int c = 0; c < y.length; c++) y[c] = a[c] * scale;
            Arrays.fill(sum, 0);
            Arrays.fill(term, 0);
            for (int i = 0; i < d; i++) sum[2 * (i * d + i)] = term[2 * (i * d + i)] = 1;
            for (int k = 1; k <= 40; k++) {
                multiply(term, y, product);
                for (int c = 0; c < term.length; c++) {
                    term[c] = product[c] / k;
                    sum[c] += term[c];
                }
                if (norm1(term, d) <= tolerance * norm1(sum, d)) break;
            }
            for (int q = 0; q < squarings; q++) {
                multiply(sum, sum, product);
                System.arraycopy(product, 0, sum, 0, sum.length);
            }
            System.arraycopy(sum, 0, out, 0, sum.length);
        }

        private void multiply(double[] a, double[] b, double[] c) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double re = 0, im = 0;
                    for (int k = 0; k < d; k++) {
                        int ik = 2 * (i * d + k), kj = 2 * (k * d + j);
                        re += a[ik] * b[kj] - a[ik + 1] * b[kj + 1];
                        im += a[ik] * b[kj + 1] + a[ik + 1] * b[kj];
                    }
                    c[2 * (i * d + j)] = re;
                    c[2 * (i * d + j) + 1] = im;
                }
            }
        }

        static double norm1(double[] a, int d) {
            double largest = 0;
            for (int j = 0; j < d; j++) {
                double column = 0;
                for (int i = 0; i < d; i++) {
                    double re = a[2 * (i * d + j)], im = a[2 * (i * d + j) + 1];
                    column += Math.sqrt(re * re + im * im);
                }
                largest = Math.max(largest, column);
            }
            return largest;
        }
    }
}
