package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.api.Flow;
import org.equiflow.api.TrainingListener;
import org.equiflow.api.TrainingOptions;
import org.equiflow.api.TrainingResult;
import org.equiflow.physics.TrustChecks;
import org.equiflow.train.Trainer;
import org.equiflow.api.RunFailure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow train FILE`: self-training of a flow with the `train` block's loss (reverse_kl, path_gradient, reinforce), with checkpoints and resumption. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a flow by self-training with the script's loss (reverse_kl, path_gradient or reinforce); settings come from the script's `train` block unless given here.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin TrainingFlags training = new TrainingFlags();
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Mixin DistributedOptions distributed = new DistributedOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        training.validate(new OptionChecks(spec));
        Trainer.Reduction reduction = training.reduction();
        // Rank 0 speaks for the job; the others train silently beside it.
        return distributed.runAsRank(out, err, device,
                description -> "training on " + description + ", gradients added in " + reduction.label().replace('-', ' '),
                (job, rankOut, rankErr) -> {
            Flow flow = diagnostics.openFlow(file, training.flow, training.out, training.resume, rankErr);
            if (flow == null) return 1;
            return exitCode(flow.train(training.options(), new Printer(rankOut, rankErr, training.noProgress || job.rank() != 0), job, reduction));
        });
    }

    /** Options shared by `train` and `run`. */
    static final class TrainingFlags {
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
        @Option(names = "--from", paramLabel = "RUN_DIR", description = "Start a new run from the parameters of the trained run in"
                + " RUN_DIR (or that checkpoint file): fine-tuning at other --set couplings, or another lattice size. Parameters carry"
                + " over by name and shape (another architecture is refused); the optimizer state starts fresh; RUN_DIR is only read."
                + " Not with --resume: a run started from another is continued with --resume alone.") Path from;
        @Option(names = "--force", description = "Start a new run in a directory that holds a trained one, replacing its"
                + " checkpoint, metrics and ensemble.") boolean force;
        @Option(names = "--checkpoint-every", description = "Steps between checkpoints, at least 1 (default: the script's, else 100).") Long checkpointEvery;
        @Option(names = "--no-progress", description = "No progress bars; training prints a line every --log-every steps instead.") boolean noProgress;
        @Option(names = "--precision", paramLabel = "f32|f64", description = "Floating-point precision of the flow's tensors"
                + " (default: the script's `precision`, else f32; with --resume: the run's own).") String precision;
        @Option(names = "--log-every", description = "Steps between log lines without a progress bar, at least 1 (default: the script's `log_every`, else a twentieth of the steps).") Long logEvery;

        /** The flags alone; values from the script's run block are checked where they are merged. */
        void validate(OptionChecks checks) {
            if (resume && force) throw checks.usage("--resume continues the run in the directory and --force replaces it; pass one of them");
            if (steps != null) checks.range("--steps", steps, 1, Integer.MAX_VALUE);
            if (batch != null) checks.range("--batch", batch, 1, OptionChecks.MAX_BATCH);
            if (lr != null) checks.positive("--lr", lr);
            if (checkpointEvery != null) checks.range("--checkpoint-every", checkpointEvery, 1, Long.MAX_VALUE);
            if (logEvery != null) checks.range("--log-every", logEvery, 1, Long.MAX_VALUE);
            checkedPrecision = checks.precision(precision);
        }

        private org.equiflow.api.Precision checkedPrecision;

        @Option(names = "--reduction", paramLabel = "block-order|rank-sums", defaultValue = "block-order",
                description = "How the ranks add their gradients: block-order (default) gives the checkpoint of one process for any"
                        + " number of ranks; rank-sums moves far less per step (wide nets, many blocks) and agrees with it within rounding.")
        String reduction;

        /** The {@code --reduction} asked for. */
        Trainer.Reduction reduction() {
            Trainer.Reduction chosen = Trainer.Reduction.named(reduction);
            if (chosen == null) {
                throw new RunFailure("--reduction " + reduction + " is not one of block-order, rank-sums"
                        + "\n   help: --reduction block-order (the same checkpoint on any number of ranks) or --reduction rank-sums");
            }
            return chosen;
        }

        TrainingOptions options() {
            return new TrainingOptions(steps, batch, lr, seed, resume, force, checkpointEvery, logEvery, checkedPrecision, from);
        }
    }

    /** The exit code of a training run: 3 when it diverged. */
    static int exitCode(TrainingResult trained) {
        return trained.diverged() ? 3 : 0;
    }

    /** Training as it runs: the plan, a progress bar (or a log line every --log-every steps), a divergence. */
    static final class Printer implements TrainingListener {
        private final PrintWriter out, err;
        private final boolean noProgress;
        private ProgressBar bar;
        private long logEvery;
        /** The run's clip_grad_norm (infinite: not clipped), for the closing line. */
        private double clipGradNorm = Double.POSITIVE_INFINITY;

        Printer(PrintWriter out, PrintWriter err, boolean noProgress) {
            this.out = out;
            this.err = err;
            this.noProgress = noProgress;
        }

        @Override
        public void started(Start s) {
            if (s.resumed()) {
                out.println("resuming " + s.flow() + " from step " + s.firstStep() + " (" + s.checkpoint() + ") with the run's seed "
                        + s.seed() + ", lr " + s.learningRate() + ", batch " + s.batch() + (s.overrides().isEmpty() ? "" : ", " + setFlags(s.overrides())));
                if (s.firstStep() >= s.steps()) {
                    out.println("the run has already done " + s.firstStep() + " of its " + s.steps() + " steps; --steps N (the total) trains it further");
                    out.flush();
                    return;
                }
            } else if (s.resumeFoundNoCheckpoint()) {
                out.println("no checkpoint at " + s.checkpoint() + "; starting from step 0");
            } else if (s.startedFrom() != null) {
                out.println("starting from the parameters of " + s.startedFrom());
            }
            out.println("training " + s.flow() + " on " + s.lattice() + ": " + s.parameters() + " parameters, batch " + s.batch() + ", steps "
                    + s.firstStep() + "→" + s.steps() + ", " + s.optimizer() + (s.weightDecay() > 0 ? " (weight decay " + s.weightDecay() + ")" : "")
                    + ", lr " + s.schedule() + (s.clipGradNorm() == Double.POSITIVE_INFINITY ? "" : ", gradient norm clipped to " + s.clipGradNorm())
                    + ", seed " + s.seed());
            out.flush();
            logEvery = s.logEvery();
            clipGradNorm = s.clipGradNorm();
            bar = ProgressBars.open("train", s.steps(), s.firstStep(), noProgress);
        }

        @Override
        public void stepped(Trainer.Step s) {
            if (bar != null) {
                bar.step();
                bar.setExtraMessage(String.format("loss %.3f ess %.3f acc %.3f", s.loss(), s.ess(), s.acceptance()));
            } else if ((s.step() + 1) % logEvery == 0) {
                out.printf("step %6d  loss %10.4f  ess %.4f  acceptance %.4f%n", s.step() + 1, s.loss(), s.ess(), s.acceptance());
                out.flush();
            }
        }

        @Override
        public void diverged(Divergence d) {
            err.println();
            err.println("error: training diverged: " + d.message());
            d.unboundedAction().ifPresent(why -> err.println("   note: the action is unbounded below " + why));
            err.println("   note: the last good checkpoint (if any) is kept at " + d.checkpoint());
        }

        @Override
        public void ended() {
            if (bar != null) bar.close();
            bar = null;
        }

        /** The summary of a run that trained to its end, after what to distrust in the trained flow. */
        @Override
        public void finished(TrainingResult trained) {
            if (trained.alreadyComplete() || trained.diverged()) return;
            TrustChecks.print(trained.warnings(), err);
            long steps = trained.stepsTaken();
            out.printf("trained %d steps in %.1f s (%.1f ms/step); final loss %.4f, batch ESS %.3f; checkpoint %s%n",
                    steps, trained.seconds(), 1e3 * trained.seconds() / Math.max(1, steps), trained.finalLoss(), trained.finalEss(), trained.checkpoint());
            if (trained.communicationSeconds() > 0) {
                out.printf("of which %.1f s (%.1f ms/step, %.0f %%) in communication between the ranks%n", trained.communicationSeconds(),
                        1e3 * trained.communicationSeconds() / Math.max(1, steps), 100 * trained.communicationSeconds() / trained.seconds());
            }
            if (clipGradNorm != Double.POSITIVE_INFINITY) {
                // How often clip_grad_norm acted in this invocation's steps, and how far above the maximum the norms went.
                var taken = trained.history().stream().filter(st -> st.step() >= trained.firstStep()).toList();
                long clipped = taken.stream().filter(Trainer.Step::clipped).count();
                double largest = taken.stream().mapToDouble(Trainer.Step::gradNorm).max().orElse(Double.NaN);
                out.printf("gradient norm clipped to %s in %d of %d steps (largest norm before clipping %.4g; every step's in metrics.csv)%n",
                        clipGradNorm, clipped, taken.size(), largest);
            }
            out.flush();
        }
    }

    static String setFlags(Map<String, String> overrides) {
        return new TreeMap<>(overrides).entrySet().stream().map(e -> "--set " + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
