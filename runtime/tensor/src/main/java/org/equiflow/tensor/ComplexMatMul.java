package org.equiflow.tensor;

import static org.equiflow.tensor.SiteMatrices.DOUBLES;
import static org.equiflow.tensor.SiteMatrices.narrow;
import static org.equiflow.tensor.SiteMatrices.widen;

import java.util.List;

import jdk.incubator.vector.DoubleVector;

/**
 * Site-wise products of small complex matrices, the building block of SU(N) link fields:
 * operands [B, M·2N², L…] hold M complex N×N matrices per site, channel
 * m·2N² + 2(iN + j) + part (part 0 = real, 1 = imaginary); the result holds
 * C_m(x) = op(A_m(x)) · op(B_m(x)), where op is the identity or the conjugate transpose (†).
 * A plaquette is U_μ(x) U_ν(x+μ) U_μ(x+ν)† U_ν(x)†: three of these after the shifts.
 *
 * <p>Gradients treat real and imaginary parts as independent real variables, with the cotangent
 * packed the same way, G = ∂L/∂Re C + i ∂L/∂Im C. Then for C = A·B the cotangents are
 * G·B† and A†·G — again products of this kind, so the VJP is written with this primitive.
 * (Hand-written loops rather than EJML: the matrices are 2×2 or 3×3, one per site and link, and
 * a library call per matrix would cost more than the arithmetic.)
 */
public record ComplexMatMul(int n, boolean adjointLeft, boolean adjointRight) implements Primitive {

    public ComplexMatMul {
        SiteMatrices.requireSize(n);
    }

    private int block() { return 2 * n * n; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        Shape a = inputs.get(0), b = inputs.get(1);
        if (!a.equals(b)) throw new IllegalArgumentException("ComplexMatMul needs operands of one shape, got " + a + " and " + b);
        SiteMatrices.wholeMatrices(a, n);
        return a;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor a = inputs.get(0), b = inputs.get(1);
        Shape s = a.shape();
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block()), stride = block() * sites;
        // Arrays taken on this thread: a parked tensor syncs once, not on every worker.
        if (out.dtype() == DType.F32) {
            float[] av = a.f32(), bv = b.f32(), cv = out.f32();
            SiteMatrices.forEachMatrix(matrices, out.size(), (chunk, from, to) -> {
                if (n == 3) for (int m = from; m < to; m++) multiplyThree(adjointLeft, adjointRight, av, bv, cv, m * stride, sites);
                else for (int m = from; m < to; m++) multiply(av, bv, cv, m * stride, sites);
            });
        } else {
            double[] av = a.f64(), bv = b.f64(), cv = out.f64();
            SiteMatrices.forEachMatrix(matrices, out.size(), (chunk, from, to) -> {
                for (int m = from; m < to; m++) multiply(av, bv, cv, m * stride, sites);
            });
        }
    }

    /*
     * The kernels below compute, for every site, exactly what one scalar loop would:
     * re = 0; for k: re += Re op(A)_ik·Re op(B)_kj − Im op(A)_ik·Im op(B)_kj (im likewise), in
     * double, k ascending, a float32 result rounded once at the store. Lanes of the Vector API
     * are IEEE operations one by one (no fused multiply-add here), and the conjugation of an
     * adjoint operand is a multiplication of its imaginary part by −1, which is exact; so the
     * sums are bit for bit those of the straightforward loop (SiteMatricesFastPathTest holds
     * that loop). Sites are the innermost dimension: for a fixed entry they are contiguous, a
     * vector of them per step, the sum over k kept in registers.
     */

    /** One matrix at {@code base}, float32 operands and result. */
    private void multiply(float[] a, float[] b, float[] c, int base, int sites) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        int lanes = DOUBLES.length(), bound = DOUBLES.loopBound(sites);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int cr = base + index(i, j) * sites, x = 0;
                for (; x < bound; x += lanes) {
                    DoubleVector re = DoubleVector.zero(DOUBLES), im = DoubleVector.zero(DOUBLES);
                    for (int k = 0; k < n; k++) {
                        int ar = base + leftEntry(i, k) * sites + x, br = base + rightEntry(k, j) * sites + x;
                        DoubleVector xr = widen(a, ar), xi = widen(a, ar + sites).mul(sa);
                        DoubleVector yr = widen(b, br), yi = widen(b, br + sites).mul(sb);
                        re = re.add(xr.mul(yr).sub(xi.mul(yi)));
                        im = im.add(xr.mul(yi).add(xi.mul(yr)));
                    }
                    narrow(re).intoArray(c, cr + x);
                    narrow(im).intoArray(c, cr + sites + x);
                }
                for (; x < sites; x++) {
                    double re = 0, im = 0;
                    for (int k = 0; k < n; k++) {
                        int ar = base + leftEntry(i, k) * sites + x, br = base + rightEntry(k, j) * sites + x;
                        double xr = a[ar], xi = sa * a[ar + sites], yr = b[br], yi = sb * b[br + sites];
                        re += xr * yr - xi * yi;
                        im += xr * yi + xi * yr;
                    }
                    c[cr + x] = (float) re;
                    c[cr + sites + x] = (float) im;
                }
            }
        }
    }

    /**
     * {@link #multiply(float[], float[], float[], int, int)} for SU(3), the same loops with n a
     * literal: the JIT then unrolls the sum over k and folds the entry offsets, which halves a
     * 3×3 product's time (27 against 50–60 ns per site and matrix on AVX2). A shared method taking
     * n as an argument does not get there: the JIT compiles such a hot method on its own and then
     * will not inline it where n is known.
     */
    private static void multiplyThree(boolean adjointLeft, boolean adjointRight, float[] a, float[] b, float[] c, int base, int sites) {
        final int n = 3;
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        int lanes = DOUBLES.length(), bound = DOUBLES.loopBound(sites);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int cr = base + 2 * (i * n + j) * sites, x = 0;
                for (; x < bound; x += lanes) {
                    DoubleVector re = DoubleVector.zero(DOUBLES), im = DoubleVector.zero(DOUBLES);
                    for (int k = 0; k < n; k++) {
                        int ar = base + 2 * (adjointLeft ? k * n + i : i * n + k) * sites + x;
                        int br = base + 2 * (adjointRight ? j * n + k : k * n + j) * sites + x;
                        DoubleVector xr = widen(a, ar), xi = widen(a, ar + sites).mul(sa);
                        DoubleVector yr = widen(b, br), yi = widen(b, br + sites).mul(sb);
                        re = re.add(xr.mul(yr).sub(xi.mul(yi)));
                        im = im.add(xr.mul(yi).add(xi.mul(yr)));
                    }
                    narrow(re).intoArray(c, cr + x);
                    narrow(im).intoArray(c, cr + sites + x);
                }
                for (; x < sites; x++) {
                    double re = 0, im = 0;
                    for (int k = 0; k < n; k++) {
                        int ar = base + 2 * (adjointLeft ? k * n + i : i * n + k) * sites + x;
                        int br = base + 2 * (adjointRight ? j * n + k : k * n + j) * sites + x;
                        double xr = a[ar], xi = sa * a[ar + sites], yr = b[br], yi = sb * b[br + sites];
                        re += xr * yr - xi * yi;
                        im += xr * yi + xi * yr;
                    }
                    c[cr + x] = (float) re;
                    c[cr + sites + x] = (float) im;
                }
            }
        }
    }

    /** {@link #multiply(float[], float[], float[], int, int)} in float64. */
    private void multiply(double[] a, double[] b, double[] c, int base, int sites) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        int lanes = DOUBLES.length(), bound = DOUBLES.loopBound(sites);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int cr = base + index(i, j) * sites, x = 0;
                for (; x < bound; x += lanes) {
                    DoubleVector re = DoubleVector.zero(DOUBLES), im = DoubleVector.zero(DOUBLES);
                    for (int k = 0; k < n; k++) {
                        int ar = base + leftEntry(i, k) * sites + x, br = base + rightEntry(k, j) * sites + x;
                        DoubleVector xr = DoubleVector.fromArray(DOUBLES, a, ar), xi = DoubleVector.fromArray(DOUBLES, a, ar + sites).mul(sa);
                        DoubleVector yr = DoubleVector.fromArray(DOUBLES, b, br), yi = DoubleVector.fromArray(DOUBLES, b, br + sites).mul(sb);
                        re = re.add(xr.mul(yr).sub(xi.mul(yi)));
                        im = im.add(xr.mul(yi).add(xi.mul(yr)));
                    }
                    re.intoArray(c, cr + x);
                    im.intoArray(c, cr + sites + x);
                }
                for (; x < sites; x++) {
                    double re = 0, im = 0;
                    for (int k = 0; k < n; k++) {
                        int ar = base + leftEntry(i, k) * sites + x, br = base + rightEntry(k, j) * sites + x;
                        double xr = a[ar], xi = sa * a[ar + sites], yr = b[br], yi = sb * b[br + sites];
                        re += xr * yr - xi * yi;
                        im += xr * yi + xi * yr;
                    }
                    c[cr + x] = re;
                    c[cr + sites + x] = im;
                }
            }
        }
    }

    /** The channel of the real part of op(A)'s entry (row, column): A's own entry, transposed when A enters adjoint. */
    private int leftEntry(int row, int column) { return adjointLeft ? index(column, row) : index(row, column); }

    /** The channel of the real part of op(B)'s entry (row, column). */
    private int rightEntry(int row, int column) { return adjointRight ? index(column, row) : index(row, column); }

    /** The channel of the real part of entry (row, column) within one matrix. */
    private int index(int row, int column) { return 2 * (row * n + column); }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor a = inputs.get(0), b = inputs.get(1), g = outputGrad;
        // C = op(A) op(B). With P = op(A), Q = op(B): ∂L/∂P = G Q†, ∂L/∂Q = P† G, and for an
        // adjoint operand the cotangent of the stored matrix is the adjoint of that.
        return switch (index) {
            case 0 -> adjointLeft
                    // ∂L/∂A = (G Q†)† = Q G†
                    ? Ops.apply(new ComplexMatMul(n, adjointRight, true), b, g)
                    : Ops.apply(new ComplexMatMul(n, false, !adjointRight), g, b);
            case 1 -> adjointRight
                    // ∂L/∂B = (P† G)† = G† P
                    ? Ops.apply(new ComplexMatMul(n, true, adjointLeft), g, a)
                    : Ops.apply(new ComplexMatMul(n, !adjointLeft, false), a, g);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
