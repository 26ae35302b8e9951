package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.api.Flow;
import org.equiflow.api.Precision;
import org.equiflow.api.SamplingListener;
import org.equiflow.api.SamplingOptions;
import org.equiflow.api.SamplingResult;
import org.equiflow.io.HtmlReport;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow sample FILE`: exact samples from a trained flow (a Metropolis chain or weighted proposals), measured, saved as NumPy. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a trained flow exactly — independence Metropolis, reweighting of independent proposals, or flow-HMC in the flow's latent space — and measure; settings from the script's `sample` block.")
final class SampleCommand implements Callable<Integer> {
    /** Longer profiles (G(x) at every displacement) go to the report's CSV only. */
    private static final int MAX_PRINTED_PROFILE = 32;

    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin SamplingFlags sampling = new SamplingFlags();
    @Option(names = "--precision", paramLabel = "f32|f64", description = "Floating-point precision of the flow's tensors"
            + " (default: the one the run was trained in, which is the only one accepted).") String precision;
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Mixin DistributedOptions distributed = new DistributedOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    static final class SamplingFlags {
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

        SamplingOptions options() { return options(null); }

        SamplingOptions options(Precision precision) { return new SamplingOptions(count, batch, seed, untrained, precision); }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        var checks = new OptionChecks(spec);
        sampling.validate(checks);
        Precision chosen = checks.precision(precision);
        // Rank 0 speaks for the job; the others draw their share of every batch silently beside it.
        return distributed.runAsRank(out, err, device,
                description -> "sampling on " + description + ", each drawing a share of every batch of proposals",
                (job, rankOut, rankErr) -> {
            Flow flow = diagnostics.openFlow(file, sampling.flow, sampling.out, false, rankErr);
            if (flow == null) return 1;
            return report(flow.sample(sampling.options(chosen), new Printer(rankOut, rankErr, sampling.noProgress || job.rank() != 0), job),
                    rankOut);
        });
    }

    /** Where the committed result is; the measurements were printed before it was written. */
    static int report(SamplingResult sampled, PrintWriter out) {
        out.println("ensemble: " + sampled.ensemble() + " (+ .json metadata); report: " + sampled.reportDirectory().resolve(HtmlReport.FILE));
        out.flush();
        return 0;
    }

    /** Sampling as it runs: what is drawn, a progress bar, then the measurements and what to distrust in them. */
    static final class Printer implements SamplingListener {
        private final PrintWriter out, err;
        private final boolean noProgress;
        private ProgressBar bar;

        Printer(PrintWriter out, PrintWriter err, boolean noProgress) {
            this.out = out;
            this.err = err;
            this.noProgress = noProgress;
        }

        @Override
        public void started(Start s) {
            // flow_hmc's chain is made of trajectories, not of proposals
            String steps = s.method().equals("flow_hmc") ? " trajectories" : " proposals";
            out.println("sampling " + s.flow() + ": " + s.count() + steps + (s.thermalize() > 0 ? " after " + s.thermalize() + " discarded" : "")
                    + ", " + s.method() + ", seed " + s.seed());
            out.flush();
            bar = ProgressBars.open("sample", s.count(), 0, noProgress);
        }

        @Override
        public void progress(int done) {
            if (bar != null) bar.stepTo(done);
        }

        @Override
        public void ended() {
            if (bar != null) bar.close();
            bar = null;
        }

        @Override
        public void measured(SamplingResult r) {
            var report = r.report();
            out.println();
            if (r.weighted()) out.printf("reweighting: ESS %.4f ± %.4f   (%d proposals; estimates are weighted averages)%n", r.ess(), r.essError(), r.count());
            else if (r.method().equals("flow_hmc")) {
                // the start as the script wrote it
                r.stepSizeTuning().ifPresent(t -> out.printf("step size tuned to %.4g (target acceptance %.2f; from %s over the %d thermalization"
                        + " trajectories, then kept fixed)%n", t.tunedStepSize(), t.targetAcceptance(), t.initialStepSize(), t.trajectories()));
                out.printf("acceptance %.4f   (%d trajectories)   flow ESS %.4f   (of %d independent proposals, for the record)%n", r.acceptance(),
                        r.count(), r.ess(), r.samples().proposalLogWeights().length);
            }
            else out.printf("acceptance %.4f   ESS %.4f ± %.4f   (%d proposals)%n", r.acceptance(), r.ess(), r.essError(), r.count());
            printResults(out, report.results());
            for (var profile : report.profiles()) {
                out.println();
                if (profile.value().length > MAX_PRINTED_PROFILE) {
                    out.printf("%s at all %d displacements: %s%n", profile.name(), profile.value().length, r.profileFile(profile));
                    continue;
                }
                out.println("| x | " + profile.name() + " | error |");
                out.println("|---|---|---|");
                for (int i = 0; i < profile.value().length; i++) {
                    out.printf("| %s | %.6g | %.2g |%n", displacementLabel(profile.displacements()[i]), profile.value()[i], profile.error()[i]);
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
            TrustChecks.print(r.warnings(), err);
        }
    }

    /** (1, 0, 2) for a displacement of 1 along axis 0 and 2 along axis 2. */
    static String displacementLabel(int[] displacement) {
        StringBuilder label = new StringBuilder("(");
        for (int d = 0; d < displacement.length; d++) label.append(d == 0 ? "" : ", ").append(displacement[d]);
        return label.append(')').toString();
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
