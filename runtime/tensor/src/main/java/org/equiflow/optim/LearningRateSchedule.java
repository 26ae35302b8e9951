package org.equiflow.optim;

import java.util.Objects;

/**
 * The learning rate as a pure function of the optimizer step t (0-based): a linear warm-up over
 * the first {@code warmupSteps} steps, lr · (t + 1) / warmupSteps, then lr times the decay's
 * factor at t − warmupSteps. Because it depends on nothing but the step number, a run resumed
 * from a checkpoint at step t uses exactly the rate the uninterrupted run would have used; what
 * the checkpoint must keep is the schedule's settings, not any state.
 */
public record LearningRateSchedule(double initial, Decay decay, long warmupSteps) {
    public LearningRateSchedule {
        if (!(initial > 0) || !Double.isFinite(initial)) throw new IllegalArgumentException("the learning rate must be positive and finite, got " + initial);
        Objects.requireNonNull(decay, "decay");
        if (warmupSteps < 0) throw new IllegalArgumentException("the warm-up must be at least 0 steps, got " + warmupSteps);
    }

    /** lr · decayPerStep^t, the script's {@code lr_decay} (1 keeps the rate constant), without warm-up. */
    public LearningRateSchedule(double initial, double decayPerStep) {
        this(initial, decayPerStep == 1.0 ? new Constant() : new Exponential(decayPerStep), 0);
    }

    public static LearningRateSchedule constant(double learningRate) {
        return new LearningRateSchedule(learningRate, new Constant(), 0);
    }

    /** How the rate falls after the warm-up: a factor of the steps since the warm-up ended. */
    public sealed interface Decay permits Constant, Exponential, StepDecay, Cosine {
        /** The factor of the rate {@code since} steps after the warm-up (0 for the first step after it). */
        double factor(long since);

        /** The language's name of the decay ({@code lr_schedule NAME}). */
        String name();

        /** The decay for a log line, e.g. {@code × 0.5^(t / 100)}; empty for none. */
        String describe();
    }

    /** No decay. */
    public record Constant() implements Decay {
        @Override public double factor(long since) { return 1.0; }
        @Override public String name() { return "constant"; }
        @Override public String describe() { return ""; }
    }

    /** decay^t: the script's {@code lr_decay}, or {@code lr_schedule exponential(decay)}. */
    public record Exponential(double perStep) implements Decay {
        public Exponential {
            if (!(perStep > 0 && perStep <= 1)) throw new IllegalArgumentException("the learning-rate decay per step must be in (0, 1], got " + perStep);
        }
        @Override public double factor(long since) { return perStep == 1.0 ? 1.0 : Math.pow(perStep, since); }
        @Override public String name() { return "exponential"; }
        @Override public String describe() { return perStep == 1.0 ? "" : " × " + perStep + "^t"; }
    }

    /** factor^⌊t / every⌋: the rate drops by {@code factor} every {@code every} steps. */
    public record StepDecay(long every, double factor) implements Decay {
        public StepDecay {
            if (every < 1) throw new IllegalArgumentException("step decay needs every >= 1, got " + every);
            if (!(factor > 0 && factor <= 1)) throw new IllegalArgumentException("step decay's factor must be in (0, 1], got " + factor);
        }
        @Override public double factor(long since) { return Math.pow(factor, since / every); }
        @Override public String name() { return "step"; }
        @Override public String describe() { return " × " + factor + "^⌊t/" + every + "⌋"; }
    }

    /**
     * Cosine annealing from 1 to {@code floor} (a fraction of lr) over {@code steps} steps:
     * floor + (1 − floor) · ½(1 + cos(π t / steps)), and {@code floor} from step {@code steps} on
     * (a run extended past its planned length stays at the floor rather than climbing back).
     */
    public record Cosine(long steps, double floor) implements Decay {
        public Cosine {
            if (steps < 1) throw new IllegalArgumentException("the cosine schedule needs at least one step, got " + steps);
            if (!(floor >= 0 && floor <= 1)) throw new IllegalArgumentException("the cosine floor is a fraction of lr in [0, 1], got " + floor);
        }
        @Override public double factor(long since) {
            if (since >= steps) return floor;
            return floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * since / steps));
        }
        @Override public String name() { return "cosine"; }
        @Override public String describe() { return " × cosine to " + floor + " over " + steps + " steps"; }
    }

    /** The rate of the optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) return initial * (step + 1) / warmupSteps;
        return initial * decay.factor(step - warmupSteps);
    }

    /** The schedule for a log line, e.g. {@code 0.001, warm-up 100 steps × cosine to 0.0 over 900 steps}. */
    public String describe() {
        return initial + (warmupSteps > 0 ? ", warm-up " + warmupSteps + " steps" : "") + decay.describe();
    }
}
