package org.equiflow.physics;

import static org.equiflow.physics.Measurements.alongAxisZero;
import static org.equiflow.physics.Measurements.correlator;
import static org.equiflow.physics.Measurements.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.Measurements.ChainEstimator;
import org.equiflow.physics.Measurements.Correlator;
import org.equiflow.physics.Measurements.Estimator;
import org.equiflow.physics.Measurements.Profile;
import org.equiflow.physics.Measurements.Report;
import org.equiflow.physics.Measurements.Result;
import org.equiflow.physics.Measurements.WeightedEstimator;
import org.equiflow.stats.Binning;
import org.equiflow.tensor.Tensor;

/**
 * Real scalar fields on sites ({@link org.equiflow.compiler.model.RealScalarField}): HMC moves φ
 * freely, and the built-in measurements are |m|, ⟨φ²⟩, χ₂ = V⟨m²⟩, the Binder cumulant, the
 * translation-averaged G(x) at every displacement (and its slice along axis 0), the
 * zero-momentum correlator G(t), the effective mass and the second-moment correlation length ξ₂.
 * They are one family, in one file, because they share per-configuration series and one bin size
 * (from the largest τ_int of the primaries) for the jackknife of the derived ones.
 */
final class RealScalarBehaviour implements FieldBehaviour {
    public String name() { return "real_scalar"; }

    public void drift(Tensor x, Tensor p, double step) {
        double[] xv = x.f64(), pv = p.f64();
        for (int i = 0; i < xv.length; i++) xv[i] += step * pv[i];
    }

    public void accept(Tensor proposal, Tensor chain, int offset, int length) {
        for (int i = offset; i < offset + length; i++) chain.set(i, proposal.get(i));
    }

    private static Result named(String name, Result r) {
        return new Result(name, r.value(), r.error(), r.tauInt());
    }

    public Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                          double[] logWeights) {
        var observables = new ScalarObservables(theory.lattice().sizes());
        int volume = observables.volume(), extent = observables.timeExtent();
        // m and ⟨φ²⟩ per configuration, in blocks on the common pool's threads, each repeated state measured once
        double[][] perConfiguration = new double[2][count];
        Measurements.eachConfiguration(configs, volume, count, perConfiguration,
                () -> c -> new double[] {observables.magnetization(configs, c), observables.meanSquare(configs, c)});
        double[] m = perConfiguration[0], phi2 = perConfiguration[1];
        double[] absM = new double[count], m2 = new double[count], m4 = new double[count];
        for (int c = 0; c < count; c++) {
            absM[c] = Math.abs(m[c]);
            m2[c] = m[c] * m[c];
            m4[c] = m2[c] * m2[c];
        }
        ChainEstimator chain = logWeights == null ? new ChainEstimator() : null;
        Estimator estimator = chain != null ? chain : new WeightedEstimator(logWeights);
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        // The theory's own observables and the moments are analysed together, one series per thread of the common pool.
        Result[] moments = Measurements.theoryObservables(theory, names, estimator, configs, count, 1, requested, results, notes,
                absM, phi2, m2);
        Result absResult = named("abs_magnetization", moments[0]), phi2Result = named("phi2", moments[1]), m2Result = named("m2", moments[2]);
        double maxTau = 0.5;
        for (Result r : results) if (!Double.isNaN(r.tauInt())) maxTau = Math.max(maxTau, r.tauInt());
        for (Result r : moments) if (!Double.isNaN(r.tauInt())) maxTau = Math.max(maxTau, r.tauInt());
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
            double[] p1 = new double[count];
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
            // twoPoint keeps Fourier work arrays: one ScalarObservables per block of configurations
            Profile full = profile("two_point", "G(x)", estimator, configs, volume, count, volume, () -> {
                var own = new ScalarObservables(theory.lattice().sizes());
                return c -> own.twoPoint(configs, c);
            }, observables::displacement);
            profiles.add(full);
            profiles.add(alongAxisZero(full, extent, volume / extent));
        }
        Correlator correlator = null;
        if (requested.contains("zero_momentum_correlator") || requested.contains("effective_mass") || requested.contains("two_point")) {
            correlator = correlator(observables, estimator, configs, count);
        }
        return new Report(results, correlator, profiles, Map.of(Measurements.MAGNETIZATION, m), notes);
    }
}
