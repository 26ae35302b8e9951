package org.equiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.equiflow.api.CorrelationException.Problem;
import org.equiflow.compiler.model.Printer;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.io.AtomicFiles;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.ComparisonTable;
import org.equiflow.io.EnsembleMetadata;
import org.equiflow.io.Ensembles;
import org.equiflow.io.Npy;
import org.equiflow.io.RunDescription;
import org.equiflow.io.RunReport;
import org.equiflow.optim.Adam;
import org.equiflow.physics.ExactAnswers;
import org.equiflow.physics.Measurements;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.stats.Binning;
import org.equiflow.stats.Estimate;
import org.equiflow.stats.Jackknife;
import org.equiflow.stats.Reweighting;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/**
 * Correlated ensembles (reweighting between couplings through a flow): the configurations U of an
 * ensemble at couplings α₁ are mapped by a flow f trained towards the theory at α₂, and weighted
 * with log w(U) = −S₂(f(U)) + log|det J_f(U)| + S₁(U), so that ⟨O⟩₂ = Σ w O(f(U)) / Σ w and the
 * difference ⟨O⟩₂ − ⟨O⟩₁ come from the same configurations, with correlated fluctuations.
 *
 * <p>The map is trained by reverse KL with the ensemble as its prior: KL(f#p₁‖p₂) =
 * E_{U∼p₁}[S₂(f(U)) − log|det J_f(U)| − S₁(U)] + ln Z₂ − ln Z₁, over minibatches of the ensemble,
 * differentiated through f only. It starts at the identity (its nets' last convolutions zeroed, and
 * checked), so that training starts from plain reweighting, which is also reported as the baseline.
 */
final class Correlation {
    private Correlation() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The sampler named in the result's metadata. */
    static final String METHOD = "correlated";
    /** The report's table of every estimate, one row per observable. */
    static final String TABLE = "correlation.csv";
    /** Configurations per evaluation batch of the whole ensemble. */
    private static final int CHUNK = 256;
    /** Fewer configurations than this cannot be binned into enough jackknife bins to trust an error. */
    static final int MIN_CONFIGURATIONS = 20;

    /** The input ensemble, as read and checked. */
    private record Ensemble(Path directory, float[] configs, int count, EnsembleMetadata meta, JsonNode run) {}

    static CorrelationResult run(Session session, CorrelationOptions o, CorrelationListener listener) throws IOException, ScriptException {
        if (o.ensemble() == null) throw new InvalidSettingException("--ensemble is required: the run directory of the ensemble at α₁");
        if (o.toSet().isEmpty()) {
            throw new InvalidSettingException("--to-set names no coupling: give the couplings α₂ to map the ensemble to, e.g. --to-set T.m2=-3.8");
        }
        long steps = Limits.range("--steps", o.steps() != null ? o.steps() : CorrelationOptions.DEFAULT_STEPS, 0, Integer.MAX_VALUE);
        int batch = (int) Limits.range("--batch", o.batch() != null ? o.batch() : CorrelationOptions.DEFAULT_BATCH, 1, Limits.MAX_BATCH);
        double lr = Limits.positive("--lr", o.learningRate() != null ? o.learningRate() : CorrelationOptions.DEFAULT_LEARNING_RATE);
        long seed = o.seed() != null ? o.seed() : 0;
        if (o.binSize() != null) Limits.range("--bin-size", o.binSize(), 1, Integer.MAX_VALUE);
        Precision precision = o.precision() != null ? o.precision() : Precision.F64;

        Map<String, String> targetOverrides = new LinkedHashMap<>(session.overrides());
        targetOverrides.putAll(o.toSet());
        Session target = Session.open(session.script(), targetOverrides);
        Workspace from = Workspace.of(session, o.flow(), null), to = Workspace.of(target, o.flow(), null);
        TheoryInstance first = from.flow().theory(), second = to.flow().theory();
        if (!first.lattice().sizes().equals(second.lattice().sizes())) {
            throw new CorrelationException(Problem.DIFFERENT_LATTICE, "--to-set changes the lattice (" + first.lattice().sizes() + " → "
                    + second.lattice().sizes() + "); a map between couplings keeps the lattice. Set only couplings with --to-set");
        }
        TrustReporting.refuseUnboundedAction(second, target.program().names());
        Ensemble ensemble = read(o.ensemble(), first, session);
        Path directory = o.out() != null ? o.out() : Path.of("runs", stem(session), "correlate", from.flow().name(),
                Workspace.overrideLabel(targetOverrides));
        refuseOccupied(directory, ensemble.directory(), o.force());

        try (RunDirectory held = RunDirectory.open(directory)) {
            long start = System.nanoTime();
            var map = new CompiledFlow(to.ir(), precision.dtypeOnCurrentBackend(), seed);
            var source = new CompiledFlow(from.ir(), precision.dtypeOnCurrentBackend(), seed);
            List<Double> losses = new ArrayList<>();
            if (steps > 0) {
                startAtIdentity(map, ensemble, first);
                listener.started(steps, batch, ensemble.count());
                losses = train(map, source, ensemble, first, steps, batch, lr, seed, listener);
            }
            double trainingSeconds = (System.nanoTime() - start) / 1e9;
            int count = ensemble.count(), values = (int) first.valuesPerConfiguration();
            float[] mapped = steps > 0 ? new float[ensemble.configs().length] : ensemble.configs();
            double[] logW = new double[count], identityLogW = new double[count];
            for (int from0 = 0; from0 < count; from0 += CHUNK) {
                int n = Math.min(CHUNK, count - from0);
                Tensor u = batchOf(map, ensemble.configs(), from0, n, values);
                Tensor s1 = source.action(u);
                Tensor s2AtU = map.action(u);
                CompiledFlow.Forward out = steps > 0 ? map.forward(u) : null;
                Tensor s2 = steps > 0 ? map.action(out.x()) : s2AtU;
                for (int b = 0; b < n; b++) {
                    identityLogW[from0 + b] = -s2AtU.get(b) + s1.get(b);
                    logW[from0 + b] = steps > 0 ? -s2.get(b) + out.logDet().get(b) + s1.get(b) : identityLogW[from0 + b];
                }
                if (steps > 0) for (int i = 0; i < n * values; i++) mapped[from0 * values + i] = (float) out.x().get(i);
            }
            requireFinite(logW, "the trained map's");
            requireFinite(identityLogW, "plain reweighting's (f = identity)");
            var names = session.program().names();
            Map<String, double[]> o1 = Measurements.perConfiguration(first, names, ensemble.configs(), count);
            Map<String, double[]> o2 = Measurements.perConfiguration(second, target.program().names(), mapped, count);
            Map<String, double[]> o2AtU = steps > 0 ? Measurements.perConfiguration(second, target.program().names(), ensemble.configs(), count) : o2;
            int bin = binSize(o, o1, logW, identityLogW, count);
            double[] w = weights(logW), w0 = weights(identityLogW);
            List<CorrelationResult.Observable> observables = new ArrayList<>();
            for (var entry : o1.entrySet()) {
                String name = entry.getKey();
                if (!o2.containsKey(name)) continue;
                double[] a = entry.getValue();
                Estimate[] mappedEstimates = estimates(a, w, o2.get(name), bin);
                Estimate[] identityEstimates = estimates(a, w0, o2AtU.get(name), bin);
                observables.add(new CorrelationResult.Observable(name, Jackknife.mean(a, bin), mappedEstimates[0], mappedEstimates[1],
                        identityEstimates[0], identityEstimates[1]));
            }
            double ess = Reweighting.ess(logW), identityEss = Reweighting.ess(identityLogW);
            Path current = directory.resolve(RunDirectory.CURRENT);
            var result = new CorrelationResult(observables, count, bin, ess, identityEss, losses, directory, current.resolve("report"));
            Path staged = held.stage();
            writeEnsemble(staged, target, to, second, mapped, count, logW, ess, seed, ensemble, trainingSeconds);
            writeReport(staged, session, second, from, ensemble, result, o.toSet(), steps, batch, lr, seed, precision, trainingSeconds);
            held.commit(staged);
            return result;
        }
    }

    private static String stem(Session session) {
        return Path.of(session.scriptName()).getFileName().toString().replaceFirst("\\.flow$", "");
    }

    /** [⟨O⟩₂, ⟨O⟩₂ − ⟨O⟩₁]: ratios of weighted means, jackknifed over the same bins as ⟨O⟩₁, so that the difference keeps its correlation. */
    private static Estimate[] estimates(double[] o1, double[] w, double[] o2, int bin) {
        double[] wo = new double[w.length];
        for (int i = 0; i < w.length; i++) wo[i] = w[i] * o2[i];
        double[][] series = {w, wo, o1};
        return new Estimate[] {Jackknife.derived(series, bin, m -> m[1] / m[0]), Jackknife.derived(series, bin, m -> m[1] / m[0] - m[2])};
    }

    /** Weights relative to the largest, so that none overflows. */
    private static double[] weights(double[] logW) {
        double max = Double.NEGATIVE_INFINITY;
        for (double lw : logW) max = Math.max(max, lw);
        double[] w = new double[logW.length];
        for (int i = 0; i < w.length; i++) w[i] = Math.exp(logW[i] - max);
        return w;
    }

    /**
     * The bins must outlast the input chain's autocorrelation: 5 τ_int (Γ-method) of the slowest of
     * the observables and the weights, at most N/20 so that at least 20 bins remain.
     */
    private static int binSize(CorrelationOptions o, Map<String, double[]> o1, double[] logW, double[] identityLogW, int count) {
        if (o.binSize() != null) {
            if (count / o.binSize() < 2) {
                throw new InvalidSettingException("--bin-size " + o.binSize() + " leaves fewer than 2 bins of the " + count + " configurations");
            }
            return (int) (long) o.binSize();
        }
        double tau = 0.5;
        List<double[]> series = new ArrayList<>(o1.values());
        series.add(weights(logW));
        series.add(weights(identityLogW));
        for (double[] s : series) {
            try {
                double t = Autocorrelation.gamma(s).tauInt();
                if (Double.isFinite(t)) tau = Math.max(tau, t);
            } catch (IllegalArgumentException constantSeries) {
                // a constant series (weights of a map that changes nothing) has no autocorrelation to bin away
            }
        }
        return Math.max(1, Math.min(Binning.suggestedBinSize(tau), count / MIN_CONFIGURATIONS));
    }

    private static void requireFinite(double[] logW, String whose) {
        for (int i = 0; i < logW.length; i++) {
            if (!Double.isFinite(logW[i])) {
                throw new CorrelationException(Problem.NON_FINITE_WEIGHTS, whose + " log weight −S₂(f(U)) + log|det J| + S₁(U) of configuration " + i
                        + " is " + logW[i] + ", so the ensemble cannot be reweighted to α₂; nothing was written"
                        + "\n   help: choose α₂ nearer α₁, train the map with fewer --steps or a lower --lr, or use --precision f64");
            }
        }
    }

    /** Configurations [from, from + n) of the ensemble as a batch of the flow's input. */
    private static Tensor batchOf(CompiledFlow flow, float[] configs, int from, int n, int values) {
        Tensor t = Tensor.zeros(flow.fieldShape(n), flow.dtype());
        for (int i = 0; i < n * values; i++) t.set(i, configs[from * values + i]);
        return t;
    }

    /**
     * Zeroes the last convolution of every net, which makes an affine coupling the identity (s = t =
     * 0), and checks on the first configurations that the whole map is: f(U) = U and log|det J| = 0.
     * A layer that is not the identity then (a spline, an output activation that is not 0 at 0) is refused.
     */
    private static void startAtIdentity(CompiledFlow map, Ensemble ensemble, TheoryInstance theory) {
        Map<String, Integer> lastConv = new LinkedHashMap<>();
        for (String name : map.parameterNames()) {
            int at = name.lastIndexOf(".conv");
            if (at < 0) continue;
            String rest = name.substring(at + 5);
            int dot = rest.indexOf('.');
            if (dot < 0) continue;
            lastConv.merge(name.substring(0, at), Integer.parseInt(rest.substring(0, dot)), Math::max);
        }
        for (String name : map.parameterNames()) {
            int at = name.lastIndexOf(".conv");
            if (at < 0) continue;
            String rest = name.substring(at + 5);
            if (Integer.parseInt(rest.substring(0, rest.indexOf('.'))) != lastConv.get(name.substring(0, at))) continue;
            Tensor p = map.parameters().get(name);
            for (int i = 0; i < p.size(); i++) p.set(i, 0.0);
        }
        int values = (int) theory.valuesPerConfiguration(), n = Math.min(ensemble.count(), 16);
        Tensor u = batchOf(map, ensemble.configs(), 0, n, values);
        CompiledFlow.Forward out = map.forward(u);
        double moved = 0, logDet = 0, scale = 1;
        for (int i = 0; i < u.size(); i++) {
            moved = Math.max(moved, Math.abs(out.x().get(i) - u.get(i)));
            scale = Math.max(scale, Math.abs(u.get(i)));
        }
        for (int b = 0; b < n; b++) logDet = Math.max(logDet, Math.abs(out.logDet().get(b)));
        if (!(moved <= 1e-5 * scale) || !(logDet <= 1e-5 * values)) {
            throw new CorrelationException(Problem.NOT_IDENTITY_AT_START, String.format(Locale.ROOT,
                    "the flow `%s` is not the identity with its nets' last convolutions zeroed (|f(U) − U| up to %.3g, |log det J| up to %.3g),"
                            + " so training would not start from plain reweighting; nothing was written"
                            + "\n   help: use affine couplings whose nets end in a convolution and `out_act = tanh` (or none), or --steps 0"
                            + " for plain reweighting", map.program().model().name(), moved, logDet));
        }
    }

    /** Reverse KL of f#p₁ against p₂ over minibatches of the ensemble, gradient through f only; returns the loss per step. */
    private static List<Double> train(CompiledFlow map, CompiledFlow source, Ensemble ensemble, TheoryInstance theory, long steps, int batch,
                                      double lr, long seed, CorrelationListener listener) {
        Adam adam = Trainer.adamFor(map, lr);
        int values = (int) theory.valuesPerConfiguration(), count = ensemble.count();
        List<Double> losses = new ArrayList<>();
        Tensor picked = Tensor.zeros(map.fieldShape(batch), map.dtype());
        for (int step = 0; step < steps; step++) {
            // each step's minibatch is a function of the seed and the step alone
            var random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
            for (int b = 0; b < batch; b++) {
                int c = random.nextInt(count);
                for (int i = 0; i < values; i++) picked.set(b * values + i, ensemble.configs()[c * values + i]);
            }
            double s1 = 0;
            Tensor s1s = source.action(picked);
            for (int b = 0; b < batch; b++) s1 += s1s.get(b) / batch;
            double loss;
            try (Tape tape = Tape.open()) {
                CompiledFlow.Forward out = map.forward(picked);
                Tensor objective = Ops.meanOverBatch(Ops.sub(map.action(out.x()), out.logDet()));
                loss = objective.get(0) - s1;
                if (!Double.isFinite(loss)) {
                    throw new CorrelationException(Problem.NON_FINITE_WEIGHTS, "training the map: the loss at step " + step + " is " + loss
                            + "; nothing was written\n   help: lower --lr, or choose α₂ nearer α₁");
                }
                tape.gradientsOfLeaves(objective).forEach(Tensor::accumulateGrad);
            }
            adam.step();
            adam.zeroGrad();
            losses.add(loss);
            listener.stepped(step, loss);
        }
        return losses;
    }

    /** Reads the ensemble and refuses one that is not a sample of the session's theory at α₁, naming what differs. */
    private static Ensemble read(Path directory, TheoryInstance first, Session session) {
        Path sidecar = directory.resolve("ensemble.json"), array = directory.resolve("ensemble.npy");
        if (!Files.isDirectory(directory) || !Files.isRegularFile(sidecar) || !Files.isRegularFile(array)) {
            throw new CorrelationException(Problem.NO_ENSEMBLE, directory + (Files.isDirectory(directory) ? " holds no sampled ensemble"
                    + " (ensemble.json and ensemble.npy)" : " is not a directory") + "; nothing was run"
                    + "\n   help: pass the run directory of `equiflow hmc` or `equiflow sample`, e.g. --ensemble runs/phi4_tutorial/hmc/T");
        }
        EnsembleMetadata meta;
        JsonNode run;
        float[] configs;
        try {
            meta = EnsembleMetadata.read(sidecar);
            run = JSON.readTree(Files.readAllBytes(sidecar)).path("run");
            configs = Npy.readFloats(array).data();
        } catch (IOException | RuntimeException e) {
            throw new CorrelationException(Problem.UNREADABLE_ENSEMBLE, "the ensemble in " + directory + " cannot be read: " + e.getMessage());
        }
        if (Files.exists(directory.resolve("ensemble_log_weights.npy")) || "reweighting".equals(meta.samplerMethod())) {
            throw new CorrelationException(Problem.WEIGHTED_ENSEMBLE, "the ensemble in " + directory + " carries importance weights ("
                    + meta.samplerMethod() + "), so it is not a sample of p₁"
                    + "\n   help: use an HMC ensemble or a flow's independence-Metropolis chain");
        }
        if (meta.fieldKind() != null && !meta.fieldKind().equals(first.field().toString())) {
            throw new CorrelationException(Problem.DIFFERENT_FIELD, "the ensemble in " + directory + " is of the field `" + meta.fieldKind()
                    + "`, the script's theory " + first.name() + " of `" + first.field() + "`");
        }
        if (!meta.lattice().equals(first.lattice().sizes())) {
            throw new CorrelationException(Problem.DIFFERENT_LATTICE, "the ensemble in " + directory + " is on the lattice " + meta.lattice()
                    + ", the script's theory " + first.name() + " on " + first.lattice().sizes()
                    + "\n   help: --set " + first.name() + ".lattice=" + meta.lattice().toString().replace(" ", ""));
        }
        String sha = Checkpoint.sha256Hex(Printer.theoryDefinition(first));
        String recorded = run.path(Artifacts.THEORY_SHA256).asText(null);
        List<String> differences = new ArrayList<>();
        first.parameters().forEach((name, value) -> {
            Object theirs = meta.theoryParameters().get(name);
            if (name.equals("lattice") || theirs == null) return;
            boolean same = value instanceof Number a && theirs instanceof Number b ? a.doubleValue() == b.doubleValue() : value.equals(theirs);
            if (!same) differences.add(first.name() + "." + name + " = " + theirs + " in the ensemble, " + value + " here");
        });
        if (!meta.theory().equals(first.name()) || !differences.isEmpty() || (recorded != null && !recorded.equals(sha))) {
            String overrides = run.path("overrides").isObject() ? run.path("overrides").toString() : "{}";
            throw new CorrelationException(Problem.DIFFERENT_THEORY, "the ensemble in " + directory + " is not a sample of the script's theory "
                    + first.name() + " at the couplings α₁ it was opened with"
                    + (differences.isEmpty() ? " (theory " + meta.theory() + ", or its definition differs)" : ":\n   - " + String.join("\n   - ", differences))
                    + "\n   help: open the script with the ensemble's --set values " + overrides + " (α₁), and name α₂ with --to-set");
        }
        int values = (int) first.valuesPerConfiguration();
        if (configs.length != meta.count() * values) {
            throw new CorrelationException(Problem.UNREADABLE_ENSEMBLE, "the ensemble in " + directory + " holds " + configs.length
                    + " values, but its sidecar says " + meta.count() + " configurations of " + values);
        }
        if (meta.count() < MIN_CONFIGURATIONS) {
            throw new CorrelationException(Problem.TOO_FEW_CONFIGURATIONS, "the ensemble in " + directory + " holds " + meta.count()
                    + " configurations; correlating needs at least " + MIN_CONFIGURATIONS + " for its jackknife bins");
        }
        return new Ensemble(directory, configs, (int) meta.count(), meta, run);
    }

    /** Never write over the input, a trained flow, or (without force) another result. */
    private static void refuseOccupied(Path directory, Path input, boolean force) throws IOException {
        if (Files.isDirectory(directory) && Files.isDirectory(input) && Files.isSameFile(directory, input)) {
            throw new CorrelationException(Problem.RESULT_EXISTS, "--out " + directory + " is the input ensemble's run directory; pass another --out");
        }
        if (Files.exists(directory.resolve("checkpoint.eqf"))) {
            throw new CorrelationException(Problem.RESULT_EXISTS, directory + " holds a trained flow (checkpoint.eqf); pass another --out");
        }
        if (!force && (Files.exists(directory.resolve("ensemble.json")) || Files.isSymbolicLink(directory.resolve(RunDirectory.CURRENT)))) {
            throw new CorrelationException(Problem.RESULT_EXISTS, directory + " already holds a result; nothing was changed"
                    + "\n   help: pass --force to replace it, or --out DIR for another directory");
        }
    }

    private static void writeEnsemble(Path into, Session target, Workspace to, TheoryInstance second, float[] mapped, int count, double[] logW,
                                      double ess, long seed, Ensemble input, double trainingSeconds) throws IOException {
        var meta = new EnsembleMetadata(second.name(), second.parameters(), second.lattice().sizes(), second.field().toString(), to.flow().name(),
                target.scriptName(), Checkpoint.sha256Hex(target.scriptText()), seed, METHOD, count, Double.NaN, ess, Instant.now(),
                Artifacts.version(), Map.of());
        Npy.write(into.resolve("ensemble_log_weights.npy"), logW, count);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("overrides", new TreeMap<>(target.overrides()));
        run.put("input_ensemble", input.directory().toString());
        run.put(Artifacts.THEORY_SHA256, Checkpoint.sha256Hex(Printer.theoryDefinition(second)));
        run.put(Artifacts.THEORY_DEFINITION, Printer.theoryDefinition(second));
        run.put(Artifacts.TRAINING_SECONDS, trainingSeconds);
        Ensembles.write(into, "ensemble", mapped, Artifacts.ensembleShape(second, count), meta, run);
    }

    private static void writeReport(Path into, Session session, TheoryInstance second, Workspace from, Ensemble input, CorrelationResult r,
                                    Map<String, String> toSet, long steps, int batch, double lr, long seed, Precision precision,
                                    double trainingSeconds) throws IOException {
        List<Map<String, Object>> observables = new ArrayList<>(), table = new ArrayList<>();
        for (var o : r.observables()) {
            observables.add(row(o.name() + " at α₁", o.first()));
            observables.add(row(o.name() + " at α₂ (map)", o.second()));
            observables.add(row(o.name() + " α₂ − α₁ (map)", o.difference()));
            observables.add(row(o.name() + " at α₂ (identity)", o.identitySecond()));
            observables.add(row(o.name() + " α₂ − α₁ (identity)", o.identityDifference()));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("observable", o.name());
            put(line, "first", o.first());
            put(line, "second", o.second());
            put(line, "difference", o.difference());
            put(line, "identity_second", o.identitySecond());
            put(line, "identity_difference", o.identityDifference());
            table.add(line);
        }
        List<Map<String, Object>> sampler = List.of(row("ess (map)", new Estimate(r.ess(), Double.NaN, 0)),
                row("ess (identity)", new Estimate(r.identityEss(), Double.NaN, 0)));
        List<Map<String, Object>> training = new ArrayList<>();
        for (int s = 0; s < r.losses().size(); s++) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put(RunReport.STEP, s + 1);
            line.put(RunReport.LOSS, r.losses().get(s));
            training.add(line);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("method", METHOD + " (map " + from.flow().name() + ", " + (steps == 0 ? "identity: plain reweighting" : steps + " steps") + ")");
        settings.put("input ensemble", input.directory() + " (" + input.meta().samplerMethod() + ", " + r.count() + " configurations)");
        settings.put("to-set", new TreeMap<>(toSet).toString());
        settings.put("bin size", Integer.toString(r.binSize()));
        settings.put("precision", precision.label());
        Map<String, String> trainingSettings = new LinkedHashMap<>();
        if (steps > 0) {
            trainingSettings.put("loss", "reverse KL of f#p₁ against p₂, over minibatches of the ensemble");
            trainingSettings.put("steps", Long.toString(steps));
            trainingSettings.put(RunDescription.BATCH, Integer.toString(batch));
            trainingSettings.put("lr", Double.toString(lr));
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Workspace.theoryParameters(second).forEach(parameters::put);
        var description = new RunDescription("correlated ensemble: " + from.flow().theory().name() + " at α₁ → α₂ on " + second.lattice().sizes(),
                "correlated run", session.scriptName(), session.scriptText(), parameters, new TreeMap<>(session.overrides()),
                Map.of("seed", Long.toString(seed)), settings, trainingSettings,
                Map.of("training", String.format(Locale.ROOT, "%.1f s", trainingSeconds)));
        List<String> notes = List.of(
                "log w(U) = −S₂(f(U)) + log|det J_f(U)| + S₁(U); ⟨O⟩₂ = Σ w O(f(U)) / Σ w; the difference ⟨O(f(U))⟩_w − ⟨O(U)⟩ is jackknifed"
                        + " over the same " + (r.count() / r.binSize()) + " bins of " + r.binSize() + " configurations as ⟨O⟩₁, so it keeps their correlation",
                "identity: f = id, plain reweighting between the couplings, the baseline of the trained map",
                "ESS is (Σw)²/(N Σw²) of the weights over the input's configurations, not over independent ones");
        List<ComparisonTable> comparisons = new ArrayList<>();
        if (ExactAnswers.of(second) instanceof ExactAnswers.Known known) {
            List<ComparisonTable.Row> rows = new ArrayList<>();
            for (var o : r.observables()) {
                Double exact = known.answer().values().get(o.name());
                if (exact == null) continue;
                rows.add(new ComparisonTable.Row(o.name() + " (map)", o.second().value(), o.second().error(), exact, 0,
                        (o.second().value() - exact) / o.second().error()));
                rows.add(new ComparisonTable.Row(o.name() + " (identity)", o.identitySecond().value(), o.identitySecond().error(), exact, 0,
                        (o.identitySecond().value() - exact) / o.identitySecond().error()));
            }
            if (!rows.isEmpty()) comparisons.add(new ComparisonTable("exact", "⟨O⟩₂ against the exact answer: " + known.answer().description(), rows));
        }
        Path report = into.resolve("report");
        Files.createDirectories(report);
        new RunReport(description, training, sampler, observables, Map.of(), null, List.of(), comparisons, notes).write(report);
        AtomicFiles.write(report.resolve(TABLE), RunReport.csv(table).getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> row(String name, Estimate e) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("observable", name);
        row.put(RunReport.VALUE, e.value());
        if (!Double.isNaN(e.error())) row.put(RunReport.ERROR, e.error());
        return row;
    }

    private static void put(Map<String, Object> line, String key, Estimate e) {
        line.put(key, e.value());
        line.put(key + "_error", e.error());
    }
}
