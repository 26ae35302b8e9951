package org.equiflow.tensor;

import static org.equiflow.tensor.SiteMatrices.DOUBLES;
import static org.equiflow.tensor.SiteMatrices.narrow;
import static org.equiflow.tensor.SiteMatrices.widen;

import java.util.Arrays;
import java.util.List;

import jdk.incubator.vector.DoubleVector;

/**
 * The traceless anti-Hermitian part of each site's complex N×N matrices (layout of
 * {@link ComplexMatMul}, M matrices per site, shape unchanged):
 * TA(M) = ½(M − M†) − (1/2N)·tr(M − M†)·1, the projection onto su(N). A gradient flow on SU(N)
 * takes its force there (dU/dt = Z·U with Z = TA of a sum of staples times U), so that
 * exp(εZ)·U stays in the group. For N = 1 the traceless part of a 1×1 matrix is 0, so N = 1
 * keeps the anti-Hermitian part ½(M − M†) = i·Im M instead: the u(1) generator of a U(1) link.
 *
 * <p>VJP: TA is linear, and an orthogonal projection for the real inner product
 * ⟨A, B⟩ = Re tr(A†B) = Σ (Re A·Re B + Im A·Im B) that pairs a packed cotangent with its packed
 * value (Hermitian and anti-Hermitian matrices are orthogonal in it, and so are i·1 and the
 * traceless ones). An orthogonal projection is self-adjoint, so the cotangent of M is TA(G) —
 * for N = 1 the same anti-Hermitian part — this primitive again, which runs on every backend.
 */
public record AlgebraProjection(int n) implements Primitive {

    public AlgebraProjection {
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
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block()), stride = block() * sites;
        // Sites innermost on the backing arrays, a vector of them per step (see SiteMatrices); per
        // site the same double operations as one scalar loop over the entries.
        if (out.dtype() == DType.F32) {
            float[] av = a.f32(), ov = out.f32();
            SiteMatrices.forEachMatrix(matrices, out.size(), (chunk, from, to) -> {
                double[] shift = new double[sites];
                for (int m = from; m < to; m++) project(av, ov, m * stride, sites, shift);
            });
        } else {
            double[] av = a.f64(), ov = out.f64();
            SiteMatrices.forEachMatrix(matrices, out.size(), (chunk, from, to) -> {
                double[] shift = new double[sites];
                for (int m = from; m < to; m++) project(av, ov, m * stride, sites, shift);
            });
        }
    }

    /** One matrix at {@code base}: out_ij = ½(M_ij − conj(M_ji)), less the shift on the diagonal's imaginary part. */
    private void project(float[] a, float[] out, int base, int sites, double[] shift) {
        shifts(a, base, sites, shift);
        int lanes = DOUBLES.length(), bound = DOUBLES.loopBound(sites);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int ij = base + index(i, j) * sites, ji = base + index(j, i) * sites;
                boolean diagonal = i == j;
                int x = 0;
                for (; x < bound; x += lanes) {
                    DoubleVector re = widen(a, ij + x).sub(widen(a, ji + x)).mul(0.5);
                    DoubleVector im = widen(a, ij + sites + x).add(widen(a, ji + sites + x)).mul(0.5);
                    if (diagonal) im = im.sub(DoubleVector.fromArray(DOUBLES, shift, x));
                    narrow(re).intoArray(out, ij + x);
                    narrow(im).intoArray(out, ij + sites + x);
                }
                for (; x < sites; x++) {
                    double re = 0.5 * ((double) a[ij + x] - a[ji + x]);
                    double im = 0.5 * ((double) a[ij + sites + x] + a[ji + sites + x]);
                    if (diagonal) im -= shift[x];
                    out[ij + x] = (float) re;
                    out[ij + sites + x] = (float) im;
                }
            }
        }
    }

    /** {@link #project(float[], float[], int, int, double[])} in float64. */
    private void project(double[] a, double[] out, int base, int sites, double[] shift) {
        shifts(a, base, sites, shift);
        int lanes = DOUBLES.length(), bound = DOUBLES.loopBound(sites);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int ij = base + index(i, j) * sites, ji = base + index(j, i) * sites;
                boolean diagonal = i == j;
                int x = 0;
                for (; x < bound; x += lanes) {
                    DoubleVector re = DoubleVector.fromArray(DOUBLES, a, ij + x).sub(DoubleVector.fromArray(DOUBLES, a, ji + x)).mul(0.5);
                    DoubleVector im = DoubleVector.fromArray(DOUBLES, a, ij + sites + x).add(DoubleVector.fromArray(DOUBLES, a, ji + sites + x)).mul(0.5);
                    if (diagonal) im = im.sub(DoubleVector.fromArray(DOUBLES, shift, x));
                    re.intoArray(out, ij + x);
                    im.intoArray(out, ij + sites + x);
                }
                for (; x < sites; x++) {
                    double re = 0.5 * (a[ij + x] - a[ji + x]);
                    double im = 0.5 * (a[ij + sites + x] + a[ji + sites + x]);
                    if (diagonal) im -= shift[x];
                    out[ij + x] = re;
                    out[ij + sites + x] = im;
                }
            }
        }
    }

    /**
     * shift[x] = Im tr M(x) / N for the matrix at {@code base} (0 for N = 1): tr(M − M†)/2N =
     * i·Im tr M / N, so only the imaginary parts of the diagonal move. Summed from 0 with i
     * ascending, as a scalar loop would.
     */
    private void shifts(float[] a, int base, int sites, double[] shift) {
        Arrays.fill(shift, 0);
        if (n == 1) return;
        for (int i = 0; i < n; i++) {
            int at = base + (index(i, i) + 1) * sites;
            for (int x = 0; x < sites; x++) shift[x] += a[at + x];
        }
        for (int x = 0; x < sites; x++) shift[x] /= n;
    }

    /** {@link #shifts(float[], int, int, double[])} in float64. */
    private void shifts(double[] a, int base, int sites, double[] shift) {
        Arrays.fill(shift, 0);
        if (n == 1) return;
        for (int i = 0; i < n; i++) {
            int at = base + (index(i, i) + 1) * sites;
            for (int x = 0; x < sites; x++) shift[x] += a[at + x];
        }
        for (int x = 0; x < sites; x++) shift[x] /= n;
    }

    /** The channel of the real part of entry (row, column) within one matrix. */
    private int index(int row, int column) { return 2 * (row * n + column); }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index != 0) throw new IndexOutOfBoundsException(index);
        // Self-adjoint orthogonal projection (see the class comment): the cotangent projected the same way.
        return Ops.apply(this, outputGrad);
    }
}
