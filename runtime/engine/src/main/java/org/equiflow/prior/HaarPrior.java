package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/** {@code haar()} on U(1) links: independent angles uniform in [−π, π). */
final class HaarPrior implements Prior {
    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        Tensor z = Tensor.zeros(shape, dtype);
        for (int i = 0; i < z.size(); i++) z.set(i, Math.PI * (2 * random.nextDouble() - 1));
        return z;
    }
}
