package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.equiflow.optim.Adam;
import org.equiflow.compiler.model.Printer;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.io.AtomicFiles;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.CheckpointException;
import org.equiflow.io.EnsembleMetadata;
import org.equiflow.io.Ensembles;
import org.equiflow.io.Npy;
import org.equiflow.io.ComparisonTable;
import org.equiflow.io.RunDescription;
import org.equiflow.io.RunReport;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.ExactAnswer;
import org.equiflow.physics.ExactAnswers;
import org.equiflow.physics.StandardTheory;
import org.equiflow.sample.Samples;
import org.equiflow.tensor.Tensor;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/** What a run leaves on disk: checkpoints, the metrics history, ensembles and the report. */
final class Artifacts {
    private Artifacts() {}

    record Restored(int step, List<Trainer.Step> history) {}

    /**
     * Saves weights, optimizer state and the run's provenance: its identity, --set values and the
     * {@code training} settings a resumed run reuses.
     */
    static void saveCheckpoint(Workspace ws, CompiledFlow flow, Adam adam, long seed, int step, List<Trainer.Step> history,
                               Map<String, String> training) throws IOException {
        Map<String, double[]> parameters = new LinkedHashMap<>(), first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        Adam.State state = adam.state();
        int i = 0;
        for (var entry : flow.parameters().asMap().entrySet()) {
            Tensor t = entry.getValue();
            double[] values = new double[t.size()];
            for (int k = 0; k < values.length; k++) values[k] = t.get(k);
            parameters.put(entry.getKey(), values);
            shapes.put(entry.getKey(), shapeOf(t));
            first.put(entry.getKey(), state.firstMoments().get(i));
            second.put(entry.getKey(), state.secondMoments().get(i));
            i++;
        }
        var last = history.isEmpty() ? null : history.get(history.size() - 1);
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (last != null) {
            metrics.put("loss", last.loss());
            metrics.put("ess", last.ess());
        }
        var contents = Checkpoint.Contents.of(ws.scriptText(), ws.flow().name(), ws.flow().theory().name(),
                ws.flow().theory().lattice().sizes(), Precision.of(flow.dtype()).label(), seed, step,
                parameters, shapes, new Checkpoint.AdamState(state.step(), first, second, adam.learningRate(), adam.beta1(),
                        adam.beta2(), adam.eps()), metrics).withProvenance(ws.provenance(training));
        // Metrics first: a run killed between the two writes leaves rows beyond the checkpoint's step, which a resumed
        // run drops (readMetrics stops at the checkpoint's step) and recomputes; the other order lost a row.
        writeMetrics(ws, history);
        Checkpoint.save(ws.checkpoint(), contents);
    }

    static int[] shapeOf(Tensor t) {
        return shapeOf(t.shape());
    }

    /** A parameter's shape as checkpoints record it: [batch, channels, L…] (a bias is [1, out]). */
    static int[] shapeOf(org.equiflow.tensor.Shape s) {
        int[] lattice = s.lattice();
        int[] shape = new int[2 + lattice.length];
        shape[0] = s.batch();
        shape[1] = s.channels();
        System.arraycopy(lattice, 0, shape, 2, lattice.length);
        return shape;
    }

    /**
     * Reads the run directory's checkpoint after checking it was trained for what this workspace
     * is (theory with its parameters, flow, nets), naming what differs.
     */
    static Checkpoint.Contents readCheckpoint(Workspace ws) {
        try {
            var c = Checkpoint.load(ws.checkpoint());
            Checkpoint.verifyMatches(c, ws.identity(), ws.scriptText(), ws.flow().name(), ws.flow().theory().lattice().sizes());
            return c;
        } catch (CheckpointException e) {
            throw new RunFailure(e.getMessage());
        }
    }

    /** Loads a checkpoint's weights into the flow (and its moments into the optimizer, when given). */
    static Restored restore(Workspace ws, Checkpoint.Contents c, CompiledFlow flow, Adam adam) throws IOException {
        for (var entry : c.parameters().entrySet()) {
            try {
                flow.parameters().assign(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new RunFailure("checkpoint " + ws.checkpoint() + " does not fit this flow: " + e.getMessage()
                        + "; retrain, or restore the script the checkpoint was trained with");
            }
        }
        if (adam != null) {
            List<double[]> first = new ArrayList<>(), second = new ArrayList<>();
            for (String name : flow.parameterNames()) {
                first.add(c.adam().firstMoments().get(name));
                second.add(c.adam().secondMoments().get(name));
            }
            adam.restore(new Adam.State(c.adam().step(), first, second));
        }
        return new Restored((int) c.trainingStep(), readMetrics(ws, (int) c.trainingStep()));
    }

    private static Path metricsFile(Workspace ws) { return ws.directory().resolve("metrics.csv"); }

    static void writeMetrics(Workspace ws, List<Trainer.Step> history) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Trainer.Step s : history) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", s.step() + 1);
            row.put("loss", s.loss());
            row.put("ess", s.ess());
            row.put("acceptance", s.acceptance());
            row.put("grad_norm", s.gradNorm());
            row.put("clipped", s.clipped() ? 1 : 0);
            // Last, so that comparisons of runs can drop the one column that is not reproducible.
            row.put("seconds", s.seconds());
            rows.add(row);
        }
        AtomicFiles.write(metricsFile(ws), RunReport.csv(rows).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The history up to the checkpoint's step, so a resumed run's metrics continue where they stopped. */
    private static List<Trainer.Step> readMetrics(Workspace ws, int upTo) throws IOException {
        List<Trainer.Step> history = new ArrayList<>();
        if (!Files.exists(metricsFile(ws))) return history;
        // Our own file of numbers: step, loss, ess, acceptance, grad_norm, clipped, seconds (the header is the first line);
        // runs from before the gradient norm was recorded have step, loss, ess, acceptance, seconds.
        List<String> lines = Files.readAllLines(metricsFile(ws));
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] cells = line.split(",");
            int step = Integer.parseInt(cells[0]);
            if (step > upTo) break;
            boolean withNorm = cells.length >= 7;
            history.add(new Trainer.Step(step - 1, Double.parseDouble(cells[1]), Double.parseDouble(cells[2]),
                    Double.parseDouble(cells[3]), Double.parseDouble(cells[withNorm ? 6 : 4]),
                    withNorm ? Double.parseDouble(cells[4]) : Double.NaN, withNorm && cells[5].equals("1")));
        }
        return history;
    }

    /**
     * The arrays of a flow's ensemble — the configurations, and the log weights of reweighted proposals (only meaningful
     * with them, saved beside in the same order) — being written into a staged result directory on a thread of their
     * own. They need no measurement, so the disk works while the measurements and the report take the CPU; at a million
     * configurations the array is hundreds of MB, and writing it took as long as measuring the chain.
     */
    static final class EnsembleArrays {
        private final Path into;
        private final int[] shape;
        private final FutureTask<Path> write;

        private EnsembleArrays(Path into, int[] shape, FutureTask<Path> write) {
            this.into = into;
            this.shape = shape;
            this.write = write;
        }

        /** Starts writing a flow's {@code samples} into {@code into}, a staged result directory. */
        static EnsembleArrays start(Workspace ws, Path into, Samples samples) {
            return start(into, samples.configs(), ensembleShape(ws.flow().theory(), samples.count()),
                    samples.weighted() ? samples.proposalLogWeights() : null);
        }

        /** Starts writing {@code configs} of {@code shape}, and {@code logWeights} beside them unless null, into {@code into}. */
        static EnsembleArrays start(Path into, float[] configs, int[] shape, double[] logWeights) {
            var write = new FutureTask<Path>(() -> {
                if (logWeights != null) Npy.write(into.resolve("ensemble_log_weights.npy"), logWeights, shape[0]);
                return Ensembles.writeArray(into, "ensemble", configs, shape);
            });
            Thread.ofPlatform().name("equiflow-ensemble-writer").daemon().start(write);
            return new EnsembleArrays(into, shape, write);
        }

        Path into() { return into; }

        /**
         * The staged result will not be committed (the run failed after the draw): waits for the arrays to finish or
         * fail, then removes the directory; what goes wrong on the way is added to {@code failure} as suppressed.
         */
        void discard(RunDirectory directory, Throwable failure) {
            try {
                await();
            } catch (IOException | RuntimeException writeFailed) {
                failure.addSuppressed(writeFailed);
            }
            try {
                directory.discard(into);
            } catch (IOException notRemoved) {
                // the next command on this directory removes it (RunDirectory.open)
                failure.addSuppressed(notRemoved);
            }
        }

        /**
         * Once the arrays are complete on disk (what the write threw, else), the sidecar beside them, describing the
         * shape they were written with; returns the array's path.
         */
        Path completeWith(EnsembleMetadata meta, Map<String, Object> run) throws IOException {
            Path array = await();
            Ensembles.writeSidecar(array, shape, meta, run);
            return array;
        }

        /** The array's path once both files are complete on disk; what the write threw, else. */
        private Path await() throws IOException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return write.get();
                    } catch (InterruptedException e) {
                        // The files must be complete (or failed) before the caller commits or discards the directory.
                        interrupted = true;
                    }
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException runtime) throw runtime;
                if (e.getCause() instanceof Error error) throw error;
                throw new IOException(e.getCause());
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Completes a flow's ensemble in the staged result directory that {@code arrays} is writing into: waits for its
     * arrays, then writes the metadata sidecar beside them. {@code trainingStep} is the checkpoint's step (−1: untrained
     * flow). {@code flowHmc} is flow-HMC's trajectory, recorded as {@code run.flow_hmc} (empty for the other samplers).
     */
    static Path writeEnsemble(Workspace ws, EnsembleArrays arrays, Samples samples, String method, long seed, double ess,
                              Measurements.Report report, long trainingStep, double samplingSeconds,
                              Map<String, Object> flowHmc) throws IOException {
        var theory = ws.flow().theory();
        var meta = new EnsembleMetadata(theory.name(), theory.parameters(), theory.lattice().sizes(), theory.field().toString(),
                ws.flow().name(), ws.script().toString(), Checkpoint.sha256Hex(ws.scriptText()), seed, method, samples.count(),
                samples.acceptance(), ess, Instant.now(), version(), observablesOf(report));
        // Which trained run this ensemble came from, so a reader can tell results of different runs apart.
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("identity_sha256", ws.identity().identitySha256());
        run.put("overrides", new TreeMap<>(ws.overrides()));
        run.put("training_step", trainingStep);
        double trainingSeconds = 0;
        for (Trainer.Step step : readMetrics(ws, Integer.MAX_VALUE)) trainingSeconds += step.seconds();
        // flow_hmc's trajectories (empty for the other samplers): with a tuned step size, the one the kept chain used
        if (!flowHmc.isEmpty()) run.put("flow_hmc", flowHmc);
        describeTheory(run, theory, trainingStep < 0 ? 0 : trainingSeconds, samplingSeconds);
        return arrays.completeWith(meta, run);
    }

    /**
     * Completes HMC's ensemble in the staged result directory {@code arrays} is writing into: its metadata, once the
     * array is on disk. The
     * sampler is {@code hmc}, there is no flow, and the sidecar's "run" holds the settings that
     * reproduce the chains. The array is chain-major, as {@link HmcResult#configs()}.
     */
    static Path writeHmcEnsemble(Session session, HmcRun.Plan plan, EnsembleArrays arrays, HmcResult result, double samplingSeconds)
            throws IOException {
        var theory = plan.theory();
        var meta = new EnsembleMetadata(theory.name(), theory.parameters(), theory.lattice().sizes(), theory.field().toString(), null,
                session.scriptName(), Checkpoint.sha256Hex(session.scriptText()), plan.seed(), HmcRun.METHOD, result.samples(),
                result.acceptance(), Double.NaN, Instant.now(), version(), observablesOf(result.report()));
        Map<String, Object> hmc = new LinkedHashMap<>();
        hmc.put("integrator", plan.integrator().name().toLowerCase(java.util.Locale.ROOT));
        hmc.put("step_size", plan.stepSize());
        hmc.put("md_steps", plan.mdSteps());
        hmc.put("trajectories", plan.trajectories());
        hmc.put("thermalize", plan.thermalize());
        hmc.put("seed", plan.seed());
        hmc.put("chains", plan.chains());
        hmc.put("order", "chain-major: sample c * trajectories + t is trajectory t of chain c");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("overrides", new TreeMap<>(session.overrides()));
        run.put("hmc", hmc);
        describeTheory(run, theory, 0, samplingSeconds);
        return arrays.completeWith(meta, run);
    }

    /** Keys of the sidecar's "run" section that {@link Comparison} reads: which distribution was sampled, and at what cost. */
    static final String THEORY_SHA256 = "theory_sha256", THEORY_DEFINITION = "theory_definition", STANDARD_THEORY = "standard_theory",
            TRAINING_SECONDS = "training_seconds", SAMPLING_SECONDS = "sampling_seconds";
    /** The report's G(t) table, one row per t. */
    static final String CORRELATOR_CSV = "correlator.csv";

    /**
     * What a comparison of runs needs in the "run" section: the canonical theory definition and its
     * hash (runs of one distribution have equal hashes), the standard theory it is (for exact
     * answers), and the wall seconds spent training the flow (0 for HMC or an untrained flow; a
     * resumed run counts every recorded step) and drawing the samples (measurements excluded).
     */
    private static void describeTheory(Map<String, Object> run, TheoryInstance theory, double trainingSeconds, double samplingSeconds) {
        String definition = Printer.theoryDefinition(theory);
        run.put(THEORY_SHA256, Checkpoint.sha256Hex(definition));
        run.put(THEORY_DEFINITION, definition);
        StandardTheory.of(theory).ifPresent(standard -> run.put(STANDARD_THEORY, standard.qualifiedName()));
        run.put(TRAINING_SECONDS, trainingSeconds);
        run.put(SAMPLING_SECONDS, samplingSeconds);
    }

    /**
     * The ensemble array's shape: [count, L0, …], with the direction axis [count, d, L0, …] of a link field, as the flow's input;
     * SU(N) links [count, d, N, N, 2, L0, …] (row, column, real/imaginary part: the packed channels unfolded).
     */
    static int[] ensembleShape(TheoryInstance theory, int count) {
        List<Integer> lattice = theory.lattice().sizes();
        int n = theory.field().n();
        int[] fieldAxes = switch (theory.field().kind()) {
            case REAL -> new int[0];
            case U1 -> new int[] {lattice.size()};
            case SUN -> new int[] {lattice.size(), n, n, 2};
        };
        int axis = fieldAxes.length;
        int[] shape = new int[1 + axis + lattice.size()];
        shape[0] = count;
        System.arraycopy(fieldAxes, 0, shape, 1, axis);
        for (int d = 0; d < lattice.size(); d++) shape[d + 1 + axis] = lattice.get(d);
        return shape;
    }

    private static Map<String, Object> observablesOf(Measurements.Report report) {
        Map<String, Object> observables = new LinkedHashMap<>();
        for (var r : report.results()) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("value", r.value());
            value.put("error", r.error());
            if (!Double.isNaN(r.tauInt())) value.put("tau_int", r.tauInt());
            observables.put(r.name(), value);
        }
        return observables;
    }

    static String version() {
        String version = Artifacts.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    /** Writes the report into {@code into}/report, a staged result directory. */
    static void writeReport(Workspace ws, Path into, Samples samples, double ess, double essError, Measurements.Report report, RunDescription description)
            throws IOException {
        List<Map<String, Object>> training = new ArrayList<>();
        if (Files.exists(metricsFile(ws))) {
            for (Trainer.Step s : readMetrics(ws, Integer.MAX_VALUE)) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put(RunReport.STEP, s.step() + 1);
                row.put(RunReport.LOSS, s.loss());
                row.put(RunReport.ESS, s.ess());
                row.put(RunReport.ACCEPTANCE, s.acceptance());
                training.add(row);
            }
        }
        List<Map<String, Object>> sampler = new ArrayList<>();
        if (!samples.weighted()) sampler.add(row("acceptance", samples.acceptance(), Double.NaN, Double.NaN));
        sampler.add(row("ess", ess, essError, Double.NaN));
        writeReportDirectory(into, ws.flow().theory(), description, training, sampler, report);
    }

    /**
     * Writes HMC's report into {@code into}/report, a staged result directory: the same tables and
     * plots as a flow's chain (no training), and trajectories.csv with each measured trajectory's
     * acceptance and largest |ΔH| over the chains.
     */
    static void writeHmcReport(Path into, TheoryInstance theory, HmcResult result, List<Map<String, Object>> trajectories,
                               RunDescription description) throws IOException {
        List<Map<String, Object>> sampler = List.of(row("acceptance", result.acceptance(), Double.NaN, Double.NaN));
        Path reportDirectory = writeReportDirectory(into, theory, description, List.of(), sampler, result.report());
        AtomicFiles.write(reportDirectory.resolve(HmcRun.TRAJECTORIES),
                RunReport.csv(trajectories).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The report of a result: the sampler's rows, every measured observable, profiles as CSV, correlator, plots and index.html. */
    private static Path writeReportDirectory(Path into, TheoryInstance theory, RunDescription description, List<Map<String, Object>> training,
                                             List<Map<String, Object>> sampler, Measurements.Report report) throws IOException {
        List<Map<String, Object>> observables = new ArrayList<>();
        for (var r : report.results()) observables.add(row(r.name(), r.value(), r.error(), r.tauInt()));
        RunReport.Correlator correlator = null;
        if (report.correlator() != null) {
            var c = report.correlator();
            double[] t = new double[c.value().length];
            for (int i = 0; i < t.length; i++) t[i] = i;
            correlator = new RunReport.Correlator(t, c.value(), c.error(), c.effectiveMass(), c.effectiveMassError());
        }
        List<RunReport.Profile> profiles = report.profiles().stream().map(p -> new RunReport.Profile(profileFileName(p), p.name(),
                p.displacements(), p.value(), p.error())).toList();
        Path reportDirectory = into.resolve("report");
        Files.createDirectories(reportDirectory);
        if (report.correlator() != null) writeCorrelator(reportDirectory.resolve(CORRELATOR_CSV), report.correlator());
        new RunReport(description, training, sampler, observables, report.series(), correlator, profiles,
                exactComparison(theory, report), report.notes()).write(reportDirectory);
        return reportDirectory;
    }

    /**
     * The report's comparison with the exact answer, where the theory has one ({@link ExactAnswers}): every
     * measured row it claims, then G(t) per t; none otherwise. Pulls are (value − exact)/error.
     */
    static List<ComparisonTable> exactComparison(TheoryInstance theory, Measurements.Report report) {
        if (!(ExactAnswers.of(theory) instanceof ExactAnswers.Known known)) return List.of();
        ExactAnswer exact = known.answer();
        List<ComparisonTable.Row> rows = new ArrayList<>();
        for (var r : report.results()) {
            Double value = exact.values().get(r.name());
            if (value != null) rows.add(new ComparisonTable.Row(r.name(), r.value(), r.error(), value, 0, (r.value() - value) / r.error()));
        }
        double[] g = exact.correlator();
        if (report.correlator() != null && g.length == report.correlator().value().length) {
            var c = report.correlator();
            for (int t = 0; t < g.length; t++) {
                rows.add(new ComparisonTable.Row("G(" + t + ")", c.value()[t], c.error()[t], g[t], 0, (c.value()[t] - g[t]) / c.error()[t]));
            }
        }
        return rows.isEmpty() ? List.of() : List.of(new ComparisonTable("exact", "the exact answer: " + exact.description(), rows));
    }

    static String profileFileName(Measurements.Profile profile) {
        return profile.key() + ".csv";
    }

    /** One row per t: t, value, error, tau_int, effective_mass, effective_mass_error (NaN where undefined or not applicable). */
    private static void writeCorrelator(Path file, Measurements.Correlator correlator) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int t = 0; t < correlator.value().length; t++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("t", t);
            row.put(RunReport.VALUE, correlator.value()[t]);
            row.put(RunReport.ERROR, correlator.error()[t]);
            row.put("tau_int", correlator.tauInt()[t]);
            row.put("effective_mass", correlator.effectiveMass()[t]);
            row.put("effective_mass_error", correlator.effectiveMassError()[t]);
            rows.add(row);
        }
        AtomicFiles.write(file, RunReport.csv(rows).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Map<String, Object> row(String name, double value, double error, double tauInt) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("observable", name);
        row.put(RunReport.VALUE, value);
        if (!Double.isNaN(error)) row.put(RunReport.ERROR, error);
        row.put("tau_int", Double.isNaN(tauInt) ? "–" : String.format("%.2f", tauInt));
        return row;
    }
}
