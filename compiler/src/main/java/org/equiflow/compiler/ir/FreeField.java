package org.equiflow.compiler.ir;

import org.equiflow.compiler.model.Lattice;

/**
 * The free scalar field S = ½ Σx [Σμ (φ(x+μ) − φ(x))² + m2 φ(x)²] = ½ φᵀKφ, diagonal in
 * momentum space with eigenvalues λp = m2 + Σμ 4 sin²(pμ/2), pμ = 2π nμ / Lμ.
 */
public final class FreeField {
    private FreeField() {}

    /** log of the normalisation of exp(−S): ½ Σp log(λp / 2π), so that log q = −S + this. */
    public static double logNormalization(Lattice lattice, double m2) {
        if (!(m2 > 0)) throw new IllegalArgumentException("the free field needs m2 > 0, got " + m2);
        int dims = lattice.dimensions();
        int[] n = new int[dims];
        double sum = 0;
        for (long k = 0; k < lattice.volume(); k++) {
            long rest = k;
            double lambda = m2;
            for (int d = dims - 1; d >= 0; d--) {
                int size = lattice.sizes().get(d);
                n[d] = (int) (rest % size);
                rest /= size;
                double s = Math.sin(Math.PI * n[d] / size);
                lambda += 4 * s * s;
            }
            sum += Math.log(lambda / (2 * Math.PI));
        }
        return 0.5 * sum;
    }
}
