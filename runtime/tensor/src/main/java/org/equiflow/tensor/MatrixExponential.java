package org.equiflow.tensor;

import java.util.Arrays;
import java.util.List;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp(X) of each site's complex N×N matrices (layout of {@link ComplexMatMul}, M matrices per
 * site, shape unchanged, N = 1 … 8): the group step of a gradient flow on SU(N), U ← exp(εZ)·U
 * with Z traceless anti-Hermitian ({@link AlgebraProjection}); any complex X is allowed.
 *
 * <p>Forward, in double precision whatever the tensors hold: scaling and squaring. X is divided
 * by 2^s so that its 1-norm is at most ½, the Taylor series of the exponential is summed until a
 * term falls below 10⁻¹⁷ of the sum (at most 17 terms: ½ᵏ/k! < 10⁻¹⁸ from k = 16; below 2⁻³⁰ where the result
 * is kept in float32, whose rounding is 2⁻²⁴), and the sum is
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
        SiteMatrices.requireSize(n);
    }

    private int block() { return 2 * n * n; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return SiteMatrices.oneFieldOfMatrices(this, inputs, n);
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
            // Scratch per thread and call, reused for every group of sites.
            Exponential exponential = new Exponential(n, Exponential.toleranceFor(out.dtype()));
            int lanes = Exponential.LANES;
            double[] x = new double[size * lanes], e = new double[size * lanes];
            for (int m = from; m < to; m++) {
                int base = m * size * sites;
                for (int site = 0; site < sites; site += lanes) {
                    int count = Math.min(lanes, sites - site);
                    gather(a32, a64, base + site, sites, count, x, size);
                    exponential.of(x, e);
                    for (int c = 0, at = base + site; c < size; c++, at += sites) {
                        if (o32 != null) for (int l = 0; l < count; l++) o32[at + l] = (float) e[c * lanes + l];
                        else System.arraycopy(e, c * lanes, o64, at, count);
                    }
                }
            }
        });
    }

    /**
     * Copies {@code count} sites from {@code at} of each of {@code size} channels (rows {@code sites}
     * apart) into lanes x[c·LANES + lane]; lanes past {@code count} hold the zero matrix.
     */
    private static void gather(float[] f32, double[] f64, int at, int sites, int count, double[] x, int size) {
        int lanes = Exponential.LANES;
        if (count < lanes) Arrays.fill(x, 0);
        for (int c = 0; c < size; c++, at += sites) {
            if (f32 != null) for (int l = 0; l < count; l++) x[c * lanes + l] = f32[at + l];
            else System.arraycopy(f64, at, x, c * lanes, count);
        }
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
            Exponential exponential = new Exponential(d, Exponential.toleranceFor(grad.dtype()));
            int lanes = Exponential.LANES;
            double[] x = new double[size * lanes], g = new double[size * lanes], gNorms = new double[lanes];
            double[] big = new double[2 * d * d * lanes], e = new double[2 * d * d * lanes];
            for (int m = from; m < to; m++) {
                int base = m * size * sites;
                for (int site = 0; site < sites; site += lanes) {
                    int count = Math.min(lanes, sites - site);
                    gather(a32, a64, base + site, sites, count, x, size);
                    gather(g32, g64, base + site, sites, count, g, size);
                    boolean any = false;
                    for (int l = 0; l < lanes; l++) {
                        gNorms[l] = l < count ? Exponential.norm1(g, n, l, lanes) : 0;
                        any |= gNorms[l] != 0;
                    }
                    if (!any) continue;
                    // [[X†, G/‖G‖], [0, X†]] in the packed layout of a 2N×2N matrix, per lane; a lane
                    // with G = 0 keeps its zero gradient (and gets the zero matrix here).
                    Arrays.fill(big, 0);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            int ji = 2 * (j * n + i) * lanes, ij = 2 * (i * n + j) * lanes;
                            int upper = 2 * (i * d + j) * lanes, lower = 2 * ((n + i) * d + n + j) * lanes;
                            int corner = 2 * (i * d + n + j) * lanes;
                            for (int l = 0; l < lanes; l++) {
                                double gNorm = gNorms[l];
                                if (gNorm == 0) continue;
                                double re = x[ji + l], im = -x[ji + lanes + l];
                                big[upper + l] = big[lower + l] = re;
                                big[upper + lanes + l] = big[lower + lanes + l] = im;
                                big[corner + l] = g[ij + l] / gNorm;
                                big[corner + lanes + l] = g[ij + lanes + l] / gNorm;
                            }
                        }
                    }
                    exponential.of(big, e);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            int ij = 2 * (i * n + j), corner = 2 * (i * d + n + j) * lanes;
                            int re = base + ij * sites + site, im = re + sites;
                            for (int l = 0; l < count; l++) {
                                double gNorm = gNorms[l];
                                if (gNorm == 0) continue;
                                if (r32 != null) {
                                    r32[re + l] = (float) (e[corner + l] * gNorm);
                                    r32[im + l] = (float) (e[corner + lanes + l] * gNorm);
                                } else {
                                    r64[re + l] = e[corner + l] * gNorm;
                                    r64[im + l] = e[corner + lanes + l] * gNorm;
                                }
                            }
                        }
                    }
                }
            }
        });
        return grad;
    }

    /**
     * exp of {@link #LANES} complex d×d matrices at once, one per vector lane: entry c of lane l
     * at a[c·LANES + l], c = 2(id + j) + part; scratch reused across calls. Each lane computes
     * exactly what a scalar scaling and squaring of its matrix computes — the same IEEE
     * operations in the same order (lanes are independent, no fused multiply-add) — with its own
     * number of squarings and of series terms: a lane whose series has converged stops adding
     * terms (a masked add) while the others go on, and a lane squares only as often as its own
     * norm asks (a masked blend). Lanes of neighbouring sites usually agree on both, so little
     * work is wasted. Scalar per site, the loops over 2N² entries dominated; lanes of sites make
     * every operation a vector one.
     */
    static final class Exponential {
        static final VectorSpecies<Double> SPECIES = SiteMatrices.DOUBLES;
        static final int LANES = SPECIES.length();
        /** The 1-norm the scaled matrix is brought under. */
        private static final double SCALED_NORM = 0.5;
        /** A term this small against the sum ends the series when the result is kept in float64 (its unit roundoff is 1.1e-16). */
        private static final double FLOAT64_TOLERANCE = 1e-17;
        /**
         * The same when the result is rounded to float32 (unit roundoff 2⁻²⁴ ≈ 6e-8): the terms left out sum to less than
         * twice the last one, 2⁻²⁹ of the sum, a thirty-second of the rounding that follows. A third or more fewer
         * terms: 7 instead of 11 for ‖Y‖ = 0.1, 10 instead of 16 for ‖Y‖ = ½.
         */
        private static final double FLOAT32_TOLERANCE = 0x1p-30;
        /** The tolerance for a result kept in {@code dtype}. */
        static double toleranceFor(DType dtype) { return dtype == DType.F32 ? FLOAT32_TOLERANCE : FLOAT64_TOLERANCE; }
        /** Never reached: with ‖Y‖ ≤ ½ at most 17 terms are summed; a bound on the loop all the same. */
        private static final int MAX_TERMS = 40;

        private final int d, size;
        private final double tolerance;
        private final double[] y, term, product, sum, scales, columns;
        private final int[] squarings;
        /** Per lane: a finite input (then a live lane), and later whether it squares in this round. */
        private final boolean[] finite, flags;

        Exponential(int d, double tolerance) {
            this.d = d;
            this.tolerance = tolerance;
            this.size = 2 * d * d;
            y = new double[size * LANES];
            term = new double[size * LANES];
            product = new double[size * LANES];
            sum = new double[size * LANES];
            scales = new double[LANES];
            columns = new double[d * LANES];
            squarings = new int[LANES];
            finite = new boolean[LANES];
            flags = new boolean[LANES];
        }

        private DoubleVector load(double[] a, int c) { return DoubleVector.fromArray(SPECIES, a, c * LANES); }

        /** out = exp(a) lane by lane; a is not changed. */
        void of(double[] a, double[] out) {
            int most = 0, row = 2 * d;
            // The columns' sums of |entries| for all lanes at once, then per lane the largest, as norm1 takes it.
            for (int j = 0; j < row; j += 2) {
                DoubleVector column = DoubleVector.zero(SPECIES);
                for (int c = j; c < size; c += row) {
                    DoubleVector re = load(a, c), im = load(a, c + 1);
                    column = column.add(re.mul(re).add(im.mul(im)).sqrt());
                }
                column.intoArray(columns, j / 2 * LANES);
            }
            for (int l = 0; l < LANES; l++) {
                double norm = 0;
                for (int j = 0; j < d; j++) norm = Math.max(norm, columns[j * LANES + l]); // NaN propagates
                // exp of an infinite or NaN matrix: nothing sensible (the lane's output is NaN), and the squaring loop would not end.
                finite[l] = Double.isFinite(norm);
                int s = 0;
                double scale = 1;
                if (finite[l]) {
                    while (norm * scale > SCALED_NORM) {
                        s++;
                        scale *= 0.5;
                    }
                }
                squarings[l] = s;
                scales[l] = scale;
                most = Math.max(most, s);
            }
            VectorMask<Double> active = VectorMask.fromArray(SPECIES, finite, 0);
            DoubleVector scale = DoubleVector.fromArray(SPECIES, scales, 0);
            for (int c = 0; c < size; c++) load(a, c).mul(scale).intoArray(y, c * LANES);
            Arrays.fill(sum, 0);
            Arrays.fill(term, 0);
            for (int i = 0; i < d; i++) {
                Arrays.fill(sum, 2 * (i * d + i) * LANES, (2 * (i * d + i) + 1) * LANES, 1);
                Arrays.fill(term, 2 * (i * d + i) * LANES, (2 * (i * d + i) + 1) * LANES, 1);
            }
            for (int k = 1; k <= MAX_TERMS && active.anyTrue(); k++) {
                // term ← term·Y/k = Yᵏ/k!; only the lanes still summing add it
                multiply(term, y, product);
                for (int c = 0; c < size; c++) {
                    DoubleVector t = load(product, c).div(k);
                    t.intoArray(term, c * LANES);
                    load(sum, c).add(t, active).intoArray(sum, c * LANES);
                }
                active = active.andNot(converged(active));
            }
            for (int q = 0; q < most; q++) {
                multiply(sum, sum, product);
                for (int l = 0; l < LANES; l++) flags[l] = q < squarings[l];
                VectorMask<Double> squaring = VectorMask.fromArray(SPECIES, flags, 0);
                for (int c = 0; c < size; c++) load(sum, c).blend(load(product, c), squaring).intoArray(sum, c * LANES);
            }
            System.arraycopy(sum, 0, out, 0, sum.length);
            for (int l = 0; l < LANES; l++) {
                if (!finite[l]) for (int c = 0; c < size; c++) out[c * LANES + l] = Double.NaN;
            }
        }

        /**
         * The lanes of {@code active} where norm1(term) ≤ tolerance·norm1(sum), decided exactly as
         * that expression computes it; the square roots of the 1-norms are the dearest part of a
         * series step, so cheap bounds go first. |z| lies between max(|Re z|, |Im z|) and
         * |Re z| + |Im z|, so column sums of these bound a 1-norm within a factor √2. Where the
         * term's lower bound exceeds twice the tolerance times the sum's upper bound, the computed
         * test is false too: rounding moves each side by a few 1e-16 relatively, and an entry
         * whose square underflows in norm1 is below 1e-154, nothing against a column sum above
         * tolerance·‖sum‖ ≥ 1e-17·‖sum‖ (terms stay under 1 since ‖Y‖ ≤ ½, and the sum near e^Y). The bounds only
         * ever answer "not yet", so the answer is the computed test's, bit for bit, and so is
         * the number of terms summed. Only the last step or two reach the square roots.
         */
        private VectorMask<Double> converged(VectorMask<Double> active) {
            int row = 2 * d;
            DoubleVector termLower = DoubleVector.zero(SPECIES), sumUpper = DoubleVector.zero(SPECIES);
            for (int j = 0; j < row; j += 2) {
                DoubleVector lower = DoubleVector.zero(SPECIES), upper = DoubleVector.zero(SPECIES);
                for (int c = j; c < size; c += row) {
                    lower = lower.add(load(term, c).abs().max(load(term, c + 1).abs()));
                    upper = upper.add(load(sum, c).abs().add(load(sum, c + 1).abs()));
                }
                termLower = termLower.max(lower);
                sumUpper = sumUpper.max(upper);
            }
            VectorMask<Double> open = active.and(termLower.compare(VectorOperators.LE, sumUpper.mul(2 * tolerance)));
            if (!open.anyTrue()) return open;
            // The series only holds finite values (‖Y‖ ≤ ½), so no NaN reaches the max here.
            DoubleVector termNorm = DoubleVector.zero(SPECIES), sumNorm = DoubleVector.zero(SPECIES);
            for (int j = 0; j < row; j += 2) {
                DoubleVector termColumn = DoubleVector.zero(SPECIES), sumColumn = DoubleVector.zero(SPECIES);
                for (int c = j; c < size; c += row) {
                    DoubleVector re = load(term, c), im = load(term, c + 1);
                    termColumn = termColumn.add(re.mul(re).add(im.mul(im)).sqrt());
                    re = load(sum, c);
                    im = load(sum, c + 1);
                    sumColumn = sumColumn.add(re.mul(re).add(im.mul(im)).sqrt());
                }
                termNorm = termNorm.max(termColumn);
                sumNorm = sumNorm.max(sumColumn);
            }
            return open.and(termNorm.compare(VectorOperators.LE, sumNorm.mul(tolerance)));
        }

        /**
         * c = a·b lane by lane for packed complex d×d matrices (c distinct from both): for each
         * entry re = 0; re += Re a_ik·Re b_kj − Im a_ik·Im b_kj for k ascending (im likewise).
         */
        private void multiply(double[] a, double[] b, double[] c) {
            int row = 2 * d;
            for (int ik0 = 0; ik0 < size; ik0 += row) {
                for (int j = 0; j < row; j += 2) {
                    DoubleVector re = DoubleVector.zero(SPECIES), im = DoubleVector.zero(SPECIES);
                    for (int ik = ik0, kj = j; kj < size; ik += 2, kj += row) {
                        DoubleVector ar = load(a, ik), ai = load(a, ik + 1), br = load(b, kj), bi = load(b, kj + 1);
                        re = re.add(ar.mul(br).sub(ai.mul(bi)));
                        im = im.add(ar.mul(bi).add(ai.mul(br)));
                    }
                    re.intoArray(c, (ik0 + j) * LANES);
                    im.intoArray(c, (ik0 + j + 1) * LANES);
                }
            }
        }

        /**
         * The 1-norm (largest column sum of |entries|) of a packed complex d×d matrix whose entry
         * c sits at a[c·stride + offset]: one lane of {@link #of}'s layout.
         */
        static double norm1(double[] a, int d, int offset, int stride) {
            double largest = 0;
            for (int j = 0; j < d; j++) {
                double column = 0;
                for (int i = 0; i < d; i++) {
                    int c = 2 * (i * d + j);
                    double re = a[c * stride + offset], im = a[(c + 1) * stride + offset];
                    column += Math.sqrt(re * re + im * im);
                }
                largest = Math.max(largest, column); // NaN propagates, which of() relies on
            }
            return largest;
        }
    }
}
