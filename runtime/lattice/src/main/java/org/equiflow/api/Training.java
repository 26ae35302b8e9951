package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Item;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.InProcessCommunicator;
import org.equiflow.io.Checkpoint;
import org.equiflow.optim.Adam;
import org.equiflow.optim.GradientClipping;
import org.equiflow.optim.LearningRateSchedule;
import org.equiflow.train.Losses;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/** The training loop of a run directory: plan (new or resumed), refusals, steps, checkpoints, metrics. */
final class Training {
    private Training() {}

    /** Adam's moment decay rates and the epsilon of its denominator, `optimizer adam(beta1, beta2, eps)`. */
    record Betas(double beta1, double beta2, double eps) {}

    /**
     * How the optimizer moves, besides its rate and betas: the decay of the rate after the warm-up
     * ({@code lr_schedule}, or {@code lr_decay}), the warm-up's steps ({@code warmup}), the
     * optimizer's name and decoupled weight decay ({@code optimizer adamw(weight_decay)}; 0 for
     * adam) and the maximum global gradient norm ({@code clip_grad_norm}; infinite: no clipping).
     * The cosine decay's length is fixed when the run starts (its planned steps less the warm-up),
     * so that the rate stays a function of the step alone, whatever a resumed run's total.
     */
    record Optimisation(LearningRateSchedule.Decay decay, long warmup, String optimizer, double weightDecay, double clipGradNorm) {
        static final Optimisation DEFAULT = new Optimisation(new LearningRateSchedule.Constant(), 0, "adam", 0.0, Double.POSITIVE_INFINITY);

        void putInto(Map<String, String> map) {
            map.put("lr_schedule", decay.name());
            switch (decay) {
                // lr_decay is written for every schedule that has one, as runs before lr_schedule recorded it.
                case LearningRateSchedule.Constant c -> map.put("lr_decay", "1.0");
                case LearningRateSchedule.Exponential e -> map.put("lr_decay", Double.toString(e.perStep()));
                case LearningRateSchedule.StepDecay d -> {
                    map.put("lr_step_every", Long.toString(d.every()));
                    map.put("lr_step_factor", Double.toString(d.factor()));
                }
                case LearningRateSchedule.Cosine c -> {
                    map.put("lr_cosine_steps", Long.toString(c.steps()));
                    map.put("lr_cosine_floor", Double.toString(c.floor()));
                }
            }
            map.put("warmup", Long.toString(warmup));
            map.put("optimizer", optimizer);
            map.put("weight_decay", Double.toString(weightDecay));
            if (clipGradNorm != Double.POSITIVE_INFINITY) map.put("clip_grad_norm", Double.toString(clipGradNorm));
        }

        /** As a checkpoint recorded it; runs from before a setting existed trained without it (and lr_decay alone decayed). */
        static Optimisation stored(Map<String, String> stored) {
            String schedule = stored.getOrDefault("lr_schedule", "exponential");
            LearningRateSchedule.Decay decay = switch (schedule) {
                case "constant" -> new LearningRateSchedule.Constant();
                case "exponential" -> {
                    double perStep = Double.parseDouble(stored.getOrDefault("lr_decay", "1.0"));
                    yield perStep == 1.0 ? new LearningRateSchedule.Constant() : new LearningRateSchedule.Exponential(perStep);
                }
                case "step" -> new LearningRateSchedule.StepDecay(Long.parseLong(stored.get("lr_step_every")),
                        Double.parseDouble(stored.get("lr_step_factor")));
                case "cosine" -> new LearningRateSchedule.Cosine(Long.parseLong(stored.get("lr_cosine_steps")),
                        Double.parseDouble(stored.get("lr_cosine_floor")));
                default -> throw new RunFailure("the checkpoint records an unknown learning-rate schedule `" + schedule
                        + "`; it was written by a newer equiflow");
            };
            return new Optimisation(decay, Long.parseLong(stored.getOrDefault("warmup", "0")), stored.getOrDefault("optimizer", "adam"),
                    Double.parseDouble(stored.getOrDefault("weight_decay", "0.0")),
                    stored.containsKey("clip_grad_norm") ? Double.parseDouble(stored.get("clip_grad_norm")) : Double.POSITIVE_INFINITY);
        }

        /** The script's settings for a new run of {@code steps} steps in all. */
        static Optimisation of(RunSettings settings, long steps) {
            long warmup = settings.integer("warmup", null, 0);
            double lrDecay = settings.real("lr_decay", null, 1.0);
            // `lr_decay r` is `lr_schedule exponential(decay = r)`; the checker refuses both together.
            String schedule = settings.choice("lr_schedule", lrDecay == 1.0 ? "constant" : "exponential");
            LearningRateSchedule.Decay decay = switch (schedule) {
                case "constant" -> new LearningRateSchedule.Constant();
                case "exponential" -> new LearningRateSchedule.Exponential(settings.choiceArgument("lr_schedule", "decay", lrDecay));
                case "step" -> new LearningRateSchedule.StepDecay((long) settings.choiceArgument("lr_schedule", "every", 100),
                        settings.choiceArgument("lr_schedule", "factor", 0.5));
                // The decay follows the warm-up: it spans the rest of the run (at least one step).
                case "cosine" -> new LearningRateSchedule.Cosine(Math.max(1, steps - warmup), settings.choiceArgument("lr_schedule", "floor", 0.0));
                default -> throw new IllegalStateException("the checker admitted lr_schedule " + schedule);
            };
            String optimizer = settings.choice("optimizer", "adam");
            double weightDecay = optimizer.equals("adamw") ? settings.choiceArgument("optimizer", "weight_decay", 0.01) : 0.0;
            return new Optimisation(decay, warmup, optimizer, weightDecay, settings.real("clip_grad_norm", null, Double.POSITIVE_INFINITY));
        }

        GradientClipping clipping() { return clipGradNorm == Double.POSITIVE_INFINITY ? GradientClipping.NONE : new GradientClipping(clipGradNorm); }
    }

    /**
     * The settings a run keeps for its whole life, as saved in its checkpoint; {@link #steps} is the
     * planned total, {@link #origin} the run it started from ({@link Transfer#origin}; empty: from scratch).
     */
    record Plan(long seed, double lr, Optimisation optimisation, Betas adam, int batch, long steps, Map<String, String> origin) {
        Plan withOrigin(Map<String, String> origin) { return new Plan(seed, lr, optimisation, adam, batch, steps, origin); }

        Map<String, String> asMap() {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("seed", Long.toString(seed));
            map.put("lr", Double.toString(lr));
            map.put("beta1", Double.toString(adam.beta1()));
            map.put("beta2", Double.toString(adam.beta2()));
            map.put("eps", Double.toString(adam.eps()));
            map.put("batch", Integer.toString(batch));
            map.put("steps", Long.toString(steps));
            optimisation.putInto(map);
            map.putAll(origin);
            return map;
        }

        LearningRateSchedule schedule() { return new LearningRateSchedule(lr, optimisation.decay(), optimisation.warmup()); }
    }

    /**
     * Trains in {@code directory}; {@code source} is the run to start from, as {@link Transfer#checked}
     * read it for {@code o} before the directory was opened (null: {@code o} names none).
     */
    static TrainingResult train(Workspace ws, RunDirectory directory, TrainingOptions o, Transfer.Source source,
                                TrainingListener listener) throws IOException {
        return train(ws, directory, o, source, listener, new InProcessCommunicator(), Trainer.Reduction.BLOCK_ORDER);
    }

    /**
     * Trains on the ranks of {@code job}: every rank prepares the same run (the same plan, the same
     * initial or restored parameters) and takes the same steps, each computing its share of every
     * batch ({@link Trainer}); rank 0 alone holds {@code directory} (null on the others) and writes
     * checkpoints and metrics. {@code listener} hears every rank: print on rank 0 only. {@code reduction}
     * says how the ranks add their gradients ({@link Trainer.Reduction}).
     */
    static TrainingResult train(Workspace ws, RunDirectory directory, TrainingOptions o, Transfer.Source source,
                                TrainingListener listener, Communicator job, Trainer.Reduction reduction) throws IOException {
        Prepared run = JobAgreement.agree(job, () -> prepare(ws, directory, o, source, job, reduction));
        Plan plan = run.plan();
        long seed = plan.seed(), steps = plan.steps();
        int batch = plan.batch();
        boolean writes = job.rank() == 0;
        int first = run.first();
        List<Trainer.Step> history = run.history();
        listener.started(new TrainingListener.Start(ws.flow().name(), ws.flow().theory().lattice().toString(), run.flow().parameters().count(),
                batch, first, steps, plan.lr(), plan.schedule().describe(), plan.optimisation().optimizer(), plan.optimisation().weightDecay(),
                plan.optimisation().clipGradNorm(), seed, ws.checkpoint(), run.resumed(),
                run.nothingToResume(), ws.overrides(), run.logEvery(),
                Transfer.describe(plan.origin(), Workspace.theoryParameters(ws.flow()))));
        if (first >= steps) {
            listener.ended();
            return finished(listener, new TrainingResult(ws.flow().name(), first, steps, history, 0, ws.checkpoint(), ws.directory(),
                    List.of(), null, true, 0));
        }
        long start = System.nanoTime();
        int step = first;
        try {
            for (; step < steps; step++) {
                Trainer.Step s;
                try {
                    s = run.trainer().step(step, batch);
                } catch (Trainer.Diverged e) {
                    // Every rank sees the same reduced losses and gradients, so all diverge at the same step.
                    var divergence = new TrainingListener.Divergence(e.getMessage(), e.step(),
                            TrustReporting.runawayAlongSamples(ws.flow().theory(), ws.program().names(), run.flow(), seed), ws.checkpoint());
                    listener.diverged(divergence);
                    if (writes) Artifacts.writeMetrics(ws, history);
                    return finished(listener, new TrainingResult(ws.flow().name(), first, steps, history, (System.nanoTime() - start) / 1e9,
                            ws.checkpoint(), ws.directory(), List.of(), divergence, false,
                            run.trainer().communicationSeconds()));
                }
                history.add(s);
                listener.stepped(s);
                if (writes && ((step + 1) % run.every() == 0 || step + 1 == steps)) {
                    Artifacts.saveCheckpoint(ws, run.flow(), run.adam(), seed, step + 1, history, run.trainingSettings());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            // The other ranks wait in this step's collectives: end them all, naming this rank.
            JobAgreement.endJob(job, "at step " + (step + 1), e);
            throw e;
        } finally {
            listener.ended();
        }
        if (writes) Artifacts.writeMetrics(ws, history);
        // A gradient flow trained where its integrator is wrong has learned the error: say so now, not after sampling.
        var warnings = IntegrationCheck.addedTo(TrustReporting.runawayWarnings(ws.flow().theory(), ws.program().names(), run.flow(), seed),
                ws, run.flow(), seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        return finished(listener, new TrainingResult(ws.flow().name(), first, steps, List.copyOf(history), seconds, ws.checkpoint(),
                ws.directory(), warnings, null, false, run.trainer().communicationSeconds()));
    }

    /** A run ready to take its first step: its plan, flow, optimizer and trainer, where it starts, and how often it reports. */
    private record Prepared(Plan plan, long every, long logEvery, CompiledFlow flow, Adam adam, Trainer trainer, int first,
                            List<Trainer.Step> history, boolean resumed, boolean nothingToResume, Map<String, String> trainingSettings) {}

    /** Everything {@link #train} does before its first step: the refusals, the plan, the flow (new, transferred or restored). */
    private static Prepared prepare(Workspace ws, RunDirectory directory, TrainingOptions o, Transfer.Source source, Communicator job,
                                    Trainer.Reduction reduction)
            throws IOException {
        if (o.resume() && o.force()) {
            throw new InvalidSettingException("--resume continues the run in the directory and --force replaces it; pass one of them");
        }
        var settings = RunSettings.of(ws.program(), Item.RunKind.TRAIN, ws.flow().name());
        long every = Limits.range(Limits.source(o.checkpointEvery(), "--checkpoint-every", "train", "checkpoint_every"),
                settings.integer("checkpoint_every", o.checkpointEvery(), 100), 1, Long.MAX_VALUE);
        boolean trained = Files.exists(ws.checkpoint());
        if (trained && !o.resume() && !o.force()) {
            throw new RunFailure(ws.directory() + " already holds a trained run (" + ws.checkpoint() + "); nothing was changed."
                    + "\n   help: pass --resume to continue it, --force to replace it with a new run, or --out DIR for another directory");
        }
        Checkpoint.Contents checkpoint = trained && o.resume() ? Artifacts.readCheckpoint(ws) : null;
        Plan plan = checkpoint != null ? resumedPlan(checkpoint, settings, o) : newPlan(settings, o);
        if (source != null) plan = plan.withOrigin(Transfer.origin(source));
        Precision precision = checkpoint != null ? trainedPrecision(checkpoint, o.precision(), "--resume continues")
                : o.precision() != null ? o.precision() : Precision.named(settings.choice("precision", Precision.DEFAULT.label()));
        MemoryEstimate.require(MemoryEstimate.training(ws.flow(), plan.batch()), "a training step of " + ws.flow().name()
                + " (" + MemoryEstimate.parameters(ws.flow()) + " parameters, batch " + plan.batch() + ")", "a smaller --batch or smaller nets"
                + (ws.flow().layers().stream().anyMatch(l -> l instanceof org.equiflow.compiler.model.LayerSpec.GradientFlow)
                        ? " (a gradient flow keeps every step's links and recomputes one step at a time for the backward pass: fewer `steps` or loops, or train at a smaller"
                                + " lattice and carry the coefficients over with `train --from`)" : ""));
        long logEvery = Limits.range(Limits.source(o.logEvery(), "--log-every", "train", "log_every"),
                settings.integer("log_every", o.logEvery(), Math.max(1, plan.steps() / 20)), 1, Long.MAX_VALUE);
        TrustReporting.refuseUnboundedAction(ws.flow().theory(), ws.program().names());
        var loss = Losses.named(settings.choice("loss", Losses.DEFAULT));
        var flow = new CompiledFlow(ws.ir(), precision.dtypeOnCurrentBackend(), plan.seed());
        if (source != null) Transfer.load(source, flow);
        // Only now, when the new run is known to be able to start, does the old one go (rank 0 holds the directory).
        if (trained && o.force() && directory != null) directory.discardRun();
        var adam = Trainer.adamFor(flow, plan.schedule(), plan.adam().beta1(), plan.adam().beta2(), plan.adam().eps(),
                plan.optimisation().weightDecay());
        int first = 0;
        List<Trainer.Step> history = new ArrayList<>();
        if (checkpoint != null) {
            var restored = Artifacts.restore(ws, checkpoint, flow, adam);
            first = restored.step();
            history.addAll(restored.history());
        }
        var trainer = new Trainer(flow, adam, plan.seed(), loss, plan.optimisation().clipping(), job, reduction);
        return new Prepared(plan, every, logEvery, flow, adam, trainer, first, history, checkpoint != null,
                checkpoint == null && o.resume(), plan.asMap());
    }

    private static TrainingResult finished(TrainingListener listener, TrainingResult result) {
        listener.finished(result);
        return result;
    }

    private static Plan newPlan(RunSettings settings, TrainingOptions o) {
        long steps = Limits.range(Limits.source(o.steps(), "--steps", "train", "steps"), settings.integer("steps", o.steps(), 1000), 1, Integer.MAX_VALUE);
        int batch = (int) Limits.range(Limits.source(o.batch(), "--batch", "train", "batch"), settings.integer("batch", o.batch(), 64), 1, Limits.MAX_BATCH);
        long seed = settings.integer("seed", o.seed(), 0);
        double lr = Limits.positive(o.learningRate() != null ? "--lr" : "the optimizer's `lr` (the script's `train` block)",
                o.learningRate() != null ? o.learningRate() : settings.choiceArgument("optimizer", "lr", 1e-3));
        var adam = new Betas(settings.choiceArgument("optimizer", "beta1", 0.9), settings.choiceArgument("optimizer", "beta2", 0.999),
                settings.choiceArgument("optimizer", "eps", 1e-8));
        return new Plan(seed, lr, Optimisation.of(settings, steps), adam, batch, steps, Map.of());
    }

    /**
     * A resumed run is the same run: seed, learning rate and batch are the checkpoint's (an option
     * that says otherwise is refused rather than silently changing the run), and the number of
     * steps is the run's planned total unless {@code steps} gives a new total.
     */
    private static Plan resumedPlan(Checkpoint.Contents checkpoint, RunSettings settings, TrainingOptions o) {
        Map<String, String> stored = storedTraining(checkpoint);
        TrainedWith run = TrainedWith.of(checkpoint);
        Plan fresh = newPlan(settings, o);
        // The schedule, warm-up, weight decay and clipping the run was started with (runs from before
        // a setting was honoured trained without it), whatever the train block says now.
        Optimisation optimisation = Optimisation.stored(stored);
        long seed = run.seed();
        double lr = run.lr();
        int batch = run.batch() != null ? run.batch() : fresh.batch();
        long steps = o.steps() != null ? o.steps() : stored.containsKey("steps") ? Long.parseLong(stored.get("steps")) : fresh.steps();
        refuseConflict("--seed", o.seed(), seed);
        refuseConflict("--lr", o.learningRate(), lr);
        refuseConflict("--batch", o.batch() == null ? null : o.batch().intValue(), batch);
        if (steps < checkpoint.trainingStep() && o.steps() != null) {
            throw new InvalidSettingException("--steps is the run's total number of steps, and this run has already done "
                    + checkpoint.trainingStep() + "; pass a larger total to train further");
        }
        // The checkpoint's optimizer state carries the betas and eps the run was started with.
        var adam = new Betas(checkpoint.adam().beta1(), checkpoint.adam().beta2(), checkpoint.adam().eps());
        // A run that started from another keeps saying so.
        return new Plan(seed, lr, optimisation, adam, batch, steps, Transfer.originIn(stored));
    }

    private static Map<String, String> storedTraining(Checkpoint.Contents checkpoint) {
        return checkpoint.provenance() == null ? Map.of() : checkpoint.provenance().training();
    }

    /**
     * The settings a trained run keeps for its whole life, as its checkpoint records them (format 1
     * checkpoints, without provenance, give the seed and learning rate of their header and no
     * batch, which a resumed run then takes from the script).
     */
    private record TrainedWith(long seed, double lr, Integer batch) {
        static TrainedWith of(Checkpoint.Contents checkpoint) {
            Map<String, String> stored = storedTraining(checkpoint);
            return new TrainedWith(
                    stored.containsKey("seed") ? Long.parseLong(stored.get("seed")) : checkpoint.seed(),
                    stored.containsKey("lr") ? Double.parseDouble(stored.get("lr")) : checkpoint.adam().learningRate(),
                    stored.containsKey("batch") ? Integer.valueOf(stored.get("batch")) : null);
        }
    }

    /**
     * Whether resuming the run of {@code checkpoint} with {@code o} would be refused because an
     * option contradicts what the run was trained with — its seed, learning rate, batch or
     * precision — by the same rules {@link #train} applies.
     */
    static boolean contradicts(Checkpoint.Contents checkpoint, TrainingOptions o) {
        TrainedWith run = TrainedWith.of(checkpoint);
        return (o.seed() != null && o.seed() != run.seed())
                || (o.learningRate() != null && o.learningRate() != run.lr())
                || (o.batch() != null && run.batch() != null && o.batch().intValue() != run.batch())
                || (o.precision() != null && o.precision() != Precision.named(checkpoint.dtype()));
    }

    /**
     * The precision a trained run was trained in (its checkpoint's dtype); {@code given}, when not
     * null, must be the same: a flow's weights are of one precision for its whole life.
     */
    static Precision trainedPrecision(Checkpoint.Contents checkpoint, Precision given, String what) {
        Precision trained = Precision.named(checkpoint.dtype());
        if (given != null && given != trained) {
            throw new InvalidSettingException("--precision " + given + " contradicts the run, which was trained in --precision " + trained
                    + ": " + what + " a run in the precision it was trained in. Drop --precision, or train a new run in "
                    + given + " with --force or another --out");
        }
        return trained;
    }

    private static void refuseConflict(String option, Object given, Object runs) {
        if (given != null && !given.equals(runs)) {
            throw new InvalidSettingException(option + " " + given + " contradicts the run being resumed, which uses " + option + " " + runs
                    + ": --resume continues a run with its own seed, learning rate and batch. Drop " + option
                    + ", or start a new run with --force or another --out");
        }
    }
}
