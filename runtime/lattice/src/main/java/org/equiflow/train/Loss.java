package org.equiflow.train;

import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * A gradient estimator of KL(q‖p) = E_q[log q + S] + ln Z over the flow's parameters, from a batch
 * drawn from the flow: one implementation per file, registered in {@link Losses} under the name a
 * script's {@code loss} setting uses. All of them estimate the same gradient (unbiased, tested
 * against the exact one); they differ in variance and in what they evaluate.
 */
public interface Loss {
    /** The name a script's {@code train} block gives it ({@code loss reverse_kl}). */
    String name();

    /** Whether it evaluates log q of configurations it did not draw, through the inverse flow. */
    default boolean needsInverse() { return false; }

    /**
     * What one block of a batch gives: {@code objective} [batch], on the tape, whose batch mean
     * the trainer differentiates; {@code logQ} and {@code action} [batch], the values of log q and
     * S at the drawn configurations, for the reported loss E[log q + S] and the importance weights.
     */
    record Evaluation(Tensor objective, Tensor logQ, Tensor action) {}

    /**
     * Evaluates the block of latents {@code z} (drawn from the prior) through {@code flow}, whose
     * parameters are trained; {@code frozen} is the same flow with untracked copies of the current
     * parameters (for estimators that must not differentiate the density's explicit dependence on
     * them), or null when {@link #needsInverse} is false.
     */
    Evaluation evaluate(CompiledFlow flow, CompiledFlow frozen, Tensor z);
}
