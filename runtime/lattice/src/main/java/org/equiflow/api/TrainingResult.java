package org.equiflow.api;

import java.nio.file.Path;
import java.util.List;
import org.equiflow.physics.TrustChecks;
import org.equiflow.train.Trainer;

/**
 * What a training run did.
 *
 * @param firstStep       the step it started from (the checkpoint's, when resumed)
 * @param steps           the run's planned total
 * @param history         every step of the run from its start, a resumed run's earlier steps included
 * @param seconds         wall time of the steps taken now
 * @param warnings        what to distrust in the trained flow (an action that falls along its samples)
 * @param divergence      why training stopped early; null when it did not
 * @param alreadyComplete the resumed run had already done its planned steps, so none were taken
 * @param communicationSeconds of {@code seconds}, the time in collective operations between the
 *                        ranks of a distributed run (waiting for slower ranks included); 0 on one process
 */
public record TrainingResult(String flow, int firstStep, long steps, List<Trainer.Step> history, double seconds, Path checkpoint,
                             Path runDirectory, List<TrustChecks.Warning> warnings, TrainingListener.Divergence divergence,
                             boolean alreadyComplete, double communicationSeconds) {
    public boolean diverged() { return divergence != null; }

    /** The last step's loss (NaN before any step). */
    public double finalLoss() { return history.isEmpty() ? Double.NaN : history.getLast().loss(); }

    /** The last step's batch effective sample size fraction (NaN before any step). */
    public double finalEss() { return history.isEmpty() ? Double.NaN : history.getLast().ess(); }

    /** The steps taken now. */
    public long stepsTaken() { return steps - firstStep; }
}
