package org.equiflow.tensor;

import java.util.List;

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
        if (n < 1 || n > 8) throw new IllegalArgumentException("matrix size must be 1 … 8, got " + n);
    }

    private int block() { return 2 * n * n; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        Shape a = inputs.get(0), b = inputs.get(1);
        if (!a.equals(b)) throw new IllegalArgumentException("ComplexMatMul needs operands of one shape, got " + a + " and " + b);
        if (a.channels() % block() != 0) {
            throw new IllegalArgumentException(a + " does not hold whole " + n + "×" + n + " complex matrices (" + block() + " channels each)");
        }
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
                double[] re = new double[sites], im = new double[sites];
                for (int m = from; m < to; m++) {
                    if (n == 3) multiply3(av, bv, cv, m * stride, sites);
                    else multiply(av, bv, cv, m * stride, sites, re, im);
                }
            });
        } else {
            double[] av = a.f64(), bv = b.f64(), cv = out.f64();
            SiteMatrices.forEachMatrix(matrices, out.size(), (chunk, from, to) -> {
                double[] re = new double[sites], im = new double[sites];
                for (int m = from; m < to; m++) {
                    if (n == 3) multiply3(av, bv, cv, m * stride, sites);
                    else multiply(av, bv, cv, m * stride, sites, re, im);
                }
            });
        }
    }

    /*
     * The kernels below compute, for every site, exactly what one scalar loop would:
     * re = 0; for k: re += Re op(A)_ik·Re op(B)_kj − Im op(A)_ik·Im op(B)_kj (im likewise), in
     * double, k ascending, a float32 result rounded once at the store. The conjugation of an
     * adjoint operand is a multiplication of its imaginary part by −1, which is exact, so the
     * sums are bit for bit those of the straightforward loop (the table test holds that loop).
     * Sites are the innermost loop: for a fixed entry they are contiguous, so the JIT vectorises it.
     */

    /** Any n, one matrix at {@code base}: for each entry, k passes over the sites into double accumulators. */
    private void multiply(float[] a, float[] b, float[] c, int base, int sites, double[] re, double[] im) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    int ar = base + leftEntry(i, k) * sites, ai = ar + sites;
                    int br = base + rightEntry(k, j) * sites, bi = br + sites;
                    if (k == 0) {
                        for (int x = 0; x < sites; x++) {
                            double xr = a[ar + x], xi = sa * a[ai + x], yr = b[br + x], yi = sb * b[bi + x];
                            re[x] = 0.0 + (xr * yr - xi * yi);
                            im[x] = 0.0 + (xr * yi + xi * yr);
                        }
                    } else {
                        for (int x = 0; x < sites; x++) {
                            double xr = a[ar + x], xi = sa * a[ai + x], yr = b[br + x], yi = sb * b[bi + x];
                            re[x] += xr * yr - xi * yi;
                            im[x] += xr * yi + xi * yr;
                        }
                    }
                }
                int cr = base + index(i, j) * sites, ci = cr + sites;
                for (int x = 0; x < sites; x++) {
                    c[cr + x] = (float) re[x];
                    c[ci + x] = (float) im[x];
                }
            }
        }
    }

    /** {@link #multiply(float[], float[], float[], int, int, double[], double[])} in float64. */
    private void multiply(double[] a, double[] b, double[] c, int base, int sites, double[] re, double[] im) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    int ar = base + leftEntry(i, k) * sites, ai = ar + sites;
                    int br = base + rightEntry(k, j) * sites, bi = br + sites;
                    if (k == 0) {
                        for (int x = 0; x < sites; x++) {
                            double xr = a[ar + x], xi = sa * a[ai + x], yr = b[br + x], yi = sb * b[bi + x];
                            re[x] = 0.0 + (xr * yr - xi * yi);
                            im[x] = 0.0 + (xr * yi + xi * yr);
                        }
                    } else {
                        for (int x = 0; x < sites; x++) {
                            double xr = a[ar + x], xi = sa * a[ai + x], yr = b[br + x], yi = sb * b[bi + x];
                            re[x] += xr * yr - xi * yi;
                            im[x] += xr * yi + xi * yr;
                        }
                    }
                }
                int cr = base + index(i, j) * sites;
                System.arraycopy(re, 0, c, cr, sites);
                System.arraycopy(im, 0, c, cr + sites, sites);
            }
        }
    }

    /** n = 3 (SU(3)), one matrix: the sum over k unrolled, so each entry is one pass over the sites. */
    private void multiply3(float[] a, float[] b, float[] c, int base, int sites) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int a0 = base + leftEntry(i, 0) * sites, a1 = base + leftEntry(i, 1) * sites, a2 = base + leftEntry(i, 2) * sites;
                int b0 = base + rightEntry(0, j) * sites, b1 = base + rightEntry(1, j) * sites, b2 = base + rightEntry(2, j) * sites;
                int cr = base + index(i, j) * sites;
                for (int x = 0; x < sites; x++) {
                    double re = 0, im = 0, xr, xi, yr, yi;
                    xr = a[a0 + x]; xi = sa * a[a0 + sites + x]; yr = b[b0 + x]; yi = sb * b[b0 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
                    xr = a[a1 + x]; xi = sa * a[a1 + sites + x]; yr = b[b1 + x]; yi = sb * b[b1 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
                    xr = a[a2 + x]; xi = sa * a[a2 + sites + x]; yr = b[b2 + x]; yi = sb * b[b2 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
                    c[cr + x] = (float) re;
                    c[cr + sites + x] = (float) im;
                }
            }
        }
    }

    /** {@link #multiply3(float[], float[], float[], int, int)} in float64. */
    private void multiply3(double[] a, double[] b, double[] c, int base, int sites) {
        double sa = adjointLeft ? -1 : 1, sb = adjointRight ? -1 : 1;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int a0 = base + leftEntry(i, 0) * sites, a1 = base + leftEntry(i, 1) * sites, a2 = base + leftEntry(i, 2) * sites;
                int b0 = base + rightEntry(0, j) * sites, b1 = base + rightEntry(1, j) * sites, b2 = base + rightEntry(2, j) * sites;
                int cr = base + index(i, j) * sites;
                for (int x = 0; x < sites; x++) {
                    double re = 0, im = 0, xr, xi, yr, yi;
                    xr = a[a0 + x]; xi = sa * a[a0 + sites + x]; yr = b[b0 + x]; yi = sb * b[b0 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
                    xr = a[a1 + x]; xi = sa * a[a1 + sites + x]; yr = b[b1 + x]; yi = sb * b[b1 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
                    xr = a[a2 + x]; xi = sa * a[a2 + sites + x]; yr = b[b2 + x]; yi = sb * b[b2 + sites + x];
                    re += xr * yr - xi * yi;
                    im += xr * yi + xi * yr;
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
