package org.equiflow.physics;

import static org.equiflow.physics.Measurements.theoryObservables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.Measurements.ChainEstimator;
import org.equiflow.physics.Measurements.Estimator;
import org.equiflow.physics.Measurements.Report;
import org.equiflow.physics.Measurements.Result;
import org.equiflow.physics.Measurements.WeightedEstimator;
import org.equiflow.tensor.Tensor;

/**
 * U(1) link fields ({@link org.equiflow.compiler.model.U1LinkField}): HMC integrates the angles
 * (one momentum per link; the periodic action makes unwrapped angles as good as wrapped ones)
 * and stores accepted angles as principal values in [−π, π). The built-in measurements are one
 * family on 2D lattices: topological_susceptibility (χ_top = ⟨Q²⟩/V with ⟨Q²⟩ beside it,
 * Q = Σ arg P / 2π an integer on the torus), polyakov_loop (⟨|L|⟩ along axis 0) and
 * wilson_loops (the square loops up to half the lattice), all from {@link GaugeObservables}.
 */
final class U1LinkBehaviour implements FieldBehaviour {
    public String name() { return "u1_link"; }

    public void drift(Tensor x, Tensor p, double step) {
        double[] xv = x.f64(), pv = p.f64();
        for (int i = 0; i < xv.length; i++) xv[i] += step * pv[i];
    }

    public void accept(Tensor proposal, Tensor chain, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            double v = proposal.get(i);
            chain.set(i, v - 2 * Math.PI * Math.floor((v + Math.PI) / (2 * Math.PI)));
        }
    }

    public Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                          double[] logWeights) {
        // The topological charge is 2D only (check refuses topological_susceptibility elsewhere); Polyakov
        // and Wilson loops and the theory's own observables run in any dimension. On a 2D lattice Q and
        // the plaquette of every configuration are kept as series for the report's history and
        // histograms, whatever was requested.
        var gauge = new GaugeObservables(theory.lattice().sizes());
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] charge = null;
        if (theory.lattice().dimensions() == 2) {
            charge = new double[count];
            double[] plaquette = new double[count];
            double[] q = charge;
            // GaugeObservables keeps no work arrays: one instance serves every thread
            Measurements.eachConfiguration(configs, gauge.links(), count, new double[][] {q, plaquette},
                    () -> c -> new double[] {gauge.topologicalCharge(configs, c), gauge.plaquetteMean(configs, c)});
            series.put(Measurements.TOPOLOGICAL_CHARGE, charge);
            series.put(Measurements.PLAQUETTE, plaquette);
        }
        Estimator estimator = logWeights == null ? new ChainEstimator() : new WeightedEstimator(logWeights);
        List<Result> results = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        theoryObservables(theory, names, estimator, configs, count, theory.lattice().dimensions(), requested, results, notes);
        if (requested.contains("topological_susceptibility")) {
            double[] q2 = new double[count];
            for (int c = 0; c < count; c++) q2[c] = charge[c] * charge[c];
            Result r = estimator.primary("topological_charge_squared", q2);
            results.add(r);
            results.add(new Result("topological_susceptibility", r.value() / gauge.volume(), r.error() / gauge.volume(), r.tauInt()));
        }
        if (requested.contains("polyakov_loop")) {
            double[] l = Measurements.eachConfiguration(configs, gauge.links(), count, c -> gauge.polyakovLoopModulus(configs, c));
            results.add(estimator.primary("polyakov_loop", l));
        }
        if (requested.contains("wilson_loops")) {
            results.addAll(Measurements.squareWilsonLoops(estimator, configs, gauge.links(), count, gauge.largestLoop(),
                    (c, n) -> gauge.wilsonLoop(configs, c, n, n)));
        }
        return new Report(results, null, List.of(), series, notes);
    }
}
