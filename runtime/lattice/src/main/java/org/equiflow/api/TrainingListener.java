package org.equiflow.api;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.equiflow.train.Trainer;

/**
 * What training reports while it runs, so that a caller can draw progress (the command line's
 * bars and log lines) without the API knowing how. Every method does nothing unless overridden;
 * all are called on the thread that called {@code train}.
 */
public interface TrainingListener {
    /**
     * Training is about to take its first step (a run already at its planned total takes none,
     * and {@link TrainingResult#alreadyComplete()} says so).
     */
    default void started(Start start) {}

    /** A step is done (and, every {@code checkpointEvery} steps, saved). */
    default void stepped(Trainer.Step step) {}

    /** The loss or a gradient stopped being finite; the run stops, keeping its last checkpoint. */
    default void diverged(Divergence divergence) {}

    /** The steps are over, however they ended; called once after {@link #started}. */
    default void ended() {}

    /**
     * Training is over and its metrics written: the result {@code train} is about to return
     * (before {@code trainAndSample} goes on to sample).
     */
    default void finished(TrainingResult result) {}

    /**
     * The plan of the steps about to be taken.
     *
     * @param resumed                 continues the checkpoint in the run directory
     * @param resumeFoundNoCheckpoint resuming was asked for, but there was nothing to resume
     * @param logEvery                steps between progress lines, for a listener that prints them
     * @param schedule                the learning-rate schedule for a log line: the rate, the warm-up and the decay
     * @param optimizer               {@code adam} or {@code adamw}, with its decoupled {@code weightDecay} (0 for adam)
     * @param clipGradNorm            the maximum global gradient norm; infinite when the gradients are not clipped
     * @param startedFrom             the run whose parameters this run started from (--from): where, its step, the
     *                                theory parameters that differ, and that the optimizer state started fresh; null
     *                                for a run trained from scratch (a resumed run keeps its own origin)
     */
    record Start(String flow, String lattice, long parameters, int batch, int firstStep, long steps, double learningRate,
                 String schedule, String optimizer, double weightDecay, double clipGradNorm, long seed, Path checkpoint, boolean resumed,
                 boolean resumeFoundNoCheckpoint, Map<String, String> overrides, long logEvery, String startedFrom) {}

    /**
     * Why training stopped: the trainer's diagnosis, where the action is unbounded below (when the
     * flow already points there), and the checkpoint that was kept.
     */
    record Divergence(String message, int step, Optional<String> unboundedAction, Path checkpoint) {}
}
