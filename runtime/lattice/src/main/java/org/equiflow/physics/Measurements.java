package org.equiflow.physics;

import com.oracle.truffle.api.CallTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.ToDoubleFunction;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.stats.Binning;
import org.equiflow.stats.Estimate;
import org.equiflow.stats.Jackknife;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;

/**
 * Measures real scalar configurations: the theory's own observables (lowered from the script and
 * run on the samples) and the built-in ones — |m|, ⟨φ²⟩, χ₂ = V⟨m²⟩, the Binder cumulant, the
 * translation-averaged G(x) at every displacement (and its slice along axis 0), the zero-momentum
 * correlator G(t), the effective mass and the second-moment
 * correlation length ξ₂.
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

    /** G(t) and the effective mass with errors. */
    public record Correlator(double[] value, double[] error, double[] effectiveMass, double[] effectiveMassError) {}

    public record Report(List<Result> results, Correlator correlator, List<Profile> profiles, double[] magnetizationSeries,
                         List<String> notes) {}

    /** How estimates and errors are formed from per-sample series. */
    private interface Estimator {
        Result primary(String name, double[] series);

        Estimate derived(double[][] series, ToDoubleFunction<double[]> fOfMeans);
    }

    /** Markov chain: Γ-method for primaries; jackknife on bins of the chain for derived quantities. */
    private static final class ChainEstimator implements Estimator {
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
    private static final class WeightedEstimator implements Estimator {
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
        if (theory.field().onLinks()) return measureLinks(theory, names, configs, count, requested, logWeights);
        var observables = new ScalarObservables(theory.lattice().sizes());
        int volume = observables.volume(), extent = observables.timeExtent();
        double[] m = new double[count], absM = new double[count], m2 = new double[count], m4 = new double[count],
                phi2 = new double[count], p1 = new double[count];
        for (int c = 0; c < count; c++) {
            m[c] = observables.magnetization(configs, c);
            absM[c] = Math.abs(m[c]);
            m2[c] = m[c] * m[c];
            m4[c] = m2[c] * m2[c];
            phi2[c] = observables.meanSquare(configs, c);
        }
        ChainEstimator chain = logWeights == null ? new ChainEstimator() : null;
        Estimator estimator = chain != null ? chain : new WeightedEstimator(logWeights);
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double maxTau = 0.5;
        for (TheoryInstance.Observable o : theory.observables()) {
            if (!requested.contains(o.name())) continue;
            try {
                Result r = estimator.primary(o.name(), evaluate(theory, names, o, configs, count, 1));
                results.add(r);
                if (!Double.isNaN(r.tauInt())) maxTau = Math.max(maxTau, r.tauInt());
            } catch (LoweringException e) {
                notes.add("observable `" + o.name() + "` was not measured: " + e.getMessage());
            }
        }
        Result absResult = estimator.primary("abs_magnetization", absM);
        Result phi2Result = estimator.primary("phi2", phi2);
        Result m2Result = estimator.primary("m2", m2);
        for (Result r : List.of(absResult, phi2Result, m2Result)) if (!Double.isNaN(r.tauInt())) maxTau = Math.max(maxTau, r.tauInt());
        if (chain != null) chain.bin = Math.min(Binning.suggestedBinSize(maxTau), Math.max(1, count / 20));
        if (requested.contains("abs_magnetization")) results.add(absResult);
        if (requested.contains("phi2")) results.add(phi2Result);
        if (requested.contains("susceptibility")) {
            // χ₂ = V⟨m²⟩, the reference's definition (⟨m⟩ = 0 by the Z2 symmetry in finite volume).
            results.add(new Result("susceptibility", volume * m2Result.value(), volume * m2Result.error(), m2Result.tauInt()));
        }
        if (requested.contains("binder_cumulant")) {
            var u = estimator.derived(new double[][] {m2, m4}, means -> 1 - means[1] / (3 * means[0] * means[0]));
            results.add(new Result("binder_cumulant", u.value(), u.error(), Double.NaN));
        }
        if (requested.contains("correlation_length")) {
            for (int c = 0; c < count; c++) p1[c] = observables.smallestMomentumPower(configs, c);
            try {
                var xi = estimator.derived(new double[][] {m2, p1},
                        means -> ScalarObservables.secondMomentLength(volume * means[0], means[1], extent));
                results.add(new Result("correlation_length", xi.value(), xi.error(), Double.NaN));
            } catch (IllegalArgumentException undefined) {
                notes.add("the second-moment correlation length is undefined here (G̃(0) ≤ G̃(p₁) on some bins)");
            }
        }
        List<Profile> profiles = new ArrayList<>();
        if (requested.contains("two_point")) {
            Profile full = profile("two_point", "G(x)", estimator, count, volume, c -> observables.twoPoint(configs, c), observables::displacement);
            profiles.add(full);
            profiles.add(alongAxisZero(full, extent, volume / extent));
        }
        Correlator correlator = null;
        if (requested.contains("zero_momentum_correlator") || requested.contains("effective_mass") || requested.contains("two_point")) {
            correlator = correlator(observables, estimator, configs, count);
        }
        return new Report(results, correlator, profiles, m, notes);
    }

    /**
     * Measures U(1) link configurations: the theory's observables, and the built-ins
     * topological_susceptibility (χ_top = ⟨Q²⟩/V with ⟨Q²⟩ beside it, Q = Σ arg P / 2π an
     * integer on the torus), polyakov_loop (⟨|L|⟩ along axis 0) and wilson_loops (the square
     * loops up to half the lattice).
     */
    private static Report measureLinks(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                                       double[] logWeights) {
        // The built-in U(1) measurements are 2D only (check refuses them elsewhere); the theory's own
        // observables run in any dimension, so the 2D helper is built only when one is requested.
        boolean builtIns = requested.contains("topological_susceptibility") || requested.contains("polyakov_loop")
                || requested.contains("wilson_loops");
        var gauge = builtIns ? new GaugeObservables(theory.lattice().sizes()) : null;
        Estimator estimator = logWeights == null ? new ChainEstimator() : new WeightedEstimator(logWeights);
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (TheoryInstance.Observable o : theory.observables()) {
            if (!requested.contains(o.name())) continue;
            try {
                results.add(estimator.primary(o.name(), evaluate(theory, names, o, configs, count, theory.lattice().dimensions())));
            } catch (LoweringException e) {
                notes.add("observable `" + o.name() + "` was not measured: " + e.getMessage());
            }
        }
        if (requested.contains("topological_susceptibility")) {
            double[] q2 = new double[count];
            for (int c = 0; c < count; c++) {
                double q = gauge.topologicalCharge(configs, c);
                q2[c] = q * q;
            }
            Result r = estimator.primary("topological_charge_squared", q2);
            results.add(r);
            results.add(new Result("topological_susceptibility", r.value() / gauge.volume(), r.error() / gauge.volume(), r.tauInt()));
        }
        if (requested.contains("polyakov_loop")) {
            double[] l = new double[count];
            for (int c = 0; c < count; c++) l[c] = gauge.polyakovLoopModulus(configs, c);
            results.add(estimator.primary("polyakov_loop", l));
        }
        if (requested.contains("wilson_loops")) {
            for (int n = 1; n <= gauge.largestLoop(); n++) {
                double[] w = new double[count];
                for (int c = 0; c < count; c++) w[c] = gauge.wilsonLoop(configs, c, n, n);
                results.add(estimator.primary("wilson_loop_" + n + "x" + n, w));
            }
        }
        return new Report(results, null, List.of(), new double[0], notes);
    }

    private static Profile profile(String key, String name, Estimator estimator, int count, int points, IntFunction<double[]> perConfig,
                                   IntFunction<int[]> displacement) {
        double[][] series = new double[points][count];
        for (int c = 0; c < count; c++) {
            double[] v = perConfig.apply(c);
            for (int x = 0; x < points; x++) series[x][c] = v[x];
        }
        int[][] displacements = new int[points][];
        double[] value = new double[points], error = new double[points];
        for (int x = 0; x < points; x++) {
            Result r = estimator.primary(name, series[x]);
            displacements[x] = displacement.apply(x);
            value[x] = r.value();
            error[x] = r.error();
        }
        return new Profile(key, name, displacements, value, error);
    }

    /** The slice of G(x) along axis 0: displacements (x, 0, …), at row-major index x · (V / L₀). */
    private static Profile alongAxisZero(Profile full, int extent, int sliceVolume) {
        int[][] displacements = new int[extent][];
        double[] value = new double[extent], error = new double[extent];
        for (int x = 0; x < extent; x++) {
            displacements[x] = full.displacements()[x * sliceVolume];
            value[x] = full.value()[x * sliceVolume];
            error[x] = full.error()[x * sliceVolume];
        }
        return new Profile(full.key() + "_axis0", "G(x, 0…)", displacements, value, error);
    }

    private static double[] evaluate(TheoryInstance theory, Resolution names, TheoryInstance.Observable o, float[] configs,
                                     int count, int channels) {
        CallTarget target = IrTranslator.translate(IrPasses.optimize(Lowering.lowerObservable(theory, names, o)), new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        int volume = (int) theory.lattice().volume() * channels;
        double[] series = new double[count];
        int chunk = 1024;
        for (int start = 0; start < count; start += chunk) {
            int n = Math.min(chunk, count - start);
            Tensor field = Tensor.zeros(new Shape(n, channels, lattice), DType.F64);
            for (int i = 0; i < n * volume; i++) field.set(i, configs[start * volume + i]);
            Tensor value = ((Tensor[]) target.call(field))[0];
            for (int b = 0; b < n; b++) series[start + b] = value.get(b);
        }
        return series;
    }

    private static Correlator correlator(ScalarObservables observables, Estimator estimator, float[] configs, int count) {
        int lt = observables.timeExtent();
        double[][] g = new double[lt][count];
        for (int c = 0; c < count; c++) {
            double[] gc = observables.zeroMomentumCorrelator(configs, c);
            for (int t = 0; t < lt; t++) g[t][c] = gc[t];
        }
        double[] value = new double[lt], error = new double[lt], mass = new double[lt], massError = new double[lt];
        for (int t = 0; t < lt; t++) {
            Result r = estimator.primary("G(t)", g[t]);
            value[t] = r.value();
            error[t] = r.error();
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
        return new Correlator(value, error, mass, massError);
    }
}
