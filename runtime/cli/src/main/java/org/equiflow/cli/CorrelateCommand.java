package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.api.CorrelationListener;
import org.equiflow.api.CorrelationOptions;
import org.equiflow.api.CorrelationResult;
import org.equiflow.api.ScriptException;
import org.equiflow.api.Session;
import org.equiflow.io.HtmlReport;
import org.equiflow.stats.Estimate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `equiflow correlate FILE --ensemble DIR --to-set T.m2=…`: an ensemble at the script's couplings α₁
 * mapped through the script's flow, trained towards α₂, and reweighted there; a thin caller of
 * {@link Session#correlate}.
 */
@Command(name = "correlate", mixinStandardHelpOptions = true,
        description = "Correlated ensembles: map an ensemble at the script's couplings (α₁, with --set) through the script's flow,"
                + " trained towards the couplings of --to-set (α₂) with the ensemble as its prior, and reweight it there."
                + " Prints ⟨O⟩₁, ⟨O⟩₂ and the correlated difference with jackknife errors, for the trained map and for"
                + " f = identity (plain reweighting), and the ESS of the weights; commits the report as one result.")
final class CorrelateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Option(names = "--ensemble", required = true, paramLabel = "DIR", description = "Run directory of the ensemble at α₁ (from `hmc` or `sample`).") Path ensemble;
    @Option(names = "--to-set", required = true, paramLabel = "THEORY.PARAM=VALUE", description = "A coupling of α₂, e.g. --to-set T.m2=-3.8 (repeatable).")
    Map<String, String> toSet = new LinkedHashMap<>();
    @Option(names = "--flow", paramLabel = "NAME", description = "The flow that becomes the map (default: the script's first).") String flowName;
    @Option(names = "--steps", description = "Training steps of the map, at least 0; 0 is plain reweighting (default: "
            + CorrelationOptions.DEFAULT_STEPS + ").") Long steps;
    @Option(names = "--batch", description = "Configurations per training step (default: " + CorrelationOptions.DEFAULT_BATCH + ").") Long batch;
    @Option(names = "--lr", description = "Adam's learning rate, > 0 (default: " + CorrelationOptions.DEFAULT_LEARNING_RATE + ").") Double learningRate;
    @Option(names = "--seed", description = "Seed of the map's weights and minibatches (default: 0).") Long seed;
    @Option(names = "--bin-size", description = "Configurations per jackknife bin (default: 5 τ_int of the slowest series, at most N/20).") Long binSize;
    @Option(names = "--out", paramLabel = "DIR", description = "Run directory of the result (default: runs/<script>/correlate/<flow>/<α₂ --set values>).") Path out;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;
    @Option(names = "--force", description = "Replace a result already in the run directory.") boolean force;
    @Option(names = "--precision", paramLabel = "f32|f64", description = "Precision of the map and the actions (default: f64).") String precision;
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (DistributedOptions.refusedOnSeveralRanks("correlate", err)) return 1;
        device.activate(err);
        var checks = new OptionChecks(spec);
        if (steps != null) checks.range("--steps", steps, 0, Integer.MAX_VALUE);
        if (batch != null) checks.range("--batch", batch, 1, OptionChecks.MAX_BATCH);
        if (learningRate != null) checks.positive("--lr", learningRate);
        if (binSize != null) checks.range("--bin-size", binSize, 1, Integer.MAX_VALUE);
        var chosenPrecision = checks.precision(precision);
        Session session;
        try {
            session = Session.open(Path.of(file), diagnostics.overrides);
        } catch (ScriptException e) {
            diagnostics.print(e.compiled(), err, d -> true);
            return 1;
        }
        diagnostics.print(session.compiled(), err, d -> true);
        var options = new CorrelationOptions(flowName, ensemble, toSet, steps, batch, learningRate, seed, binSize, this.out, force, chosenPrecision);
        CorrelationResult result;
        var printer = new Printer(out, noProgress);
        try {
            result = session.correlate(options, printer);
        } catch (ScriptException e) {
            diagnostics.print(e.compiled(), err, d -> true);
            return 1;
        } finally {
            printer.close();
        }
        out.printf("%d configurations in %d bins of %d; ESS of the weights: map %.4f, identity %.4f%n", result.count(),
                result.count() / result.binSize(), result.binSize(), result.ess(), result.identityEss());
        if (!result.losses().isEmpty()) {
            out.printf("map trained %d steps: loss %.5g → %.5g%n", result.losses().size(), result.losses().get(0),
                    result.losses().get(result.losses().size() - 1));
        }
        out.printf("%-20s %-24s %-24s %-24s %-24s %-24s%n", "observable", "<O>_1", "<O>_2 map", "difference map", "<O>_2 identity",
                "difference identity");
        for (var o : result.observables()) {
            out.printf("%-20s %-24s %-24s %-24s %-24s %-24s%n", o.name(), text(o.first()), text(o.second()), text(o.difference()),
                    text(o.identitySecond()), text(o.identityDifference()));
        }
        out.println("report: " + result.reportDirectory().resolve(HtmlReport.FILE));
        out.flush();
        return 0;
    }

    /** The map's training as it runs: a progress bar over the steps, with the latest loss. */
    private static final class Printer implements CorrelationListener {
        private final PrintWriter out;
        private final boolean noProgress;
        private ProgressBar bar;

        Printer(PrintWriter out, boolean noProgress) {
            this.out = out;
            this.noProgress = noProgress;
        }

        @Override
        public void started(long steps, int batch, int count) {
            out.printf("training the map: %d steps of %d configurations out of %d%n", steps, batch, count);
            out.flush();
            bar = ProgressBars.open("correlate", steps, 0, noProgress);
        }

        @Override
        public void stepped(int step, double loss) {
            if (bar == null) return;
            bar.step();
            bar.setExtraMessage(String.format(java.util.Locale.ROOT, " loss %.4g", loss));
            if (bar.getCurrent() >= bar.getMax()) close();
        }

        /** Closes the bar, also when training stopped early (a refusal). */
        void close() {
            if (bar != null) bar.close();
            bar = null;
        }
    }

    private static String text(Estimate e) {
        return String.format(java.util.Locale.ROOT, "%.6g ± %.2g", e.value(), e.error());
    }
}
