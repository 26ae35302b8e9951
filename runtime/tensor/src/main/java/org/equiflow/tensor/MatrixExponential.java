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
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block()), size = block();
        // Arrays taken on this thread (a parked tensor syncs once); exactly one of each pair is non-null.
        float[] a32 = a.dtype() == DType.F32 ? a.f32() : null, o32 = out.dtype() == DType.F32 ? out.f32() : null;
        double[] a64 = a32 == null ? a.f64() : null, o64 = o32 == null ? out.f64() : null;
        SiteMatrices.forEachMatrix(matrices, a.size(), (chunk, from, to) -> {
            // Scratch per thread and call, reused for every site.
            Exponential exponential = new Exponential(n);
            double[] x = new double[size], e = new double[size];
            for (int m = from; m < to; m++) {
                int base = m * size * sites;
                for (int site = 0; site < sites; site++) {
                    int at = base + site;
                    if (a32 != null) for (int c = 0; c < size; c++, at += sites) x[c] = a32[at];
                    else for (int c = 0; c < size; c++, at += sites) x[c] = a64[at];
                    exponential.of(x, e);
                    at = base + site;
                    if (o32 != null) for (int c = 0; c < size; c++, at += sites) o32[at] = (float) e[c];
                    else for (int c = 0; c < size; c++, at += sites) o64[at] = e[c];
                }
            }
        });
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index != 0) throw new IndexOutOfBoundsException(index);
        Tensor a = inputs.getFirst();
        Shape s = a.shape();
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block()), d = 2 * n, size = block();
        Tensor grad = Tensor.zeros(s, outputGrad.dtype());
        float[] a32 = a.dtype() == DType.F32 ? a.f32() : null, g32 = outputGrad.dtype() == DType.F32 ? outputGrad.f32() : null;
        double[] a64 = a32 == null ? a.f64() : null, g64 = g32 == null ? outputGrad.f64() : null;
        float[] r32 = g32 != null ? grad.f32() : null;
        double[] r64 = g32 == null ? grad.f64() : null;
        SiteMatrices.forEachMatrix(matrices, a.size(), (chunk, from, to) -> {
            Exponential exponential = new Exponential(d);
            double[] x = new double[size], g = new double[size], big = new double[2 * d * d], e = new double[2 * d * d];
            for (int m = from; m < to; m++) {
                int base = m * size * sites;
                for (int site = 0; site < sites; site++) {
                    int at = base + site;
                    if (g32 != null) for (int c = 0; c < size; c++, at += sites) g[c] = g32[at];
                    else for (int c = 0; c < size; c++, at += sites) g[c] = g64[at];
                    double gNorm = Exponential.norm1(g, n);
                    if (gNorm == 0) continue;
                    at = base + site;
                    if (a32 != null) for (int c = 0; c < size; c++, at += sites) x[c] = a32[at];
                    else for (int c = 0; c < size; c++, at += sites) x[c] = a64[at];
                    // [[X†, G/‖G‖], [0, X†]] in the packed layout of a 2N×2N matrix
                    Arrays.fill(big, 0);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            int ji = 2 * (j * n + i), ij = 2 * (i * n + j);
                            double re = x[ji], im = -x[ji + 1];
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
                            int re = base + ij * sites + site, im = re + sites;
                            if (r32 != null) {
                                r32[re] = (float) (e[corner] * gNorm);
                                r32[im] = (float) (e[corner + 1] * gNorm);
                            } else {
                                r64[re] = e[corner] * gNorm;
                                r64[im] = e[corner + 1] * gNorm;
                            }
                        }
                    }
                }
            }
        });
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
                if (converged()) break;
            }
            for (int q = 0; q < squarings; q++) {
                multiply(sum, sum, product);
                System.arraycopy(product, 0, sum, 0, sum.length);
            }
            System.arraycopy(sum, 0, out, 0, sum.length);
        }

        /**
         * Whether norm1(term) ≤ TOLERANCE·norm1(sum), decided exactly as that expression
         * computes it; the square roots of the 1-norms are the dearest part of a series step, so
         * cheap bounds go first. |z| lies between max(|Re z|, |Im z|) and |Re z| + |Im z|, so
         * column sums of these bound a 1-norm within a factor √2. While the term's lower bound
         * exceeds twice TOLERANCE times the sum's upper bound, the computed test is false too:
         * rounding moves each side by a few 1e-16 relatively, and an entry whose square
         * underflows in norm1 is below 1e-154, nothing against a column sum above 1e-17·‖sum‖
         * (terms stay under 1 since ‖Y‖ ≤ ½). A NaN makes the computed test false, and the
         * bounds never answer anything but false, so the answer is the computed test's, bit for
         * bit, and so is the number of terms summed. Only the last step or two reach norm1.
         */
        private boolean converged() {
            int row = 2 * d, size = row * d;
            double termLower = 0, sumUpper = 0;
            for (int j = 0; j < row; j += 2) {
                double lower = 0, upper = 0;
                for (int at = j; at < size; at += row) {
                    double tr = Math.abs(term[at]), ti = Math.abs(term[at + 1]);
                    lower += tr > ti ? tr : ti;
                    upper += Math.abs(sum[at]) + Math.abs(sum[at + 1]);
                }
                if (lower > termLower) termLower = lower;
                if (upper > sumUpper) sumUpper = upper;
            }
            if (termLower > 2 * TOLERANCE * sumUpper) return false;
            return norm1(term, d) <= TOLERANCE * norm1(sum, d);
        }

        /**
         * c = a·b for packed complex d×d matrices (c distinct from both): for each entry
         * re = 0; re += Re a_ik·Re b_kj − Im a_ik·Im b_kj for k ascending (im likewise). The
         * SU(3) case is written out, since the JIT does not unroll loops over a field's value.
         */
        private void multiply(double[] a, double[] b, double[] c) {
            if (d == 3) {
                multiply3(a, b, c);
                return;
            }
            int d = this.d, row = 2 * d;
            for (int i = 0, ai = 0; i < d; i++, ai += row) {
                for (int j = 0; j < d; j++) {
                    double re = 0, im = 0;
                    for (int k = 0, ik = ai, kj = 2 * j; k < d; k++, ik += 2, kj += row) {
                        re += a[ik] * b[kj] - a[ik + 1] * b[kj + 1];
                        im += a[ik] * b[kj + 1] + a[ik + 1] * b[kj];
                    }
                    c[ai + 2 * j] = re;
                    c[ai + 2 * j + 1] = im;
                }
            }
        }

        /** {@link #multiply} for d = 3, the same operations in the same order. */
        private static void multiply3(double[] a, double[] b, double[] c) {
            for (int ai = 0; ai < 18; ai += 6) {
                double r0 = a[ai], i0 = a[ai + 1], r1 = a[ai + 2], i1 = a[ai + 3], r2 = a[ai + 4], i2 = a[ai + 5];
                for (int j = 0; j < 6; j += 2) {
                    double re = 0, im = 0;
                    re += r0 * b[j] - i0 * b[j + 1];
                    im += r0 * b[j + 1] + i0 * b[j];
                    re += r1 * b[6 + j] - i1 * b[7 + j];
                    im += r1 * b[7 + j] + i1 * b[6 + j];
                    re += r2 * b[12 + j] - i2 * b[13 + j];
                    im += r2 * b[13 + j] + i2 * b[12 + j];
                    c[ai + j] = re;
                    c[ai + j + 1] = im;
                }
            }
        }

        /** The 1-norm (largest column sum of |entries|) of a packed complex d×d matrix. */
        static double norm1(double[] a, int d) {
            double largest = 0;
            int row = 2 * d;
            for (int j = 0; j < row; j += 2) {
                double column = 0;
                for (int at = j; at < row * d; at += row) {
                    double re = a[at], im = a[at + 1];
                    column += Math.sqrt(re * re + im * im);
                }
                largest = Math.max(largest, column); // NaN propagates, which of() relies on
            }
            return largest;
        }
    }
}
