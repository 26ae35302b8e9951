package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.equiflow.api.SamplingListener;
import org.equiflow.api.SamplingOptions;
import org.equiflow.api.Scan;
import org.equiflow.api.ScriptException;
import org.equiflow.api.TrainingListener;
import org.equiflow.api.TrainingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow scan FILE --set T.m2=-3,-4,-5`: `run` at every point of a parameter scan, resumable, then one table. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Train and sample a flow at every point of a parameter scan (as `run` does), skipping finished points, then tabulate acceptance, ESS and the observables.")
final class ScanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Option(names = "--set", paramLabel = "THEORY.PARAM=V1,V2,…", required = true,
            description = "A theory argument to scan over (numbers separated by commas), or to fix ([…] values, e.g. T.lattice=[8,8]); repeat for a cartesian product.")
    List<String> sets = new ArrayList<>();
    @Option(names = "--flow", paramLabel = "NAME", description = "The flow (default: the script's first).") String flow;
    @Option(names = "--steps", description = "Total optimizer steps of every point (default: the script's, else 1000); a point trained fewer is resumed.") Long steps;
    @Option(names = "--batch", description = "Batch size, 1 to " + OptionChecks.MAX_BATCH + " (default: the script's, else 64).") Long batch;
    @Option(names = "--lr", description = "Learning rate, > 0 (default: the script's optimizer, else 1e-3).") Double lr;
    @Option(names = "--seed", description = "Training seed of every point (default: the script's, else 0).") Long seed;
    @Option(names = "--checkpoint-every", description = "Steps between checkpoints, at least 1 (default: the script's, else 100).") Long checkpointEvery;
    @Option(names = "--log-every", description = "Steps between log lines without a progress bar, at least 1.") Long logEvery;
    @Option(names = "--count", description = "Chain length, 1 to " + OptionChecks.MAX_COUNT + " (default: the script's, else 4096).") Long count;
    @Option(names = "--sample-batch", description = "Proposals drawn per batch, 1 to " + OptionChecks.MAX_BATCH + " (default: 1024).") Long sampleBatch;
    @Option(names = "--precision", paramLabel = "f32|f64", description = "Floating-point precision of the flows' tensors"
            + " (default: the script's `precision`, else f32; resuming a point trained in the other precision is refused).") String precision;
    @Option(names = "--sample-seed", description = "Seed of proposals and accept/reject (default: the script's, else 1).") Long sampleSeed;
    @Option(names = "--out", paramLabel = "DIR", description = "Directory of the points' run directories and of the scan's table"
            + " (default: the points at runs/<script>/<flow>/<the --set values>, the table at runs/<script>/<flow>/scan-<the --set lists>).") Path outDirectory;
    @Option(names = "--no-progress", description = "No progress bars; training prints a line every --log-every steps instead.") boolean noProgress;
    @Option(names = "--strict", description = "Treat a flow that breaks a symmetry its theory declares as an error, not a warning.") boolean strict;
    @Option(names = "--color", description = "Colour diagnostics: auto, always or never (default: ${DEFAULT-VALUE}).", defaultValue = "auto") String color;
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (DistributedOptions.refusedOnSeveralRanks("scan", err)) return 1;
        device.activate(err);
        var checks = new OptionChecks(spec);
        if (steps != null) checks.range("--steps", steps, 1, Integer.MAX_VALUE);
        if (batch != null) checks.range("--batch", batch, 1, OptionChecks.MAX_BATCH);
        if (lr != null) checks.positive("--lr", lr);
        if (checkpointEvery != null) checks.range("--checkpoint-every", checkpointEvery, 1, Long.MAX_VALUE);
        if (logEvery != null) checks.range("--log-every", logEvery, 1, Long.MAX_VALUE);
        if (count != null) checks.range("--count", count, 1, OptionChecks.MAX_COUNT);
        if (sampleBatch != null) checks.range("--sample-batch", sampleBatch, 1, OptionChecks.MAX_BATCH);
        var chosenPrecision = checks.precision(precision);
        var parameters = Scan.parse(sets);
        var diagnostics = new FlowDiagnosticOptions();
        diagnostics.color = color;
        diagnostics.strict = strict;
        Scan scan;
        try {
            scan = Scan.open(Path.of(file), parameters, flow, outDirectory, strict);
        } catch (ScriptException e) {
            diagnostics.print(e.compiled(), err, d -> true);
            return 1;
        }
        var training = new TrainingOptions(steps, batch, lr, seed, false, false, checkpointEvery, logEvery, chosenPrecision);
        var sampling = new SamplingOptions(count, sampleBatch, sampleSeed, false, null);
        var result = scan.run(training, sampling, new Printer(out, err, noProgress));
        out.println();
        out.print(result.markdown());
        out.println("scan table: " + result.directory().resolve("scan.csv") + " (+ scan.md"
                + (result.parameters().size() == 1 ? ", a plot per column" : "") + ")");
        for (var point : result.diverged()) err.println("warning: training diverged at " + point.values() + "; no result there (" + point.runDirectory() + ")");
        out.flush();
        return result.diverged().isEmpty() ? 0 : 3;
    }

    /** Each point's heading, then `run`'s own progress and measurements. */
    private record Printer(PrintWriter out, PrintWriter err, boolean noProgress) implements Scan.Listener {
        @Override
        public void point(Scan.Point point, Scan.State state, int index, int total) {
            String what = switch (state) {
                case FINISHED -> "finished, skipped";
                case SAMPLE -> "trained, sampling";
                case RESUME -> "resuming training";
                case NEW -> "training";
            };
            out.println("== point " + (index + 1) + "/" + total + ": " + TrainCommand.setFlags(point.values()) + " (" + point.runDirectory() + "): " + what);
            out.flush();
        }

        @Override
        public TrainingListener training(Scan.Point point) { return new TrainCommand.Printer(out, err, noProgress); }

        @Override
        public SamplingListener sampling(Scan.Point point) { return new SampleCommand.Printer(out, err, noProgress); }
    }
}
