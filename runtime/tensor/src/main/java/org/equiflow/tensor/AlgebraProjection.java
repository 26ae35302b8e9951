package org.equiflow.tensor;

import java.util.List;

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
        for (int m = 0; m < matrices; m++) {
            int base = m * block() * sites;
            for (int x = 0; x < sites; x++) {
                // tr(M − M†)/2N = i·Im tr M / N: only the imaginary parts of the diagonal move.
                double imTrace = 0;
                for (int i = 0; i < n; i++) imTrace += a.get(base + (index(i, i) + 1) * sites + x);
                double shift = n == 1 ? 0 : imTrace / n;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        int ij = index(i, j), ji = index(j, i);
                        // ½(M_ij − conj(M_ji))
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

    /** The channel of the real part of entry (row, column) within one matrix. */
    private int index(int row, int column) { return 2 * (row * n + column); }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index != 0) throw new IndexOutOfBoundsException(index);
        // Self-adjoint orthogonal projection (see the class comment): the cotangent projected the same way.
        return Ops.apply(this, outputGrad);
    }
}
