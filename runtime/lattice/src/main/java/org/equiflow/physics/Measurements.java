package org.equiflow.physics;

import com.oracle.truffle.api.CallTarget;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.stats.Estimate;
import org.equiflow.stats.Jackknife;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;

/**
 * Measures configurations: the theory's own observables (lowered from the script and run on the
 * samples) and the built-in measurements of its field kind, which its {@link FieldBehaviour}
 * computes with the estimators here.
 *
 * Two kinds of sample: a Markov chain (flow + Metropolis, HMC), where primary observables get
 * Γ-method errors and τ_int and derived ones jackknife errors on bins sized from the largest
 * τ_int, so runs of rejections do not shrink the error bars; or independent proposals with
 * importance weights w = e^{−S}/q, where every estimate is a ratio of weighted means with a
 * jackknife error.
 */
public final class Measurements {
    private Measurements() {}

    /** One line of the results table. {@code tauInt} is NaN where it does not apply. */
    public record Result(String name, double value, double error, double tauInt) {}

    /**
     * A function of lattice displacement with errors: {@code value[i]} is measured at
     * {@code displacements[i]}, one coordinate per lattice axis. {@code key} names it in files.
     */
    public record Profile(String key, String name, int[][] displacements, double[] value, double[] error) {}

    /** G(t) with errors and τ_int (NaN for weighted proposals), and the effective mass with errors. */
    public record Correlator(double[] value, double[] error, double[] tauInt, double[] effectiveMass, double[] effectiveMassError) {}

    /**
     * What a measurement found. {@code series} holds per-configuration values in the ensemble's
     * order under stable names ({@link #MAGNETIZATION}, {@link #TOPOLOGICAL_CHARGE}, {@link #PLAQUETTE}),
     * for the report's histories and histograms; a field kind fills those it has.
     */
    public record Report(List<Result> results, Correlator correlator, List<Profile> profiles, Map<String, double[]> series,
                         List<String> notes) {
        public Report {
            series = Collections.unmodifiableMap(new LinkedHashMap<>(series));
        }
    }

    /** m = (1/V) Σ_x φ(x) per configuration. */
    public static final String MAGNETIZATION = "magnetization";
    /** Q = Σ_x arg P(x) / 2π per configuration (an integer on the 2D torus). */
    public static final String TOPOLOGICAL_CHARGE = "topological_charge";
    /** (1/V) Σ_x cos P(x) per configuration. */
    public static final String PLAQUETTE = "plaquette";

    /** How estimates and errors are formed from per-sample series. */
    interface Estimator {
        Result primary(String name, double[] series);

        Estimate derived(double[][] series, ToDoubleFunction<double[]> fOfMeans);
    }

    /** Markov chain: Γ-method for primaries; jackknife on bins of the chain for derived quantities. */
    static final class ChainEstimator implements Estimator {
        int bin = 1;

        public Result primary(String name, double[] series) {
            var a = Autocorrelation.gamma(series);
            return new Result(name, a.mean(), a.error(), a.tauInt());
        }

        public Estimate derived(double[][] series, ToDoubleFunction<double[]> f) {
            return Jackknife.derived(series, bin, f);
        }
    }

    /** Independent proposals with importance weights: ⟨O⟩ = Σ w O / Σ w, as a jackknifed ratio of means. */
    static final class WeightedEstimator implements Estimator {
        final double[] weights;

        WeightedEstimator(double[] logWeights) {
            double max = Double.NEGATIVE_INFINITY;
            for (double lw : logWeights) max = Math.max(max, lw);
            weights = new double[logWeights.length];
            for (int i = 0; i < weights.length; i++) weights[i] = Math.exp(logWeights[i] - max);
        }

        public Result primary(String name, double[] series) {
            var e = derived(new double[][] {series}, means -> means[0]);
            return new Result(name, e.value(), e.error(), Double.NaN);
        }

        public Estimate derived(double[][] series, ToDoubleFunction<double[]> f) {
            double[][] weighted = new double[series.length + 1][];
            weighted[0] = weights;
            for (int k = 0; k < series.length; k++) {
                weighted[k + 1] = new double[weights.length];
                for (int i = 0; i < weights.length; i++) weighted[k + 1][i] = weights[i] * series[k][i];
            }
            return Jackknife.derived(weighted, 1, means -> {
                double[] averages = new double[series.length];
                for (int k = 0; k < averages.length; k++) averages[k] = means[k + 1] / means[0];
                return f.applyAsDouble(averages);
            });
        }
    }

    /** Measures a Markov chain of {@code count} configurations. */
    public static Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested) {
        return measure(theory, names, configs, count, requested, null);
    }

    /** Measures {@code count} configurations: a Markov chain when {@code logWeights} is null, else weighted proposals. */
    public static Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                                 double[] logWeights) {
        return FieldBehaviours.of(theory.field()).measure(theory, names, configs, count, requested, logWeights);
    }

    /**
     * Per-configuration values of every observable that is a plain mean over configurations, by
     * name, in the ensemble's order: the theory's own observables (lowered from the script; one
     * that cannot be lowered is left out), then the field kind's: for real scalars {@code phi2}
     * (1/V Σₓφ²), {@code abs_magnetization} |m| and {@code susceptibility} V m²; for link fields the
     * series their measurement records ({@link #PLAQUETTE}, {@link #TOPOLOGICAL_CHARGE}). Derived
     * quantities (Binder cumulant, ξ₂) are not means and are not here. For estimators that need
     * the raw series, such as reweighting between couplings.
     */
    public static Map<String, double[]> perConfiguration(TheoryInstance theory, Resolution names, float[] configs, int count) {
        Map<String, double[]> series = new LinkedHashMap<>();
        int channels = (int) (theory.valuesPerConfiguration() / theory.lattice().volume());
        for (TheoryInstance.Observable o : theory.observables()) {
            try {
                series.put(o.name(), evaluate(theory, names, o, configs, count, channels));
            } catch (org.equiflow.compiler.ir.LoweringException notLowered) {
                // left out: measure() reports why in its notes
            }
        }
        if (theory.field().kind() == org.equiflow.compiler.model.FieldSpec.Kind.REAL) {
            var observables = new ScalarObservables(theory.lattice().sizes());
            int volume = observables.volume();
            double[] phi2 = new double[count], absM = new double[count], chi = new double[count];
            for (int c = 0; c < count; c++) {
                double m = observables.magnetization(configs, c);
                absM[c] = Math.abs(m);
                chi[c] = volume * m * m;
                phi2[c] = observables.meanSquare(configs, c);
            }
            series.put("phi2", phi2);
            series.put("abs_magnetization", absM);
            series.put("susceptibility", chi);
        } else {
            measure(theory, names, configs, count, List.of()).series().forEach(series::putIfAbsent);
        }
        return series;
    }

    /**
     * The theory's own requested observables, lowered from the script and run on the samples, each a primary
     * estimate; one that cannot be lowered becomes a note, not a failure of the whole measurement. Every series is
     * evaluated first, then their analyses run side by side on the common pool's threads, with those of the field
     * kind's own series in {@code alongside}, whose estimates are returned in their order.
     */
    static Result[] theoryObservables(TheoryInstance theory, Resolution names, Estimator estimator, float[] configs, int count,
                                      int channels, List<String> requested, List<Result> results, List<String> notes,
                                      double[]... alongside) {
        List<String> measured = new java.util.ArrayList<>();
        List<double[]> series = new java.util.ArrayList<>();
        for (TheoryInstance.Observable o : theory.observables()) {
            if (!requested.contains(o.name())) continue;
            try {
                series.add(evaluate(theory, names, o, configs, count, channels));
                measured.add(o.name());
            } catch (org.equiflow.compiler.ir.LoweringException e) {
                notes.add("observable `" + o.name() + "` was not measured: " + e.getMessage());
            }
        }
        int own = series.size();
        series.addAll(List.of(alongside));
        Result[] estimates = primaries(estimator, "", series.toArray(double[][]::new));
        for (int i = 0; i < own; i++) {
            Result r = estimates[i];
            results.add(new Result(measured.get(i), r.value(), r.error(), r.tauInt()));
        }
        return java.util.Arrays.copyOfRange(estimates, own, estimates.length);
    }

    /**
     * G(x)-like profiles: {@code perConfig} gives every point of one configuration. The configurations are cut into
     * blocks measured on the common pool's threads, each block with its own function from {@code perConfig} (so a
     * measurement with work arrays needs no locking), and the points' estimates run in parallel too: every value is
     * computed exactly as in one loop, so the profile has the same bits whatever the number of threads.
     */
    static Profile profile(String key, String name, Estimator estimator, float[] configs, int valuesPerConfiguration, int count, int points,
                           Supplier<IntFunction<double[]>> perConfig, IntFunction<int[]> displacement) {
        double[][] series = new double[points][count];
        eachConfiguration(configs, valuesPerConfiguration, count, series, perConfig);
        Result[] results = primaries(estimator, name, series);
        int[][] displacements = new int[points][];
        double[] value = new double[points], error = new double[points];
        for (int x = 0; x < points; x++) {
            displacements[x] = displacement.apply(x);
            value[x] = results[x].value();
            error[x] = results[x].error();
        }
        return new Profile(key, name, displacements, value, error);
    }

    /** Configurations per block of {@link #eachConfiguration}: large enough that a block outweighs handing it to a thread. */
    static final int BLOCK = 2048;

    /**
     * Fills {@code series[k][c]} with value k of configuration c (whose {@code values} numbers start at
     * {@code configs[c · values]}), for c = 0 … count−1, measuring the configurations in
     * blocks of {@link #BLOCK} on the common pool's threads; each block takes a fresh function from {@code perConfig}
     * (so a measurement with work arrays needs no locking). The function returns a new array for every configuration:
     * a block keeps the rows of its distinct states until it fills the series from them.
     *
     * A configuration whose values are, bit for bit, those of the configuration before it in the same block takes
     * that one's values instead of being measured again. A Markov chain repeats its state on every rejected proposal,
     * and a measurement is a function of the configuration alone, so the series keeps the bits of measuring every
     * configuration, while a chain at acceptance a costs about a of the measurements (plus one comparison of the
     * values per configuration).
     */
    static void eachConfiguration(float[] configs, int values, int count, double[][] series, Supplier<IntFunction<double[]>> perConfig) {
        int blocks = (count + BLOCK - 1) / BLOCK;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            IntFunction<double[]> measure = perConfig.get();
            int first = b * BLOCK, end = Math.min(count, first + BLOCK);
            // The distinct states' values first, one row each; then each series is filled on its own, front to back.
            // Writing all series at configuration c before going on to c + 1 touched one element in each of many
            // arrays of equal, large size: the garbage collector starts such arrays at region boundaries, so the
            // elements fell into one cache set and evicted each other.
            boolean[] repeats = new boolean[end - first];
            double[][] distinct = new double[end - first][];
            int states = 0;
            for (int c = first; c < end; c++) {
                repeats[c - first] = c > first && repeatsPrevious(configs, values, c);
                if (!repeats[c - first]) distinct[states++] = measure.apply(c);
            }
            for (int k = 0; k < series.length; k++) {
                double[] s = series[k];
                for (int c = first, state = 0; c < end; c++) s[c] = repeats[c - first] ? s[c - 1] : distinct[state++][k];
            }
        });
    }

    /** One value per configuration, measured as {@link #eachConfiguration} measures (repeated states once), by a function that keeps no work arrays. */
    static double[] eachConfiguration(float[] configs, int values, int count, java.util.function.IntToDoubleFunction perConfig) {
        double[] series = new double[count];
        eachConfiguration(configs, values, count, new double[][] {series}, () -> c -> new double[] {perConfig.applyAsDouble(c)});
        return series;
    }

    /** Whether configuration c ≥ 1 has, bit for bit, the values of configuration c − 1 (+0 and −0 differ). */
    static boolean repeatsPrevious(float[] configs, int values, int c) {
        return java.util.Arrays.equals(configs, c * values, (c + 1) * values, configs, (c - 1) * values, c * values);
    }

    /**
     * The estimates of independent series, {@code name} for each, on the common pool's threads: an estimate depends
     * on its own series only, so each has the bits one loop would give it. A series equal, bit for bit, to an
     * earlier one (G(x) and G(−x) are) takes that one's estimate instead of a second analysis.
     */
    static Result[] primaries(Estimator estimator, String name, double[][] series) {
        int[] first = firstEqual(series);
        Result[] results = new Result[series.length];
        IntStream.range(0, series.length).parallel().filter(i -> first[i] == i)
                .forEach(i -> results[i] = estimator.primary(name, series[i]));
        for (int i = 0; i < series.length; i++) results[i] = results[first[i]];
        return results;
    }

    /** For each series, the first series with its values ({@link java.util.Arrays#equals(double[], double[])}). */
    static int[] firstEqual(double[][] series) {
        int[] first = new int[series.length];
        int[] hashes = new int[series.length];
        IntStream.range(0, series.length).parallel().forEach(i -> hashes[i] = java.util.Arrays.hashCode(series[i]));
        Map<Integer, List<Integer>> byHash = new java.util.HashMap<>();
        for (int i = 0; i < series.length; i++) {
            first[i] = i;
            List<Integer> candidates = byHash.computeIfAbsent(hashes[i], h -> new java.util.ArrayList<>());
            for (int j : candidates) {
                if (java.util.Arrays.equals(series[j], series[i])) {
                    first[i] = j;
                    break;
                }
            }
            if (first[i] == i) candidates.add(i);
        }
        return first;
    }

    /** The n×n Wilson loop of configuration c, averaged over the lattice as the field kind defines it. */
    @FunctionalInterface
    interface SquareLoop {
        double of(int configuration, int n);
    }

    /**
     * The rows wilson_loop_1x1 … wilson_loop_LxL (L = {@code largest}) of a link field's configurations, each
     * configuration's loops measured together ({@link #eachConfiguration}), each size its own primary estimate.
     */
    static List<Result> squareWilsonLoops(Estimator estimator, float[] configs, int values, int count, int largest, SquareLoop loop) {
        double[][] w = new double[largest][count];
        eachConfiguration(configs, values, count, w, () -> c -> {
            double[] loops = new double[largest];
            for (int n = 1; n <= largest; n++) loops[n - 1] = loop.of(c, n);
            return loops;
        });
        Result[] estimates = primaries(estimator, "", w);
        List<Result> rows = new java.util.ArrayList<>();
        for (int n = 1; n <= largest; n++) {
            Result r = estimates[n - 1];
            rows.add(new Result("wilson_loop_" + n + "x" + n, r.value(), r.error(), r.tauInt()));
        }
        return rows;
    }

    /** The slice of G(x) along axis 0: displacements (x, 0, …), at row-major index x · (V / L₀). */
    static Profile alongAxisZero(Profile full, int extent, int sliceVolume) {
        int[][] displacements = new int[extent][];
        double[] value = new double[extent], error = new double[extent];
        for (int x = 0; x < extent; x++) {
            displacements[x] = full.displacements()[x * sliceVolume];
            value[x] = full.value()[x * sliceVolume];
            error[x] = full.error()[x * sliceVolume];
        }
        return new Profile(full.key() + "_axis0", "G(x, 0…)", displacements, value, error);
    }

    /**
     * The observable's value on every configuration, run through its lowered program in batches. Only the distinct
     * states are evaluated: a configuration that repeats the one before it (a rejected proposal) takes that one's
     * value. The program computes each configuration's value from that configuration alone, in an order that does not
     * depend on its batch, so the series has the bits of evaluating every configuration.
     */
    static double[] evaluate(TheoryInstance theory, Resolution names, TheoryInstance.Observable o, float[] configs,
                                     int count, int channels) {
        CallTarget target = IrTranslator.translate(IrPasses.optimize(Lowering.lowerObservable(theory, names, o)), new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        int volume = (int) theory.lattice().volume() * channels;
        int[] distinct = new int[count];
        int states = 0;
        for (int c = 0; c < count; c++) if (c == 0 || !repeatsPrevious(configs, volume, c)) distinct[states++] = c;
        double[] values = new double[states];
        int chunk = 1024;
        for (int start = 0; start < states; start += chunk) {
            int n = Math.min(chunk, states - start);
            Tensor field = Tensor.zeros(new Shape(n, channels, lattice), DType.F64);
            double[] f = field.f64();
            for (int b = 0; b < n; b++) {
                int from = distinct[start + b] * volume;
                for (int i = 0; i < volume; i++) f[b * volume + i] = configs[from + i];
            }
            Tensor value = ((Tensor[]) target.call(field))[0];
            for (int b = 0; b < n; b++) values[start + b] = value.get(b);
        }
        double[] series = new double[count];
        for (int c = 0, state = -1; c < count; c++) {
            if (state + 1 < states && distinct[state + 1] == c) state++;
            series[c] = values[state];
        }
        return series;
    }

    static Correlator correlator(ScalarObservables observables, Estimator estimator, float[] configs, int count) {
        int lt = observables.timeExtent();
        double[][] g = new double[lt][count];
        // zeroMomentumCorrelator keeps no work arrays: one instance serves every thread
        eachConfiguration(configs, observables.volume(), count, g, () -> c -> observables.zeroMomentumCorrelator(configs, c));
        double[] value = new double[lt], error = new double[lt], tauInt = new double[lt], mass = new double[lt], massError = new double[lt];
        Result[] results = primaries(estimator, "G(t)", g);
        for (int t = 0; t < lt; t++) {
            value[t] = results[t].value();
            error[t] = results[t].error();
            tauInt[t] = results[t].tauInt();
        }
        for (int t = 0; t < lt; t++) {
            int tt = t;
            // Where noise makes (G(t−1) + G(t+1)) / 2G(t) < 1 the effective mass does not exist: NaN, not an error.
            if (Double.isNaN(ScalarObservables.effectiveMass(value, t))) {
                mass[t] = massError[t] = Double.NaN;
                continue;
            }
            try {
                var e = estimator.derived(g, means -> ScalarObservables.effectiveMass(means, tt));
                mass[t] = e.value();
                massError[t] = e.error();
            } catch (IllegalArgumentException undefinedOnSomeBin) {
                mass[t] = ScalarObservables.effectiveMass(value, t);
                massError[t] = Double.NaN;
            }
        }
        return new Correlator(value, error, tauInt, mass, massError);
    }
}
