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
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block());
        for (int m = 0; m < matrices; m++) {
            int base = m * block() * sites;
            for (int x = 0; x < sites; x++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double re = 0, im = 0;
                        for (int k = 0; k < n; k++) {
                            // op(A)[i][k] and op(B)[k][j], conjugated where adjoint.
                            int ai = adjointLeft ? index(k, i) : index(i, k);
                            int bi = adjointRight ? index(j, k) : index(k, j);
                            double ar = a.get(base + ai * sites + x), aim = a.get(base + (ai + 1) * sites + x);
                            double br = b.get(base + bi * sites + x), bim = b.get(base + (bi + 1) * sites + x);
                            if (adjointLeft) aim = -aim;
                            if (adjointRight) bim = -bim;
                            re += ar * br - aim * bim;
                            im += ar * bim + aim * br;
                        }
                        int ci = index(i, j);
                        out.set(base + ci * sites + x, re);
                        out.set(base + (ci + 1) * sites + x, im);
                    }
                }
            }
        }
    }

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
