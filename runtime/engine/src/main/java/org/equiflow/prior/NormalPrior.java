package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/** {@code normal(sigma)}: independent N(0, σ²) per value. */
final class NormalPrior implements Prior {
    private final double sigma;

    NormalPrior(double sigma) { this.sigma = sigma; }

    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        Tensor z = Tensor.randn(shape, dtype, random);
        if (sigma != 1.0) for (int i = 0; i < z.size(); i++) z.set(i, sigma * z.get(i));
        return z;
    }
}
