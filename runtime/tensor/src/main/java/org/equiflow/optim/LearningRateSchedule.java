package org.equiflow.optim;

/**
 * The learning rate as a pure function of the optimizer step: lr_t = lr · decay^t, t = 0 for the
 * first step. Because it depends on nothing but the step number, a run resumed from a checkpoint
 * at step t uses exactly the rate the uninterrupted run would have used (the script's
 * {@code lr_decay}; 1 keeps the rate constant).
 */
public record LearningRateSchedule(double initial, double decayPerStep) {
    public LearningRateSchedule {
        if (!(initial > 0) || !Double.isFinite(initial)) throw new IllegalArgumentException("the learning rate must be positive and finite, got " + initial);
        if (!(decayPerStep > 0 && decayPerStep <= 1)) {
            throw new IllegalArgumentException("the learning-rate decay per step must be in (0, 1], got " + decayPerStep);
        }
    }

    public static LearningRateSchedule constant(double learningRate) {
        return new LearningRateSchedule(learningRate, 1.0);
    }

    /** The rate of the optimizer step {@code step} (0-based). */
    public double at(long step) {
        return decayPerStep == 1.0 ? initial : initial * Math.pow(decayPerStep, step);
    }
}
