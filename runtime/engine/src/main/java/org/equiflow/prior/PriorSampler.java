package org.equiflow.prior;

import java.util.SplittableRandom;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * Draws latent configurations exactly from a flow's prior, the distribution whose density the
 * compiled {@code log_prior} evaluates; the sampler of each prior is found in {@link Priors}.
 */
public final class PriorSampler {
    private final Prior prior;

    public PriorSampler(PriorSpec prior, Lattice lattice, FieldSpec field) {
        this.prior = Priors.of(prior, lattice, field);
    }

    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        return prior.sample(shape, dtype, random);
    }
}
