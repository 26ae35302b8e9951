package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.equiflow.compiler.ast.Item;
import org.equiflow.physics.Measurements;
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
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    static final class SamplingOptions {
        @Option(names = "--flow", paramLabel = "NAME", description = "The flow (default: the script's first).") String flow;
        @Option(names = "--count", description = "Chain length (default: the script's, else 4096).") Long count;
        @Option(names = "--sample-batch", description = "Proposals drawn per batch (default: 1024).") Long batch;
        @Option(names = "--sample-seed", description = "Seed of proposals and accept/reject (default: the script's, else 1).") Long seed;
        @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<script>/<flow>).") Path out;
        @Option(names = "--untrained", description = "Sample the flow at its initial parameters (exact all the same, just slow to mix).") boolean untrained;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        device.activate(err);
        Workspace ws = Workspace.open(file, sampling.flow, sampling.out, diagnostics, err);
        if (ws == null) return 1;
        return sample(ws, sampling, out, err);
    }

    static int sample(Workspace ws, SamplingOptions o, PrintWriter out, PrintWriter err) throws Exception {
        var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
        int count = (int) settings.integer("count", o.count, 4096);
        int batch = (int) Math.min(count, o.batch != null ? o.batch : settings.integer("batch", null, 1024));
        long seed = settings.integer("seed", o.seed, 1);
        String method = settings.choice("method", "independence_metropolis");
        int thermalize = (int) settings.integer("thermalize", null, 0);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.addAll(List.of("acceptance", "ess"));
        var flow = new CompiledFlow(ws.ir(), DType.F32, 0);
        if (!o.untrained) {
            if (!Files.exists(ws.checkpoint())) {
                err.println("error: no trained flow at " + ws.checkpoint());
                err.println("   help: train it first (`equiflow train " + ws.script() + "`), or pass --untrained to sample the initial flow");
                return 1;
            }
            Artifacts.loadCheckpoint(ws, flow, null);
        }
        out.println("sampling " + ws.flow().name() + ": " + count + " proposals" + (thermalize > 0 ? " after " + thermalize + " discarded" : "")
                + ", " + method + ", seed " + seed);
        out.flush();
        var proposals = new Proposals(flow, seed);
        Artifacts.Samples samples;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("sample").setInitialMax(count).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build()) {
            if (method.equals("reweighting")) {
                samples = Artifacts.Samples.weighted(proposals, count, batch, bar::stepTo);
            } else {
                var chain = IndependenceMetropolis.run(proposals, count, thermalize, batch, seed + 7, bar::stepTo);
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
                        ws.directory().resolve("report").resolve(Artifacts.profileFileName(profile)));
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
        org.equiflow.physics.TrustChecks.print(org.equiflow.physics.TrustChecks.forFlowSamples(ws.flow().theory(), ws.program().names(),
                report, samples.acceptance(), ess, samples.count(), samples.weighted()), err);
        Path ensemble = Artifacts.writeEnsemble(ws, samples, method, seed, ess, report);
        Artifacts.writeReport(ws, samples, ess, report);
        out.println("ensemble: " + ensemble + " (+ .json metadata); report: " + ws.directory().resolve("report"));
        out.flush();
        return 0;
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
