package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * An exact sampler of one prior, the distribution whose density the compiled {@code log_prior}
 * evaluates ({@code org.equiflow.compiler.ir.PriorDensity} of the same name). Each prior is one
 * file, listed in {@link Priors}.
 */
public interface Prior {
    /** Draws {@code shape.batch()} independent configurations. */
    Tensor sample(Shape shape, DType dtype, SplittableRandom random);
}
