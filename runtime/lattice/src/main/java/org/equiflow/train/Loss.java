package org.equiflow.train;

import org.equiflow.tensor.Tensor;

/**
 * What training minimises, per configuration of a batch drawn from the flow. The trainer averages
 * it over the batch and differentiates the average; one implementation per file, registered in
 * {@link Losses} under the name a script's {@code loss} setting uses.
 */
public interface Loss {
    /** The name a script's {@code train} block gives it ({@code loss reverse_kl}). */
    String name();

    /**
     * The loss of each configuration of the block, {@code [batch]}, on the tape, from the flow's
     * log density {@code logQ} of its own samples and the action {@code action} at them.
     */
    Tensor perConfiguration(Tensor logQ, Tensor action);
}
