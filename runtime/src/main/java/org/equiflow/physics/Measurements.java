package org.equiflow.physics;

import com.oracle.truffle.api.CallTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.stats.Binning;
import org.equiflow.stats.Jackknife;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.Parameters;

/**
 * Measures a Markov chain of real scalar configurations: the theory's own observables (lowered
 * from the script and run on the chain), and the built-in ones — |m|, ⟨φ²⟩, χ₂ = V⟨m²⟩, the
 * Binder cumulant, the zero-momentum correlator G(t) and the effective mass. Primary
 * observables get Γ-method errors and τ_int; derived ones jackknife errors on bins sized from
 * the largest τ_int measured, so runs of rejections do not shrink the error bars.
 */
public final class Measurements {
    private Measurements() {}

    /** One line of the results table. {@code tauInt} is NaN for derived quantities. */
    public record Result(String name, double value, double error, double tauInt) {}

    /** G(t) and the effective mass with errors, for tables and plots. */
    public record Correlator(double[] value, double[] error, double[] effectiveMass, double[] effectiveMassError) {}

    public record Report(List<Result> results, Correlator correlator, double[] magnetizationSeries, List<String> notes) {}

    public static Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested) {
        if (theory.field().onLinks()) throw new UnsupportedOperationException("measurements of link fields arrive with the gauge runtime");
        var observables = new ScalarObservables(theory.lattice().sizes());
        int volume = observables.volume();
        double[] m = new double[count], absM = new double[count], m2 = new double[count], m4 = new double[count], phi2 = new double[count];
        for (int c = 0; c < count; c++) {
            m[c] = observables.magnetization(configs, c);
            absM[c] = Math.abs(m[c]);
            m2[c] = m[c] * m[c];
            m4[c] = m2[c] * m2[c];
            phi2[c] = observables.meanSquare(configs, c);
        }
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double maxTau = 0.5;
        Map<String, double[]> theorySeries = new LinkedHashMap<>();
        for (TheoryInstance.Observable o : theory.observables()) {
            if (!requested.contains(o.name())) continue;
            try {
                theorySeries.put(o.name(), evaluate(theory, names, o, configs, count, volume));
            } catch (LoweringException e) {
                notes.add("observable `" + o.name() + "` was not measured: " + e.getMessage());
            }
        }
        for (var entry : theorySeries.entrySet()) {
            var a = Autocorrelation.gamma(entry.getValue());
            results.add(new Result(entry.getKey(), a.mean(), a.error(), a.tauInt()));
            maxTau = Math.max(maxTau, a.tauInt());
        }
        record Primary(String name, double[] series) {}
        List<Primary> primaries = List.of(new Primary("abs_magnetization", absM), new Primary("phi2", phi2));
        for (Primary p : primaries) {
            var a = Autocorrelation.gamma(p.series());
            maxTau = Math.max(maxTau, a.tauInt());
            if (requested.contains(p.name())) results.add(new Result(p.name(), a.mean(), a.error(), a.tauInt()));
        }
        var m2Analysis = Autocorrelation.gamma(m2);
        maxTau = Math.max(maxTau, m2Analysis.tauInt());
        int bin = Math.min(Binning.suggestedBinSize(maxTau), Math.max(1, count / 20));
        if (requested.contains("susceptibility")) {
            // χ₂ = V⟨m²⟩, the reference's definition (⟨m⟩ = 0 by the Z2 symmetry in finite volume).
            results.add(new Result("susceptibility", volume * m2Analysis.mean(), volume * m2Analysis.error(), m2Analysis.tauInt()));
        }
        if (requested.contains("binder_cumulant")) {
            var u = Jackknife.derived(new double[][] {m2, m4}, bin, means -> 1 - means[1] / (3 * means[0] * means[0]));
            results.add(new Result("binder_cumulant", u.value(), u.error(), Double.NaN));
        }
        Correlator correlator = null;
        if (requested.contains("two_point") || requested.contains("zero_momentum_correlator") || requested.contains("effective_mass")
                || requested.contains("correlation_length")) {
            correlator = correlator(observables, configs, count, bin);
        }
        return new Report(results, correlator, m, notes);
    }

    private static double[] evaluate(TheoryInstance theory, Resolution names, TheoryInstance.Observable o, float[] configs,
                                     int count, int volume) {
        CallTarget target = IrTranslator.translate(IrPasses.optimize(Lowering.lowerObservable(theory, names, o)), new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        double[] series = new double[count];
        int chunk = 1024;
        for (int start = 0; start < count; start += chunk) {
            int n = Math.min(chunk, count - start);
            Tensor field = Tensor.zeros(new Shape(n, 1, lattice), DType.F64);
            for (int i = 0; i < n * volume; i++) field.set(i, configs[start * volume + i]);
            Tensor value = ((Tensor[]) target.call(field))[0];
            for (int b = 0; b < n; b++) series[start + b] = value.get(b);
        }
        return series;
    }

    private static Correlator correlator(ScalarObservables observables, float[] configs, int count, int bin) {
        int lt = observables.timeExtent();
        double[][] g = new double[lt][count];
        for (int c = 0; c < count; c++) {
            double[] gc = observables.zeroMomentumCorrelator(configs, c);
            for (int t = 0; t < lt; t++) g[t][c] = gc[t];
        }
        double[] value = new double[lt], error = new double[lt], mass = new double[lt], massError = new double[lt];
        for (int t = 0; t < lt; t++) {
            var a = Autocorrelation.gamma(g[t]);
            value[t] = a.mean();
            error[t] = a.error();
        }
        for (int t = 0; t < lt; t++) {
            int tt = t;
            // Where noise makes (G(t−1) + G(t+1)) / 2G(t) < 1 the effective mass does not exist: NaN, not an error.
            if (Double.isNaN(ScalarObservables.effectiveMass(value, t))) {
                mass[t] = massError[t] = Double.NaN;
                continue;
            }
            try {
                var e = Jackknife.derived(g, bin, means -> ScalarObservables.effectiveMass(means, tt));
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
