package org.equiflow.compiler.ir;

import org.equiflow.compiler.model.Lattice;

/**
 * The free scalar field S = ½ Σx [Σμ (φ(x+μ) − φ(x))² + m2 φ(x)²] = ½ φᵀKφ, diagonal in
 * momentum space with eigenvalues λp = m2 + Σμ 4 sin²(pμ/2), pμ = 2π nμ / Lμ.
 */
public final class FreeField {
    private FreeField() {}

    /** λp for every momentum, row-major like the sites (momentum index nμ in place of xμ). */
    public static double[] eigenvalues(Lattice lattice, double m2) {
        int dims = lattice.dimensions();
        double[] lambda = new double[(int) lattice.volume()];
        for (int k = 0; k < lambda.length; k++) {
            int rest = k;
            lambda[k] = m2;
            for (int d = dims - 1; d >= 0; d--) {
                int size = lattice.sizes().get(d);
                double s = Math.sin(Math.PI * (rest % size) / size);
                rest /= size;
                lambda[k] += 4 * s * s;
            }
        }
        return lambda;
    }

    /** log of the normalisation of exp(−S): ½ Σp log(λp / 2π), so that log q = −S + this. */
    public static double logNormalization(Lattice lattice, double m2) {
        if (!(m2 > 0)) throw new IllegalArgumentException("the free field needs m2 > 0, got " + m2);
        double sum = 0;
        for (double lambda : eigenvalues(lattice, m2)) sum += Math.log(lambda / (2 * Math.PI));
        return 0.5 * sum;
    }
}
