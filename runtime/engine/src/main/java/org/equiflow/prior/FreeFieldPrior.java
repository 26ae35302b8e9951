package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.compiler.ir.FreeField;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * {@code free_field(m2)}, sampled in momentum space: φ = F⁻¹ diag(λp^{−1/2}) F ξ with ξ white
 * noise. F is unitary and the free action's quadratic form K = F⁻¹ diag(λ) F, so φ has
 * covariance K⁻¹ exactly, as log q assumes.
 */
final class FreeFieldPrior implements Prior {
    private final Lattice lattice;
    /** λp^{−1/2} for every momentum, row-major like the sites. */
    private final double[] filter;

    FreeFieldPrior(Lattice lattice, double m2) {
        this.lattice = lattice;
        this.filter = FreeField.eigenvalues(lattice, m2);
        for (int k = 0; k < filter.length; k++) filter[k] = 1 / Math.sqrt(filter[k]);
    }

    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        int volume = (int) lattice.volume();
        Tensor z = Tensor.zeros(shape, dtype);
        double[] re = new double[volume], im = new double[volume];
        var fourier = new LatticeFourier(lattice.sizes());
        for (int config = 0; config < shape.batch() * shape.channels(); config++) {
            for (int i = 0; i < volume; i++) {
                re[i] = random.nextGaussian();
                im[i] = 0;
            }
            fourier.transform(re, im, false);
            for (int i = 0; i < volume; i++) {
                re[i] *= filter[i];
                im[i] *= filter[i];
            }
            fourier.transform(re, im, true);
            for (int i = 0; i < volume; i++) z.set(config * volume + i, re[i]);
        }
        return z;
    }
}
