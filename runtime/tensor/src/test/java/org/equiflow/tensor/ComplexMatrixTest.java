package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The forward semantics of the SU(N) block primitives, beyond their gradients: products of
 * random SU(2) matrices stay unitary (U U† = 1, det-free check), adjoints are conjugate
 * transposes, and the trace is invariant under conjugation, tr(g A g†) = tr A — the property a
 * gauge-invariant Wilson action rests on.
 */
class ComplexMatrixTest {
    private static final int N = 2, BLOCK = 2 * N * N;
    private final SplittableRandom random = new SplittableRandom(12);

    /** Random SU(2) matrices a0 + i a⃗·σ⃗ with |a| = 1, one per site, for one matrix per configuration. */
    private Tensor randomSu2(int batch, int sites) {
        Tensor u = Tensor.zeros(new Shape(batch, BLOCK, sites), DType.F64);
        for (int b = 0; b < batch; b++) {
            for (int x = 0; x < sites; x++) {
                double a0 = random.nextGaussian(), a1 = random.nextGaussian(), a2 = random.nextGaussian(), a3 = random.nextGaussian();
                double norm = Math.sqrt(a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3);
                a0 /= norm; a1 /= norm; a2 /= norm; a3 /= norm;
                // [[a0 + i a3, a2 + i a1], [−a2 + i a1, a0 − i a3]]
                double[] entries = {a0, a3, a2, a1, -a2, a1, a0, -a3};
                for (int c = 0; c < BLOCK; c++) u.set((b * BLOCK + c) * sites + x, entries[c]);
            }
        }
        return u;
    }

    @Test
    void productsOfSu2MatricesAreUnitary() {
        Tensor u = randomSu2(3, 5), v = randomSu2(3, 5);
        Tensor w = Ops.apply(new ComplexMatMul(N, false, false), u, v);
        Tensor identity = Ops.apply(new ComplexMatMul(N, false, true), w, w);
        double[] expected = {1, 0, 0, 0, 0, 0, 1, 0};
        for (int b = 0; b < 3; b++) {
            for (int x = 0; x < 5; x++) {
                for (int c = 0; c < BLOCK; c++) assertEquals(expected[c], identity.get((b * BLOCK + c) * 5 + x), 1e-12);
            }
        }
    }

    @Test
    void theTraceIsInvariantUnderConjugation() {
        Tensor a = Tensor.randn(new Shape(2, BLOCK, 4), DType.F64, random);
        Tensor g = randomSu2(2, 4);
        Tensor gag = Ops.apply(new ComplexMatMul(N, false, true), Ops.apply(new ComplexMatMul(N, false, false), g, a), g);
        Tensor before = Ops.apply(new ComplexTrace(N), a), after = Ops.apply(new ComplexTrace(N), gag);
        for (int i = 0; i < before.size(); i++) assertEquals(before.get(i), after.get(i), 1e-12);
    }

    @Test
    void theAdjointIsTheConjugateTranspose() {
        Tensor a = Tensor.randn(new Shape(1, BLOCK, 1), DType.F64, random);
        Tensor identity = Tensor.zeros(new Shape(1, BLOCK, 1), DType.F64);
        identity.set(0, 1);
        identity.set(6, 1);
        Tensor adjoint = Ops.apply(new ComplexMatMul(N, true, false), a, identity);
        // (A†)[i][j] = conj(A[j][i])
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                assertEquals(a.get(2 * (j * N + i)), adjoint.get(2 * (i * N + j)), 1e-15);
                assertEquals(-a.get(2 * (j * N + i) + 1), adjoint.get(2 * (i * N + j) + 1), 1e-15);
            }
        }
    }
}
