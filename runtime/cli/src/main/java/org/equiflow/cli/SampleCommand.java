package org.equiflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.compiler.ast.Item;
import org.equiflow.io.Checkpoint;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.IndependenceMetropolis;
import org.equiflow.sample.Proposals;
import org.equiflow.stats.Reweighting;
import org.equiflow.tensor.DType;
import org.equiflow.truffle.CompiledFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow sample FILE`: exact samples from a trained flow (a Metropolis chain or weighted proposals), measured, saved as NumPy. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained flow exactly — independence Metropolis, or reweighting of independent proposals — and measure; settings from the script's `sample` block.")
final class SampleCommand implements Callable<Integer> {
    /** Longer profiles (G(x) at every displacement) go to the report's CSV only. */
    private static final int MAX_PRINTED_PROFILE = 32;

    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin SamplingOptions sampling = new SamplingOptions();
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    static final class SamplingOptions {
        @Option(names = "--flow", paramLabel = "NAME", description = "The flow (default: the script's first).") String flow;
        @Option(names = "--count", description = "Chain length, 1 to " + OptionChecks.MAX_COUNT + " (default: the script's, else 4096).") Long count;
        @Option(names = "--sample-batch", description = "Proposals drawn per batch, 1 to " + OptionChecks.MAX_BATCH + " (default: 1024).") Long batch;
        @Option(names = "--sample-seed", description = "Seed of proposals and accept/reject (default: the script's, else 1).") Long seed;
        @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<script>/<flow>).") Path out;
        @Option(names = "--untrained", description = "Sample the flow at its initial parameters (exact all the same, just slow to mix).") boolean untrained;
        @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;

        void validate(OptionChecks checks) {
            if (count != null) checks.range("--count", count, 1, OptionChecks.MAX_COUNT);
            if (batch != null) checks.range("--sample-batch", batch, 1, OptionChecks.MAX_BATCH);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        device.activate(err);
        var checks = new OptionChecks(spec);
        sampling.validate(checks);
        Workspace ws = Workspace.open(file, sampling.flow, sampling.out, diagnostics, false, err);
        if (ws == null) return 1;
        // Nothing to sample: say so without creating (and locking) a run directory for nothing.
        if (!sampling.untrained && !Files.exists(ws.checkpoint())) return noTrainedFlow(ws, err);
        try (RunDirectory directory = RunDirectory.open(ws.directory())) {
            return sample(ws, directory, sampling, checks, out, err);
        }
    }

    static int sample(Workspace ws, RunDirectory directory, SamplingOptions o, OptionChecks checks, PrintWriter out, PrintWriter err)
            throws Exception {
        var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
        var size = Size.of(ws, o, checks);
        int count = size.count(), batch = size.batch();
        long seed = settings.integer("seed", o.seed, 1);
        String method = settings.choice("method", "independence_metropolis");
        int thermalize = checks.intRange(OptionChecks.source(null, "--thermalize", "sample", "thermalize"),
                settings.integer("thermalize", null, 0), 0, OptionChecks.MAX_COUNT - count);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.addAll(List.of("acceptance", "ess"));
        // A trained flow is there: `sample` checked before locking the directory, `run` has just trained it.
        Checkpoint.Contents checkpoint = o.untrained ? null : Artifacts.readCheckpoint(ws);
        size.requireMemory(ws, "a smaller --count or --sample-batch");
        var flow = new CompiledFlow(ws.ir(), DType.F32, 0);
        if (checkpoint != null) Artifacts.restore(ws, checkpoint, flow, null);
        out.println("sampling " + ws.flow().name() + ": " + count + " proposals" + (thermalize > 0 ? " after " + thermalize + " discarded" : "")
                + ", " + method + ", seed " + seed);
        out.flush();
        var proposals = new Proposals(flow, seed);
        Artifacts.Samples samples;
        try (ProgressBar bar = ProgressBars.open("sample", count, 0, o.noProgress)) {
            IntConsumer progress = bar == null ? done -> {} : bar::stepTo;
            if (method.equals("reweighting")) {
                samples = Artifacts.Samples.weighted(proposals, count, batch, progress);
            } else {
                var chain = IndependenceMetropolis.run(proposals, count, thermalize, batch, seed + 7, progress);
                samples = Artifacts.Samples.chain(chain);
            }
        }
        double ess = Reweighting.ess(samples.proposalLogWeights());
        var report = Measurements.measure(ws.flow().theory(), ws.program().names(), samples.configs(), samples.count(), measure,
                samples.weighted() ? samples.proposalLogWeights() : null);
        out.println();
        if (samples.weighted()) out.printf("reweighting: ESS %.4f   (%d proposals; estimates are weighted averages)%n", ess, samples.count());
        else out.printf("acceptance %.4f   ESS %.4f   (%d proposals)%n", samples.acceptance(), ess, samples.count());
        printResults(out, report.results());
        for (var profile : report.profiles()) {
            out.println();
            if (profile.value().length > MAX_PRINTED_PROFILE) {
                out.printf("%s at all %d displacements: %s%n", profile.name(), profile.value().length,
                        ws.directory().resolve(RunDirectory.CURRENT).resolve("report").resolve(Artifacts.profileFileName(profile)));
                continue;
            }
            out.println("| x | " + profile.name() + " | error |");
            out.println("|---|---|---|");
            for (int i = 0; i < profile.value().length; i++) {
                out.printf("| %s | %.6g | %.2g |%n", Artifacts.displacementLabel(profile.displacements()[i]), profile.value()[i], profile.error()[i]);
            }
        }
        if (report.correlator() != null) {
            var g = report.correlator();
            out.println();
            out.println("| t | G(t) | error | m_eff(t) | error |");
            out.println("|---|---|---|---|---|");
            for (int t = 0; t < g.value().length; t++) {
                out.printf("| %d | %.6g | %.2g | %.4g | %.2g |%n", t, g.value()[t], g.error()[t], g.effectiveMass()[t], g.effectiveMassError()[t]);
            }
        }
        report.notes().forEach(n -> out.println("note: " + n));
        out.flush();
        TrustChecks.print(TrustChecks.forFlowSamples(ws.flow().theory(), ws.program().names(),
                report, samples.acceptance(), ess, samples.count(), samples.weighted()), err);
        // Ensemble, metadata, weights and report are one result: staged completely, then made current in one rename.
        Path staged = directory.stage();
        Artifacts.writeEnsemble(ws, staged, samples, method, seed, ess, report, checkpoint == null ? -1 : checkpoint.trainingStep());
        Artifacts.writeReport(ws, staged, samples, ess, report);
        directory.commit(staged);
        Path result = ws.directory().resolve(RunDirectory.CURRENT);
        out.println("ensemble: " + result.resolve("ensemble.npy") + " (+ .json metadata); report: " + result.resolve("report"));
        out.flush();
        return 0;
    }

    /** How much a sampling run draws: the chain length and the proposals per batch, from the flags or the script's `sample` block. */
    record Size(int count, int batch) {
        static Size of(Workspace ws, SamplingOptions o, OptionChecks checks) {
            var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
            int count = checks.intRange(OptionChecks.source(o.count, "--count", "sample", "count"), settings.integer("count", o.count, 4096),
                    1, OptionChecks.MAX_COUNT);
            int batch = (int) Math.min(count, checks.range(OptionChecks.source(o.batch, "--sample-batch", "sample", "batch"),
                    o.batch != null ? o.batch : settings.integer("batch", null, 1024), 1, OptionChecks.MAX_BATCH));
            return new Size(count, batch);
        }

        /** Refuses a sampling run the heap cannot hold; {@code smaller} names what the user can shrink. */
        void requireMemory(Workspace ws, String smaller) {
            MemoryEstimate.require(MemoryEstimate.sampling(ws.flow(), count, batch), "sampling " + count + " configurations of "
                    + ws.flow().name(), smaller);
        }
    }

    private static int noTrainedFlow(Workspace ws, PrintWriter err) throws IOException {
        err.println("error: no trained flow at " + ws.checkpoint());
        err.println("   help: train it first (`equiflow train " + ws.script() + "`), or pass --untrained to sample the initial flow");
        // Without --set the default directory is the parent of every scan point's: say which points were trained.
        try (var entries = Files.isDirectory(ws.directory()) ? Files.list(ws.directory()) : Stream.<Path>empty()) {
            entries.filter(d -> Files.isRegularFile(d.resolve("checkpoint.eqf"))).sorted().forEach(d ->
                    err.println("   note: a run trained with --set is at " + d + "; sample it with the same --set values"));
        }
        err.flush();
        return 1;
    }

    /** The measurements as a markdown table: value, error and τ_int (– where it does not apply). */
    static void printResults(PrintWriter out, List<Measurements.Result> results) {
        out.println("| observable | value | error | tau_int |");
        out.println("|---|---|---|---|");
        for (var r : results) {
            out.printf("| %s | %.6g | %.2g | %s |%n", r.name(), r.value(), r.error(), Double.isNaN(r.tauInt()) ? "–" : String.format("%.2f", r.tauInt()));
        }
    }
}
