package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.optim.LearningRateSchedule;
import org.equiflow.compiler.ast.Item;
import org.equiflow.io.Checkpoint;
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
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        device.activate(err);
        var checks = new OptionChecks(spec);
        training.validate(checks);
        Workspace ws = Workspace.open(file, training.flow, training.out, diagnostics, training.resume, err);
        if (ws == null) return 1;
        try (RunDirectory directory = RunDirectory.open(ws.directory())) {
            return train(ws, directory, training, checks, out, err);
        }
    }

    /** Options shared by `train` and `run`. */
    static final class TrainingOptions {
        @Option(names = "--flow", paramLabel = "NAME", description = "The flow (default: the script's first).") String flow;
        @Option(names = "--steps", description = "Total optimizer steps of the run, counted from its start also when resuming"
                + " (default: the script's, else 1000; with --resume: the run's own).") Long steps;
        @Option(names = "--batch", description = "Batch size, 1 to " + OptionChecks.MAX_BATCH + " (default: the script's, else 64).") Long batch;
        @Option(names = "--lr", description = "Learning rate, > 0 (default: the script's optimizer, else 1e-3).") Double lr;
        @Option(names = "--seed", description = "Seed: runs with the same seed are identical (default: the script's, else 0).") Long seed;
        @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<script>/<flow>, plus a"
                + " subdirectory named after the --set values when there are any).") Path out;
        @Option(names = "--resume", description = "Continue the run in the run directory: its seed, learning rate, batch and"
                + " --set values come from its checkpoint; a flag that contradicts them is refused.") boolean resume;
        @Option(names = "--force", description = "Start a new run in a directory that holds a trained one, replacing its"
                + " checkpoint, metrics and ensemble.") boolean force;
        @Option(names = "--checkpoint-every", description = "Steps between checkpoints, at least 1 (default: the script's, else 100).") Long checkpointEvery;
        @Option(names = "--no-progress", description = "No progress bars; training prints a line every --log-every steps instead.") boolean noProgress;
        @Option(names = "--log-every", description = "Steps between log lines without a progress bar, at least 1 (default: the script's `log_every`, else a twentieth of the steps).") Long logEvery;

        /** The flags alone; values from the script's run block are checked where they are merged. */
        void validate(OptionChecks checks) {
            if (resume && force) throw checks.usage("--resume continues the run in the directory and --force replaces it; pass one of them");
            if (steps != null) checks.range("--steps", steps, 1, Integer.MAX_VALUE);
            if (batch != null) checks.range("--batch", batch, 1, OptionChecks.MAX_BATCH);
            if (lr != null) checks.positive("--lr", lr);
            if (checkpointEvery != null) checks.range("--checkpoint-every", checkpointEvery, 1, Long.MAX_VALUE);
            if (logEvery != null) checks.range("--log-every", logEvery, 1, Long.MAX_VALUE);
        }
    }

    /** Adam's moment decay rates and the epsilon of its denominator, `optimizer adam(beta1, beta2, eps)`. */
    record Betas(double beta1, double beta2, double eps) {}

    /** The settings a run keeps for its whole life, as saved in its checkpoint; {@link #steps} is the planned total. */
    record Plan(long seed, double lr, double lrDecay, Betas adam, int batch, long steps) {
        Map<String, String> asMap() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("seed", Long.toString(seed));
            map.put("lr", Double.toString(lr));
            map.put("lr_decay", Double.toString(lrDecay));
            map.put("beta1", Double.toString(adam.beta1()));
            map.put("beta2", Double.toString(adam.beta2()));
            map.put("eps", Double.toString(adam.eps()));
            map.put("batch", Integer.toString(batch));
            map.put("steps", Long.toString(steps));
            return map;
        }
    }

    static int train(Workspace ws, RunDirectory directory, TrainingOptions o, OptionChecks checks, PrintWriter out, PrintWriter err)
            throws Exception {
        var settings = RunSettings.of(ws.program(), Item.RunKind.TRAIN, ws.flow().name());
        long every = checks.range(OptionChecks.source(o.checkpointEvery, "--checkpoint-every", "train", "checkpoint_every"),
                settings.integer("checkpoint_every", o.checkpointEvery, 100), 1, Long.MAX_VALUE);
        boolean trained = Files.exists(ws.checkpoint());
        if (trained && !o.resume && !o.force) {
            throw new Artifacts.RunFailure(ws.directory() + " already holds a trained run (" + ws.checkpoint() + "); nothing was changed."
                    + "\n   help: pass --resume to continue it, --force to replace it with a new run, or --out DIR for another directory");
        }
        Checkpoint.Contents checkpoint = trained && o.resume ? Artifacts.readCheckpoint(ws) : null;
        Plan plan = checkpoint != null ? resumedPlan(checkpoint, settings, o, checks) : newPlan(settings, o, checks);
        MemoryEstimate.require(MemoryEstimate.training(ws.flow(), plan.batch()), "a training step of " + ws.flow().name()
                + " (" + MemoryEstimate.parameters(ws.flow()) + " parameters, batch " + plan.batch() + ")", "a smaller --batch or smaller nets");
        long seed = plan.seed(), steps = plan.steps();
        int batch = plan.batch();
        double lr = plan.lr();
        var schedule = new LearningRateSchedule(lr, plan.lrDecay());
        long logEvery = checks.range(OptionChecks.source(o.logEvery, "--log-every", "train", "log_every"),
                settings.integer("log_every", o.logEvery, Math.max(1, steps / 20)), 1, Long.MAX_VALUE);
        if (TrustReporting.refusesUnboundedAction(ws.flow().theory(), ws.program().names(), err)) return 1;
        // Only now, when the new run is known to be able to start, does the old one go.
        if (trained && o.force) directory.discardRun();
        var flow = new CompiledFlow(ws.ir(), DType.F32, seed);
        var adam = Trainer.adamFor(flow, schedule, plan.adam().beta1(), plan.adam().beta2(), plan.adam().eps());
        int first = 0;
        List<Trainer.Step> history = new ArrayList<>();
        if (checkpoint != null) {
            var restored = Artifacts.restore(ws, checkpoint, flow, adam);
            first = restored.step();
            history.addAll(restored.history());
            out.println("resuming " + ws.flow().name() + " from step " + first + " (" + ws.checkpoint() + ") with the run's seed "
                    + seed + ", lr " + lr + ", batch " + batch + (ws.overrides().isEmpty() ? "" : ", " + setFlags(ws.overrides())));
            if (first >= steps) {
                out.println("the run has already done " + first + " of its " + steps + " steps; --steps N (the total) trains it further");
                out.flush();
                return 0;
            }
        } else if (o.resume) {
            out.println("no checkpoint at " + ws.checkpoint() + "; starting from step 0");
        }
        Map<String, String> trainingSettings = plan.asMap();
        var trainer = new Trainer(flow, adam, seed);
        out.println("training " + ws.flow().name() + " on " + ws.flow().theory().lattice() + ": " + flow.parameters().count()
                + " parameters, batch " + batch + ", steps " + first + "→" + steps + ", lr " + lr + (schedule.decayPerStep() == 1 ? "" : " × " + schedule.decayPerStep() + "^step") + ", seed " + seed);
        out.flush();
        long start = System.nanoTime();
        try (ProgressBar bar = ProgressBars.open("train", steps, first, o.noProgress)) {
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
                if ((step + 1) % every == 0 || step + 1 == steps) Artifacts.saveCheckpoint(ws, flow, adam, seed, step + 1, history, trainingSettings);
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

    private static Plan newPlan(RunSettings settings, TrainingOptions o, OptionChecks checks) {
        long steps = checks.range(OptionChecks.source(o.steps, "--steps", "train", "steps"), settings.integer("steps", o.steps, 1000), 1, Integer.MAX_VALUE);
        int batch = (int) checks.range(OptionChecks.source(o.batch, "--batch", "train", "batch"), settings.integer("batch", o.batch, 64), 1, OptionChecks.MAX_BATCH);
        long seed = settings.integer("seed", o.seed, 0);
        double lr = checks.positive(o.lr != null ? "--lr" : "the optimizer's `lr` (the script's `train` block)",
                o.lr != null ? o.lr : settings.choiceArgument("optimizer", "lr", 1e-3));
        var adam = new Betas(settings.choiceArgument("optimizer", "beta1", 0.9), settings.choiceArgument("optimizer", "beta2", 0.999),
                settings.choiceArgument("optimizer", "eps", 1e-8));
        return new Plan(seed, lr, settings.real("lr_decay", null, 1.0), adam, batch, steps);
    }

    /**
     * A resumed run is the same run: seed, learning rate and batch are the checkpoint's (a flag
     * that says otherwise is refused rather than silently changing the run), and the number of
     * steps is the run's planned total unless --steps gives a new total.
     */
    private static Plan resumedPlan(Checkpoint.Contents checkpoint, RunSettings settings, TrainingOptions o, OptionChecks checks) {
        Map<String, String> stored = checkpoint.provenance() == null ? Map.of() : checkpoint.provenance().training();
        long seed = stored.containsKey("seed") ? Long.parseLong(stored.get("seed")) : checkpoint.seed();
        double lr = stored.containsKey("lr") ? Double.parseDouble(stored.get("lr")) : checkpoint.adam().learningRate();
        Plan fresh = newPlan(settings, o, checks);
        // Runs from before lr_decay was honoured trained at a constant rate.
        double lrDecay = stored.containsKey("lr_decay") ? Double.parseDouble(stored.get("lr_decay")) : 1.0;
        int batch = stored.containsKey("batch") ? Integer.parseInt(stored.get("batch")) : fresh.batch();
        long steps = o.steps != null ? o.steps : stored.containsKey("steps") ? Long.parseLong(stored.get("steps")) : fresh.steps();
        refuseConflict(checks, "--seed", o.seed, seed);
        refuseConflict(checks, "--lr", o.lr, lr);
        refuseConflict(checks, "--batch", o.batch == null ? null : o.batch.intValue(), batch);
        if (steps < checkpoint.trainingStep() && o.steps != null) {
            throw checks.usage("--steps is the run's total number of steps, and this run has already done " + checkpoint.trainingStep()
                    + "; pass a larger total to train further");
        }
        // The checkpoint's optimizer state carries the betas and eps the run was started with.
        var adam = new Betas(checkpoint.adam().beta1(), checkpoint.adam().beta2(), checkpoint.adam().eps());
        return new Plan(seed, lr, lrDecay, adam, batch, steps);
    }

    private static void refuseConflict(OptionChecks checks, String flag, Object given, Object runs) {
        if (given != null && !given.equals(runs)) {
            throw checks.usage(flag + " " + given + " contradicts the run being resumed, which uses " + flag + " " + runs
                    + ": --resume continues a run with its own seed, learning rate and batch. Drop " + flag
                    + ", or start a new run with --force or another --out");
        }
    }

    static String setFlags(Map<String, String> overrides) {
        return new TreeMap<>(overrides).entrySet().stream().map(e -> "--set " + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
