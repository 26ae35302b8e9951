package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.equiflow.compiler.ast.Item;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.InProcessCommunicator;
import org.equiflow.io.Checkpoint;
import org.equiflow.physics.ExactAnswers;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.physics.FieldBehaviours;
import org.equiflow.sample.FlowHmcSampler;
import org.equiflow.sample.FlowSampler;
import org.equiflow.sample.FlowSamplers;
import org.equiflow.sample.Hmc;
import org.equiflow.sample.Proposals;
import org.equiflow.sample.Samples;
import org.equiflow.stats.Reweighting;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/** Sampling a run directory's flow: size and memory, the registered sampler, measurements, one committed result. */
final class Sampling {
    private Sampling() {}

    /** The method that integrates trajectories through the flow, and its defaults: those of the {@code hmc} block. */
    static final String FLOW_HMC = "flow_hmc";
    static final double FLOW_HMC_STEP_SIZE = 0.1;
    static final int FLOW_HMC_MD_STEPS = 10;
    /**
     * With this system property true ({@code EQUIFLOW_JAVA_OPTS=-Dequiflow.phases=true}), rank 0 prints to stderr where
     * the wall time of a sampling run went: the start (JVM, script, checkpoint), drawing, measurements, ensemble, report.
     */
    static final String PHASES_PROPERTY = "equiflow.phases";

    static SamplingResult sample(Workspace ws, RunDirectory directory, SamplingOptions o, SamplingListener listener) throws IOException {
        return sample(ws, directory, o, listener, new InProcessCommunicator());
    }

    /**
     * Samples on the ranks of {@code job}: every rank prepares the same run and the same sampler,
     * and the proposals are drawn with each rank computing its share of every batch
     * ({@link Proposals}), so every rank holds the batches one process would draw and runs the same
     * chain; the measurements are repeated on every rank (the same numbers). Rank 0 alone holds
     * {@code directory} (null on the others) and writes the ensemble and report. {@code listener}
     * hears every rank: print on rank 0 only. A failure while preparing fails every rank alike; a
     * failure while drawing ends the whole job.
     */
    static SamplingResult sample(Workspace ws, RunDirectory directory, SamplingOptions o, SamplingListener listener, Communicator job)
            throws IOException {
        Prepared run = JobAgreement.agree(job, () -> prepare(ws, o));
        long seed = run.seed();
        listener.started(new SamplingListener.Start(ws.flow().name(), run.count(), run.thermalize(), run.method(), seed));
        var proposals = new Proposals(run.flow(), seed, job);
        Samples samples;
        long start = System.nanoTime();
        try {
            samples = run.sampler().draw(proposals, run.count(), run.thermalize(), run.batch(), seed, listener::progress);
        } catch (RuntimeException | Error e) {
            // The other ranks wait in this batch's sums: end them all, naming this rank.
            JobAgreement.endJob(job, "while drawing proposals", e);
            throw e;
        } finally {
            listener.ended();
        }
        double samplingSeconds = (System.nanoTime() - start) / 1e9;
        return finish(ws, directory, listener, run, samples, samplingSeconds);
    }

    /** A sampling run ready to draw: its settings and size, the restored flow, and the sampler. */
    private record Prepared(RunSettings settings, int count, int batch, long seed, String method, int thermalize, List<String> measure,
                            Checkpoint.Contents checkpoint, Precision precision, CompiledFlow flow, List<Trainer.Step> history,
                            FlowSampler sampler, double stepSize, int mdSteps, double targetAcceptance) {}

    /** Everything {@link #sample} does before drawing: the settings and their refusals, the flow restored from the checkpoint. */
    private static Prepared prepare(Workspace ws, SamplingOptions o) throws IOException {
        var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
        var size = Size.of(ws, o);
        int count = size.count(), batch = size.batch();
        long seed = settings.integer("seed", o.seed(), 1);
        String method = settings.choice("method", FlowSamplers.DEFAULT);
        int thermalize = Limits.intRange(Limits.source(null, "--thermalize", "sample", "thermalize"),
                settings.integer("thermalize", null, 0), 0, Limits.MAX_COUNT - count);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.addAll(List.of("acceptance", "ess"));
        // A trained flow is there: `sample` checked before locking the directory, `run` has just trained it.
        Checkpoint.Contents checkpoint = o.untrained() ? null : Artifacts.readCheckpoint(ws);
        size.requireMemory(ws, "a smaller --count or --sample-batch");
        var trainSettings = RunSettings.of(ws.program(), Item.RunKind.TRAIN, ws.flow().name());
        boolean flowHmc = method.equals(FLOW_HMC);
        if (flowHmc && o.precision() == Precision.F32) {
            throw new InvalidSettingException("--precision f32: `method flow_hmc` integrates in float64 only, since in float32 a trajectory's"
                    + " energy change ΔH would be rounding noise; drop --precision (a float32-trained flow's parameters are restored into a"
                    + " float64 flow) or pass --precision f64");
        }
        // Flow-HMC runs the flow in float64 whatever it was trained in: the trained values are restored exactly into it.
        Precision precision = flowHmc ? Precision.F64 : checkpoint != null ? Training.trainedPrecision(checkpoint, o.precision(), "sampling runs")
                : o.precision() != null ? o.precision() : Precision.named(trainSettings.choice("precision", Precision.DEFAULT.label()));
        var flow = new CompiledFlow(ws.ir(), precision.dtypeOnCurrentBackend(), 0);
        List<Trainer.Step> history = checkpoint != null ? Artifacts.restore(ws, checkpoint, flow, null).history() : List.of();
        var sampler = FlowSamplers.named(method);
        double stepSize = settings.real("step_size", null, FLOW_HMC_STEP_SIZE);
        int mdSteps = (int) settings.integer("md_steps", null, FLOW_HMC_MD_STEPS);
        // NaN: the step size is the one given; else dual averaging tunes it to this acceptance during `thermalize`.
        double targetAcceptance = settings.real("target_acceptance", null, Double.NaN);
        if (sampler instanceof FlowHmcSampler hmc) {
            // Frozen: the forces differentiate the latent field only, never the parameters.
            flow = flow.withFrozenParameters();
            sampler = hmc.tuned(new FlowHmcSampler.Tuning(FieldBehaviours.of(ws.flow().theory().field()), stepSize, mdSteps,
                    Hmc.Integrator.named(settings.choice("integrator", "leapfrog")), targetAcceptance));
        }
        return new Prepared(settings, count, batch, seed, method, thermalize, measure, checkpoint, precision, flow, history, sampler,
                stepSize, mdSteps, targetAcceptance);
    }

    /** After the draw, the same on every rank: the checks and measurements; rank 0 (the one holding {@code directory}) commits them. */
    private static SamplingResult finish(Workspace ws, RunDirectory directory, SamplingListener listener, Prepared run, Samples samples,
                                         double samplingSeconds) throws IOException {
        long measureStart = System.nanoTime();
        requireFiniteLogWeights(samples.proposalLogWeights(), run.precision());
        // Only rank 0 of a distributed run holds the directory; its arrays go to disk while the chain is measured.
        Artifacts.EnsembleArrays arrays = directory == null ? null : Artifacts.EnsembleArrays.start(ws, directory.stage(), samples);
        try {
            return measureAndCommit(ws, directory, arrays, listener, run, samples, samplingSeconds, measureStart);
        } catch (IOException | RuntimeException | Error failure) {
            if (arrays != null) arrays.discard(directory, failure);
            throw failure;
        }
    }

    private static SamplingResult measureAndCommit(Workspace ws, RunDirectory directory, Artifacts.EnsembleArrays arrays,
                                                   SamplingListener listener, Prepared run, Samples samples, double samplingSeconds,
                                                   long measureStart) throws IOException {
        var settings = run.settings();
        int count = run.count(), batch = run.batch(), thermalize = run.thermalize(), mdSteps = run.mdSteps();
        long seed = run.seed();
        String method = run.method();
        List<String> measure = run.measure();
        Checkpoint.Contents checkpoint = run.checkpoint();
        Precision precision = run.precision();
        List<Trainer.Step> history = run.history();
        FlowSampler sampler = run.sampler();
        double stepSize = run.stepSize(), targetAcceptance = run.targetAcceptance();
        double ess = Reweighting.ess(samples.proposalLogWeights());
        var report = withExactKl(ws.flow().theory(), Measurements.measure(ws.flow().theory(), ws.program().names(), samples.configs(),
                samples.count(), measure, samples.weighted() ? samples.proposalLogWeights() : null), samples.proposalLogWeights());
        long measured = System.nanoTime();
        // The kept chain's step size: the tuned one where it was tuned.
        SamplingResult.StepSizeTuning stepSizeTuning = null;
        if (sampler instanceof FlowHmcSampler hmc && !Double.isNaN(targetAcceptance) && thermalize > 0) {
            stepSizeTuning = new SamplingResult.StepSizeTuning(targetAcceptance, stepSize, hmc.keptStepSize(), thermalize);
            stepSize = hmc.keptStepSize();
        }
        var warnings = sampler instanceof FlowHmcSampler hmc
                ? TrustChecks.forFlowHmc(ws.flow().theory(), ws.program().names(), report, samples.count(), samples.acceptance(),
                        hmc.largestEnergyChange(), stepSize, mdSteps)
                : TrustChecks.forFlowSamples(ws.flow().theory(), ws.program().names(),
                        report, samples.acceptance(), ess, samples.count(), samples.weighted());
        warnings = IntegrationCheck.addedTo(warnings, ws, run.flow(), seed);
        long trainingStep = checkpoint == null ? -1 : checkpoint.trainingStep();
        Path current = ws.directory().resolve(RunDirectory.CURRENT);
        var result = new SamplingResult(ws.flow().name(), method, seed, samples, ess, report, warnings, trainingStep,
                current.resolve("ensemble.npy"), current.resolve("report"), stepSizeTuning);
        listener.measured(result);
        // Only rank 0 of a distributed run holds the directory; the others have measured the same chain and write nothing.
        if (directory == null) return result;
        // Ensemble, metadata, weights and report are one result: staged completely, then made current in one rename.
        long ensembleStart = System.nanoTime();
        Path staged = arrays.into();
        String integrator = settings.choice("integrator", "leapfrog");
        Artifacts.writeEnsemble(ws, arrays, samples, method, seed, ess, report, trainingStep, samplingSeconds,
                sampler instanceof FlowHmcSampler ? flowHmcRecord(integrator, stepSize, mdSteps, stepSizeTuning) : Map.of());
        var description = RunDescriptions.flow(ws, checkpoint, history,
                new RunDescriptions.FlowSampling(method, samples.weighted(), seed, count, batch, thermalize, precision, samplingSeconds,
                        sampler instanceof FlowHmcSampler ? trajectory(integrator, stepSize, mdSteps, stepSizeTuning) : Map.of()));
        long reportStart = System.nanoTime();
        Artifacts.writeReport(ws, staged, samples, ess, result.essError(), report, description);
        directory.commit(staged);
        if (Boolean.getBoolean(PHASES_PROPERTY)) {
            // from the JVM's start: what the user waited for before the first proposal, then each part after it
            double total = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
            double afterDraw = (System.nanoTime() - measureStart) / 1e9;
            System.err.printf(java.util.Locale.ROOT, "phases: start %.2f s, drawing %.2f s, measurements %.2f s, ensemble %.2f s,"
                    + " report %.2f s (JVM uptime %.2f s)%n", total - afterDraw - samplingSeconds, samplingSeconds,
                    (measured - measureStart) / 1e9, (reportStart - ensembleStart) / 1e9, (System.nanoTime() - reportStart) / 1e9, total);
        }
        return result;
    }

    /**
     * How flow-HMC integrated, for the run's description, under the names the `hmc` run's uses;
     * {@code stepSize} is the kept chain's, and a tuned one says from where and to what.
     */
    private static Map<String, String> trajectory(String integrator, double stepSize, int mdSteps, SamplingResult.StepSizeTuning tuning) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        out.put("integrator", integrator);
        out.put("step size", Double.toString(stepSize));
        out.put("md steps", Integer.toString(mdSteps));
        if (tuning != null) {
            out.put("target acceptance", Double.toString(tuning.targetAcceptance()));
            out.put("step size tuned from", Double.toString(tuning.initialStepSize()) + " (dual averaging over the "
                    + tuning.trajectories() + " thermalization trajectories)");
        }
        return out;
    }

    /** The same, for the ensemble's metadata ({@code run.flow_hmc}): the kept chain's step size and, where tuned, the tuning. */
    private static Map<String, Object> flowHmcRecord(String integrator, double stepSize, int mdSteps, SamplingResult.StepSizeTuning tuning) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("integrator", integrator);
        out.put("step_size", stepSize);
        out.put("md_steps", mdSteps);
        if (tuning != null) {
            out.put("target_acceptance", tuning.targetAcceptance());
            out.put("initial_step_size", tuning.initialStepSize());
        }
        return out;
    }

    /**
     * Where the theory's ln Z is known exactly (2D SU(N) tori), the report gains the row
     * {@code exact_kl}: KL(q‖p) = E_q[log q + S] + ln Z over the independent proposals, whose log
     * weights are −(log q + S), with its standard error — how far the trained flow is from the
     * target, on an absolute scale (0 for a perfect flow), unlike the loss, which is shifted by ln Z.
     */
    static Measurements.Report withExactKl(org.equiflow.compiler.model.TheoryInstance theory, Measurements.Report report, double[] logWeights) {
        if (!(ExactAnswers.of(theory) instanceof ExactAnswers.Known known)) return report;
        var logZ = known.answer().logPartitionFunction();
        // one proposal has no error bar; the row needs two
        if (logZ.isEmpty() || logWeights.length < 2) return report;
        double[] logQPlusAction = new double[logWeights.length];
        for (int i = 0; i < logWeights.length; i++) logQPlusAction[i] = -logWeights[i];
        // the proposals are independent: bins of one
        var estimate = org.equiflow.stats.Jackknife.mean(logQPlusAction, 1);
        double mean = estimate.value();
        List<Measurements.Result> results = new ArrayList<>(report.results());
        results.add(new Measurements.Result("exact_kl", mean + logZ.getAsDouble(), estimate.error(), 1.0));
        List<String> notes = new ArrayList<>(report.notes());
        notes.add(String.format(java.util.Locale.ROOT, "exact_kl = E_q[log q + S] + ln Z over %d independent proposals: E_q[log q + S] = %.4f,"
                + " ln Z = %.4f (%s; Haar measure of mass one per link)", logWeights.length, mean, logZ.getAsDouble(), known.answer().description()));
        return new Measurements.Report(results, report.correlator(), report.profiles(), report.series(), notes);
    }

    /**
     * A proposal whose log q or action is not finite has no weight: nothing measured from the
     * sample would be exact, so the run stops and says what to change (nothing is written).
     */
    static void requireFiniteLogWeights(double[] logWeights, Precision precision) {
        int bad = 0, first = -1;
        for (int i = 0; i < logWeights.length; i++) {
            if (!Double.isFinite(logWeights[i])) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (bad == 0) return;
        throw new RunFailure("the flow gave " + bad + " of " + logWeights.length + " proposals a log-density or action that is not a finite number"
                + " (the first: proposal " + first + ", log weight " + logWeights[first] + "), so the sample cannot be reweighted exactly; nothing was written"
                + "\n   help: " + (precision == Precision.F32
                        ? "train and sample in float64 (`precision f64` in the `train` block, or --precision f64 when training): float32 rounding"
                                + " is the usual cause, for example in SU(N) flows near degenerate eigenvalues"
                        : "train further or with a lower learning rate; check the training log for a diverging loss"));
    }

    /** How much a sampling run draws: the chain length and the proposals per batch, from the options or the script's `sample` block. */
    record Size(int count, int batch) {
        static Size of(Workspace ws, SamplingOptions o) {
            var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
            int count = Limits.intRange(Limits.source(o.count(), "--count", "sample", "count"), settings.integer("count", o.count(), 4096),
                    1, Limits.MAX_COUNT);
            int batch = (int) Math.min(count, Limits.range(Limits.source(o.batch(), "--sample-batch", "sample", "batch"),
                    o.batch() != null ? o.batch() : settings.integer("batch", null, 1024), 1, Limits.MAX_BATCH));
            return new Size(count, batch);
        }

        /** Refuses a sampling run the heap cannot hold; {@code smaller} names what the user can shrink. */
        void requireMemory(Workspace ws, String smaller) {
            MemoryEstimate.require(MemoryEstimate.sampling(ws.flow(), count, batch), "sampling " + count + " configurations of "
                    + ws.flow().name(), smaller);
        }
    }

    /** There is nothing to sample: which run to train, and which runs trained with overrides are there instead. */
    static RunFailure noTrainedFlow(Workspace ws) throws IOException {
        StringBuilder message = new StringBuilder("no trained flow at " + ws.checkpoint());
        message.append("\n   help: train it first (`equiflow train ").append(ws.script())
                .append("`), or pass --untrained to sample the initial flow");
        // Without overrides the default directory is the parent of every scan point's: say which points were trained.
        try (var entries = Files.isDirectory(ws.directory()) ? Files.list(ws.directory()) : Stream.<Path>empty()) {
            message.append(entries.filter(d -> Files.isRegularFile(d.resolve("checkpoint.eqf"))).sorted()
                    .map(d -> "\n   note: a run trained with --set is at " + d + "; sample it with the same --set values")
                    .collect(Collectors.joining()));
        }
        return new RunFailure(message.toString());
    }
}
