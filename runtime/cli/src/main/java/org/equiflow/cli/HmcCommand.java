package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.distributed.Communicator;
import org.equiflow.api.HmcListener;
import org.equiflow.api.HmcOptions;
import org.equiflow.api.ScriptException;
import org.equiflow.api.Session;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.io.HtmlReport;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Hmc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow hmc FILE`: the HMC baseline on a theory's action, measured like a flow's chain. */
@Command(name = "hmc", mixinStandardHelpOptions = true,
        description = "Sample a theory with HMC (the baseline flows are compared with); settings from the script's `hmc` block."
                + " Writes the ensemble and report as `run` does.")
final class HmcCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Option(names = "--theory", paramLabel = "NAME", description = "The theory instance (default: the `hmc` block's, else the first).") String theoryName;
    @Option(names = "--trajectories", description = "Measured trajectories per chain, at least 1 (default: the script's, else 1000).") Long trajectories;
    @Option(names = "--thermalize", description = "Trajectories discarded first, at least 0 (default: the script's, else 200).") Long thermalize;
    @Option(names = "--step-size", description = "Integrator step ε, > 0 (default: the script's, else 0.1).") Double stepSize;
    @Option(names = "--md-steps", description = "Integrator steps per trajectory, at least 1 (default: the script's, else 10).") Long mdSteps;
    @Option(names = "--chains", defaultValue = "" + HmcOptions.DEFAULT_CHAINS, description = "Independent chains run side by side, at least 1 (default: ${DEFAULT-VALUE}).") int chains;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory for the ensemble and report (default: runs/<script>/hmc/<theory>).") Path outDirectory;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;
    @Option(names = "--seed", description = "Seed (default: the script's, else 0).") Long seed;
    @Option(names = "--precision", paramLabel = "f64", description = "HMC integrates in float64 only; --precision f32 is refused.") String precision;
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Mixin DistributedOptions distributed = new DistributedOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        var checks = new OptionChecks(spec);
        checks.range("--chains", chains, 1, OptionChecks.MAX_BATCH);
        if (trajectories != null) checks.range("--trajectories", trajectories, 1, OptionChecks.MAX_COUNT);
        if (thermalize != null) checks.range("--thermalize", thermalize, 0, OptionChecks.MAX_COUNT);
        if (stepSize != null) checks.positive("--step-size", stepSize);
        if (mdSteps != null) checks.range("--md-steps", mdSteps, 1, Integer.MAX_VALUE);
        var chosenPrecision = checks.precision(precision);
        // Rank 0 speaks for the job; the others run their chains silently beside it.
        return distributed.runAsRank(out, err, device,
                description -> "HMC on " + description + ", the " + chains + " chains divided between them",
                (job, rankOut, rankErr) -> hmc(rankOut, rankErr, chosenPrecision, job));
    }

    private int hmc(PrintWriter out, PrintWriter err, org.equiflow.api.Precision chosenPrecision, Communicator job) throws java.io.IOException {
        // HMC samples the theory, not a flow: whether the script's flows respect its symmetries is no concern here
        // (hmc offers no --strict, and its symmetry warnings are not shown).
        java.util.function.Predicate<Diagnostic> shown = d -> d.code() != ErrorCode.W0410;
        Session session;
        try {
            session = Session.open(Path.of(file), diagnostics.overrides);
        } catch (ScriptException e) {
            diagnostics.print(e.compiled(), err, shown);
            return 1;
        }
        diagnostics.print(session.compiled(), err, shown);
        var options = new HmcOptions(theoryName, trajectories, thermalize, stepSize, mdSteps, chains, seed, outDirectory, chosenPrecision);
        var result = session.hmc(options, new Printer(out, noProgress || job.rank() != 0), job);
        out.printf("acceptance %.4f%n", result.acceptance());
        SampleCommand.printResults(out, result.report().results());
        result.report().notes().forEach(n -> out.println("note: " + n));
        out.println("ensemble: " + result.ensemble() + " (+ .json metadata); report: " + result.reportDirectory().resolve(HtmlReport.FILE));
        out.flush();
        TrustChecks.print(result.warnings(), err);
        return 0;
    }

    /** HMC as it runs: the header and a progress bar over all trajectories. */
    private static final class Printer implements HmcListener {
        private final PrintWriter out;
        private final boolean noProgress;
        private ProgressBar bar;

        Printer(PrintWriter out, boolean noProgress) {
            this.out = out;
            this.noProgress = noProgress;
        }

        @Override
        public void started(Start s) {
            out.printf("HMC on %s (%s): %d chains, %d + %d trajectories, step %.3g × %d%n", s.theory(), s.lattice(), s.chains(), s.thermalize(),
                    s.trajectories(), s.stepSize(), s.mdSteps());
            if (s.integrator() != Hmc.Integrator.LEAPFROG) out.println("integrator " + s.integrator().name().toLowerCase());
            out.flush();
            bar = ProgressBars.open("hmc", s.thermalize() + s.trajectories(), 0, noProgress);
        }

        @Override
        public void trajectory() {
            if (bar != null) bar.step();
        }

        @Override
        public void ended() {
            if (bar != null) bar.close();
            bar = null;
        }
    }
}
