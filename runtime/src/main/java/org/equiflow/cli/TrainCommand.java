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
import org.equiflow.tensor.DType;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow train FILE`: reverse-KL self-training of a flow, with checkpoints and resumption. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a flow by reverse-KL self-training; settings come from the script's `train` block unless given here.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin TrainingOptions training = new TrainingOptions();
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        device.activate(err);
        Workspace ws = Workspace.open(file, training.flow, training.out, diagnostics, err);
        if (ws == null) return 1;
        return train(ws, training, out, err);
    }

    /** Options shared by `train` and `run`. */
    static final class TrainingOptions {
        @Option(names = "--flow", paramLabel = "NAME", description = "The flow (default: the script's first).") String flow;
        @Option(names = "--steps", description = "Optimizer steps (default: the script's, else 1000).") Long steps;
        @Option(names = "--batch", description = "Batch size (default: the script's, else 64).") Long batch;
        @Option(names = "--lr", description = "Learning rate (default: the script's optimizer, else 1e-3).") Double lr;
        @Option(names = "--seed", description = "Seed: runs with the same seed are identical (default: the script's, else 0).") Long seed;
        @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<script>/<flow>).") Path out;
        @Option(names = "--resume", description = "Continue from the run directory's checkpoint.") boolean resume;
        @Option(names = "--checkpoint-every", description = "Steps between checkpoints (default: the script's, else 100).") Long checkpointEvery;
        @Option(names = "--no-progress", description = "No progress bar (logs a line every --log-every steps instead).") boolean noProgress;
        @Option(names = "--log-every", description = "Steps between log lines without a progress bar (default: the script's `log_every`, else steps/20).") Long logEvery;
    }

    static int train(Workspace ws, TrainingOptions o, PrintWriter out, PrintWriter err) throws Exception {
        var settings = RunSettings.of(ws.program(), Item.RunKind.TRAIN, ws.flow().name());
        long steps = settings.integer("steps", o.steps, 1000);
        int batch = (int) settings.integer("batch", o.batch, 64);
        long seed = settings.integer("seed", o.seed, 0);
        long every = settings.integer("checkpoint_every", o.checkpointEvery, 100);
        double lr = o.lr != null ? o.lr : settings.choiceArgument("optimizer", "lr", 1e-3);
        var schedule = new org.equiflow.autodiff.LearningRateSchedule(lr, settings.real("lr_decay", null, 1.0));
        long logEvery = settings.integer("log_every", o.logEvery, Math.max(1, steps / 20));
        if (logEvery < 1) {
            err.println("error: --log-every must be at least 1, got " + logEvery);
            return 1;
        }
        if (!settings.choice("optimizer", "adam").equals("adam") || !settings.choice("loss", "reverse_kl").equals("reverse_kl")) {
            err.println("error: only `loss reverse_kl` with `optimizer adam(…)` is implemented; the script asks for "
                    + settings.choice("loss", "reverse_kl") + " with " + settings.choice("optimizer", "adam"));
            return 1;
        }
        var unbounded = org.equiflow.physics.ActionBounds.unboundedBelow(ws.flow().theory(), ws.program().names());
        if (unbounded.isPresent()) return TrustReporting.refuseUnboundedAction(ws.flow().theory(), unbounded.get(), err);
        var flow = new CompiledFlow(ws.ir(), DType.F32, seed);
        var adam = Trainer.adamFor(flow, schedule);
        int first = 0;
        List<Trainer.Step> history = new ArrayList<>();
        if (o.resume && Files.exists(ws.checkpoint())) {
            var restored = Artifacts.loadCheckpoint(ws, flow, adam);
            first = restored.step();
            history.addAll(restored.history());
            out.println("resuming " + ws.flow().name() + " from step " + first + " (" + ws.checkpoint() + ")");
        } else if (o.resume) {
            out.println("no checkpoint at " + ws.checkpoint() + "; starting from step 0");
        }
        var trainer = new Trainer(flow, adam, seed);
        out.println("training " + ws.flow().name() + " on " + ws.flow().theory().lattice() + ": " + flow.parameters().count()
                + " parameters, batch " + batch + ", steps " + first + "→" + steps + ", lr " + lr + (schedule.decayPerStep() == 1 ? "" : " × " + schedule.decayPerStep() + "^step") + ", seed " + seed);
        out.flush();
        long start = System.nanoTime();
        try (ProgressBar bar = o.noProgress ? null : new ProgressBarBuilder().setTaskName("train").setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .startsFrom(first, java.time.Duration.ZERO).build()) {
            for (int step = first; step < steps; step++) {
                Trainer.Step s;
                try {
                    s = trainer.step(step, batch);
                } catch (Trainer.Diverged e) {
                    err.println();
                    err.println("error: training diverged: " + e.getMessage());
                    TrustReporting.runawayAlongSamples(ws.flow().theory(), ws.program().names(), flow, seed).ifPresent(why -> err.println("   note: the action is unbounded below " + why));
                    err.println("   note: the last good checkpoint (if any) is kept at " + ws.checkpoint());
                    Artifacts.writeMetrics(ws, history);
                    return 3;
                }
                history.add(s);
                if (bar != null) {
                    bar.step();
                    bar.setExtraMessage(String.format("loss %.3f ess %.3f acc %.3f", s.loss(), s.ess(), s.acceptance()));
                } else if ((step + 1) % logEvery == 0) {
                    out.printf("step %6d  loss %10.4f  ess %.4f  acceptance %.4f%n", step + 1, s.loss(), s.ess(), s.acceptance());
                    out.flush();
                }
                if ((step + 1) % every == 0 || step + 1 == steps) Artifacts.saveCheckpoint(ws, flow, adam, seed, step + 1, history);
            }
        }
        Artifacts.writeMetrics(ws, history);
        TrustReporting.warnIfRunawayAlongSamples(ws.flow().theory(), ws.program().names(), flow, seed, err);
        double seconds = (System.nanoTime() - start) / 1e9;
        var last = history.isEmpty() ? null : history.get(history.size() - 1);
        out.printf("trained %d steps in %.1f s (%.1f ms/step); final loss %.4f, batch ESS %.3f; checkpoint %s%n",
                steps - first, seconds, 1e3 * seconds / Math.max(1, steps - first),
                last == null ? Double.NaN : last.loss(), last == null ? Double.NaN : last.ess(), ws.checkpoint());
        out.flush();
        return 0;
    }
}
