package org.equiflow.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * exp(X) of each site's complex N×N matrices (layout of {@link ComplexMatMul}, M matrices per
 * site, shape unchanged, N = 1 … 8): the group step of a gradient flow on SU(N), U ← exp(εZ)·U
 * with Z traceless anti-Hermitian ({@link AlgebraProjection}); any complex X is allowed.
 *
 * <p>Forward, in double precision whatever the tensors hold: scaling and squaring. X is divided
 * by 2^s so that its 1-norm is at most ½, the Taylor series of the exponential is summed until a
 * term falls below 10⁻¹⁷ of the sum (at most 17 terms: ½ᵏ/k! < 10⁻¹⁸ from k = 16), and the sum is
 * squared s times. A flow step εZ is small, so s is usually 0 and the series short.
 *
 * <p>VJP, with the cotangent packed as {@link ComplexMatMul}'s (G = ∂L/∂Re E + i ∂L/∂Im E for
 * E = exp(X), so that dL = Re tr(G† dE)): dE = D exp(X)[dX] = ∫₀¹ e^{(1−t)X} dX e^{tX} dt, and
 * moving the factors around the trace gives Re tr(G† dE) = Re tr(D exp(X†)[G]† dX), hence
 * ∂L/∂Re X + i ∂L/∂Im X = D exp(X†)[G], the Fréchet derivative of exp at X† in the direction G.
 * It is computed exactly (to rounding) from the block identity
 * exp([[A, E], [0, A]]) = [[e^A, D exp(A)[E]], [0, e^A]] with A = X†, a 2N×2N exponential by the
 * same routine; E is G scaled to unit 1-norm (the derivative is linear in E, and a large G
 * would only force more squarings), the block's corner scaled back.
 */
public record MatrixExponential(int n) implements Primitive {

    public MatrixExponential {
        if (n < 1 || n > 8) throw new IllegalArgumentException("matrix size must be 1 … 8, got " + n);
    }

    private int block() { return 2 * n * n; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape a = inputs.getFirst();
        if (a.channels() % block() != 0) {
            throw new IllegalArgumentException(a + " does not hold whole " + n + "×" + n + " complex matrices (" + block() + " channels each)");
        }
        return a;
    }

    @Override
    public boolean overwritesOutput() { return true; }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor a = inputs.getFirst();
        Shape s = a.shape();
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block());
        Exponential exponential = new Exponential(n);
        double[] x = new double[block()], e = new double[block()];
        for (int m = 0; m < matrices; m++) {
            int base = m * block() * sites;
            for (int site = 0; site < sites; site++) {
                for (int c = 0; c < block(); c++) x[c] = a.get(base + c * sites + site);
                exponential.of(x, e);
                for (int c = 0; c < block(); c++) out.set(base + c * sites + site, e[c]);
            }
        }
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index != 0) throw new IndexOutOfBoundsException(index);
        Tensor a = inputs.getFirst();
        Shape s = a.shape();
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block()), d = 2 * n;
        Tensor grad = Tensor.zeros(s, outputGrad.dtype());
        Exponential exponential = new Exponential(d);
        double[] g = new double[block()], big = new double[2 * d * d], e = new double[2 * d * d];
        for (int m = 0; m < matrices; m++) {
            int base = m * block() * sites;
            for (int site = 0; site < sites; site++) {
                for (int c = 0; c < block(); c++) g[c] = outputGrad.get(base + c * sites + site);
                double gNorm = Exponential.norm1(g, n);
                if (gNorm == 0) continue;
                // [[X†, G/‖G‖], [0, X†]] in the packed layout of a 2N×2N matrix
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

    /** exp of one complex d×d matrix held packed as a[2(id + j) + part], by scaling and squaring; scratch reused across calls. */
    static final class Exponential {
        /** The 1-norm the scaled matrix is brought under. */
        private static final double SCALED_NORM = 0.5;
        /** A term this small against the sum ends the series (double precision is 1.1e-16). */
        private static final double TOLERANCE = 1e-17;
        /** Never reached: with ‖Y‖ ≤ ½ at most 17 terms are summed; a bound on the loop all the same. */
        private static final int MAX_TERMS = 40;

        private final int d;
        private final double[] y, term, product, sum;

        Exponential(int d) {
            this.d = d;
            int size = 2 * d * d;
            y = new double[size];
            term = new double[size];
            product = new double[size];
            sum = new double[size];
        }

        /** out = exp(a); a is not changed. */
        void of(double[] a, double[] out) {
            double norm = norm1(a, d);
            if (!Double.isFinite(norm)) {
                // exp of an infinite or NaN matrix: nothing sensible, and the squaring loop would not end.
                Arrays.fill(out, Double.NaN);
                return;
            }
            int squarings = 0;
            double scale = 1;
            while (norm * scale > SCALED_NORM) {
                squarings++;
                scale *= 0.5;
            }
            for (int c = 0; c < y.length; c++) y[c] = a[c] * scale;
            Arrays.fill(sum, 0);
            Arrays.fill(term, 0);
            for (int i = 0; i < d; i++) sum[2 * (i * d + i)] = term[2 * (i * d + i)] = 1;
            for (int k = 1; k <= MAX_TERMS; k++) {
                // term ← term·Y/k = Yᵏ/k!
                multiply(term, y, product);
                for (int c = 0; c < term.length; c++) {
                    term[c] = product[c] / k;
                    sum[c] += term[c];
                }
                if (norm1(term, d) <= TOLERANCE * norm1(sum, d)) break;
            }
            for (int q = 0; q < squarings; q++) {
                multiply(sum, sum, product);
                System.arraycopy(product, 0, sum, 0, sum.length);
            }
            System.arraycopy(sum, 0, out, 0, sum.length);
        }

        /** c = a·b for packed complex d×d matrices (c distinct from both). */
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

        /** The 1-norm (largest column sum of |entries|) of a packed complex d×d matrix. */
        static double norm1(double[] a, int d) {
            double largest = 0;
            for (int j = 0; j < d; j++) {
                double column = 0;
                for (int i = 0; i < d; i++) {
                    double re = a[2 * (i * d + j)], im = a[2 * (i * d + j) + 1];
                    column += Math.sqrt(re * re + im * im);
                }
                largest = Math.max(largest, column); // NaN propagates, which of() relies on
            }
            return largest;
        }
    }
}
