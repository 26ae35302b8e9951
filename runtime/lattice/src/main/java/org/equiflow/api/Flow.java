package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.distributed.Communicator;
import org.equiflow.train.Trainer;

/**
 * One flow of a {@link Session} with its run directory, where its checkpoint, metrics, ensembles
 * and report live ({@code runs/<script>/<flow>}, plus a subdirectory named after the overrides
 * when there are any, unless {@link #at} says otherwise). Each of {@link #train}, {@link #sample}
 * and {@link #trainAndSample} locks the directory for its whole duration, refuses a second
 * command on it, and leaves it in a consistent state when killed.
 */
public final class Flow {
    private final Workspace workspace;
    private final Session session;
    private final String requestedName;

    Flow(Workspace workspace, Session session, String requestedName) {
        this.workspace = workspace;
        this.session = session;
        this.requestedName = requestedName;
    }

    /** This flow with its run directory at {@code runDirectory} (null: the default). */
    public Flow at(Path runDirectory) throws ScriptException {
        return new Flow(Workspace.of(session, requestedName, runDirectory), session, requestedName);
    }

    public String name() { return workspace.flow().name(); }

    /** The checked flow: its theory, prior and layers. */
    public FlowModel model() { return workspace.flow(); }

    public Path runDirectory() { return workspace.directory(); }

    Workspace workspace() { return workspace; }

    /** Where training keeps the flow's weights and optimizer state. */
    public Path checkpoint() { return workspace.checkpoint(); }

    /** Whether the run directory holds a trained flow. */
    public boolean trained() { return Files.exists(workspace.checkpoint()); }

    /** Trains with the script's settings, overridden by {@code options}; see {@link TrainingOptions}. */
    public TrainingResult train(TrainingOptions options) throws IOException {
        return train(options, new TrainingListener() {});
    }

    /** Trains, reporting the start, every step and a divergence to {@code listener}. */
    public TrainingResult train(TrainingOptions options, TrainingListener listener) throws IOException {
        // The run to start from is read and checked before the directory is created or locked.
        Transfer.Source source = Transfer.checked(workspace, options);
        try (RunDirectory directory = RunDirectory.open(workspace.directory())) {
            return Training.train(workspace, directory, options, source, listener);
        }
    }

    /**
     * Trains on the ranks of {@code job} (data parallelism: every rank takes the same steps, each
     * computing a share of every batch; see {@code docs/distributed.md}). Rank 0 locks the run
     * directory and writes the checkpoints and metrics; the result is the same, bit for bit, for
     * any number of ranks. {@code listener} hears every rank (print on rank 0). A failure on one
     * rank before the first step fails every rank with its message; a failure during the steps
     * ends the whole job.
     */
    public TrainingResult train(TrainingOptions options, TrainingListener listener, Communicator job) throws IOException {
        return train(options, listener, job, Trainer.Reduction.BLOCK_ORDER);
    }

    /**
     * As {@link #train(TrainingOptions, TrainingListener, Communicator)}, with the gradients added
     * across ranks as {@code reduction} says: {@link Trainer.Reduction#BLOCK_ORDER} gives the same
     * checkpoint for any number of ranks, {@link Trainer.Reduction#RANK_SUMS} moves far less for
     * wide models and many blocks, and agrees with it within rounding.
     */
    public TrainingResult train(TrainingOptions options, TrainingListener listener, Communicator job, Trainer.Reduction reduction)
            throws IOException {
        if (job.size() == 1) return train(options, listener);
        Transfer.Source source = JobAgreement.agree(job, () -> Transfer.checked(workspace, options));
        RunDirectory directory = JobAgreement.openOnRankZero(job, workspace.directory());
        try {
            return Training.train(workspace, directory, options, source, listener, job, reduction);
        } finally {
            if (directory != null) directory.close();
        }
    }

    /**
     * Samples the trained flow (or, with {@link SamplingOptions#untrained()}, its initial
     * parameters) with the script's {@code sample} settings, measures, and commits the ensemble
     * and report as one result of the run directory.
     */
    public SamplingResult sample(SamplingOptions options) throws IOException {
        return sample(options, new SamplingListener() {});
    }

    public SamplingResult sample(SamplingOptions options, SamplingListener listener) throws IOException {
        // Nothing to sample: say so without creating (and locking) a run directory for nothing.
        if (!options.untrained() && !trained()) throw Sampling.noTrainedFlow(workspace);
        try (RunDirectory directory = RunDirectory.open(workspace.directory())) {
            return Sampling.sample(workspace, directory, options, listener);
        }
    }

    /**
     * Samples on the ranks of {@code job}: each rank pushes its share of every batch of proposals
     * through the flow, every rank gathers the whole batch and runs the same chain, so the ensemble
     * is the one a single process draws, bit for bit, for any number of ranks (see
     * {@code docs/distributed.md}). Rank 0 locks the run directory and writes the ensemble and
     * report; the others write nothing. {@code listener} hears every rank (print on rank 0). A
     * failure on one rank before the draw fails every rank with its message; a failure while
     * drawing ends the whole job.
     */
    public SamplingResult sample(SamplingOptions options, SamplingListener listener, Communicator job) throws IOException {
        if (job.size() == 1) return sample(options, listener);
        JobAgreement.agree(job, () -> {
            if (!options.untrained() && !trained()) throw Sampling.noTrainedFlow(workspace);
            return null;
        });
        RunDirectory directory = JobAgreement.openOnRankZero(job, workspace.directory());
        try {
            return Sampling.sample(workspace, directory, options, listener, job);
        } finally {
            if (directory != null) directory.close();
        }
    }

    /**
     * Trains, then samples the flow just trained, under one lock so that no other command slips
     * in between; sampling's memory is checked before training, so that a run does not train for
     * an hour and then fail. When training diverges, nothing is sampled.
     */
    public RunResult trainAndSample(TrainingOptions training, SamplingOptions sampling, TrainingListener trainingListener,
                                    SamplingListener samplingListener) throws IOException {
        Sampling.Size.of(workspace, sampling).requireMemory(workspace, "a smaller --count or the `batch` of the script's `sample` block");
        Transfer.Source source = Transfer.checked(workspace, training);
        try (RunDirectory directory = RunDirectory.open(workspace.directory())) {
            TrainingResult trained = Training.train(workspace, directory, training, source, trainingListener);
            if (trained.diverged()) return new RunResult(trained, null);
            return new RunResult(trained, Sampling.sample(workspace, directory, sampling, samplingListener));
        }
    }

    /**
     * {@link #trainAndSample} on the ranks of {@code job}: the training and the sampling each as on
     * several ranks ({@link #train(TrainingOptions, TrainingListener, Communicator, Trainer.Reduction)},
     * {@link #sample(SamplingOptions, SamplingListener, Communicator)}), under one lock held by rank 0.
     */
    public RunResult trainAndSample(TrainingOptions training, SamplingOptions sampling, TrainingListener trainingListener,
                                    SamplingListener samplingListener, Communicator job, Trainer.Reduction reduction) throws IOException {
        if (job.size() == 1) return trainAndSample(training, sampling, trainingListener, samplingListener);
        Transfer.Source source = JobAgreement.agree(job, () -> {
            Sampling.Size.of(workspace, sampling).requireMemory(workspace, "a smaller --count or the `batch` of the script's `sample` block");
            return Transfer.checked(workspace, training);
        });
        RunDirectory directory = JobAgreement.openOnRankZero(job, workspace.directory());
        try {
            TrainingResult trained = Training.train(workspace, directory, training, source, trainingListener, job, reduction);
            if (trained.diverged()) return new RunResult(trained, null);
            // Sampling reads the checkpoint rank 0 writes at the last step: no rank reads it before it is there.
            job.barrier();
            return new RunResult(trained, Sampling.sample(workspace, directory, sampling, samplingListener, job));
        } finally {
            if (directory != null) directory.close();
        }
    }

    /** What {@link #trainAndSample} did: the training, and the sampling unless training diverged (null then). */
    public record RunResult(TrainingResult training, SamplingResult sampling) {}
}
