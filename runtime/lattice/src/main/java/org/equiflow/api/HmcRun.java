package org.equiflow.api;

import java.util.ArrayList;
import java.util.List;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Hmc;

/** The HMC baseline on a theory's action: settings, refusals, the chains, measurements. */
final class HmcRun {
    private HmcRun() {}

    static HmcResult run(Session session, HmcOptions o, HmcListener listener) {
        int chains = Limits.intRange("--chains", o.chains(), 1, Limits.MAX_BATCH);
        if (o.precision() == Precision.F32) {
            throw new InvalidSettingException("--precision f32: hmc integrates in float64 only, since in float32 a trajectory's"
                    + " energy change ΔH would be rounding noise; drop --precision or pass --precision f64");
        }
        var program = session.program();
        String target = o.theory() != null ? o.theory() : program.runs().stream().filter(r -> r.kind() == Item.RunKind.HMC)
                .map(r -> r.target()).findFirst().orElse(program.theories().isEmpty() ? null : program.theories().get(0).name());
        TheoryInstance theory = program.theories().stream().filter(t -> t.name().equals(target)).findFirst().orElse(null);
        if (theory == null) throw new RunFailure(session.scriptName() + " has no theory instance" + (target == null ? "" : " `" + target + "`"));
        var settings = RunSettings.of(program, Item.RunKind.HMC, theory.name());
        long measured = Limits.range(Limits.source(o.trajectories(), "--trajectories", "hmc", "trajectories"),
                settings.integer("trajectories", o.trajectories(), 1000), 1, Limits.MAX_COUNT);
        long burn = Limits.range(Limits.source(o.thermalize(), "--thermalize", "hmc", "thermalize"),
                settings.integer("thermalize", o.thermalize(), 200), 0, Limits.MAX_COUNT);
        double eps = Limits.positive(Limits.source(o.stepSize(), "--step-size", "hmc", "step_size"), settings.real("step_size", o.stepSize(), 0.1));
        int steps = Limits.intRange(Limits.source(o.mdSteps(), "--md-steps", "hmc", "md_steps"), settings.integer("md_steps", o.mdSteps(), 10),
                1, Integer.MAX_VALUE);
        var integrator = Hmc.Integrator.named(settings.choice("integrator", "leapfrog"));
        long seed = settings.integer("seed", o.seed(), 0);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.add("susceptibility");
        TrustReporting.refuseUnboundedAction(theory, program.names());
        int volume = (int) theory.valuesPerConfiguration();
        if (measured * chains * volume > Integer.MAX_VALUE - 8) {
            throw new InvalidSettingException("--trajectories × --chains × the lattice's " + volume + " values = " + measured * chains * volume
                    + " exceeds the " + (Integer.MAX_VALUE - 8) + " values one ensemble array holds; measure fewer trajectories or chains");
        }
        MemoryEstimate.require(MemoryEstimate.hmc(theory, chains, measured), "HMC with " + chains + " chains × " + measured
                + " trajectories on " + theory.lattice(), "fewer --trajectories or --chains");
        var hmc = new Hmc(theory, program.names(), chains, seed);
        float[] configs = new float[Math.toIntExact(measured * chains * volume)];
        long accepted = 0;
        double largestEnergyChange = 0;
        listener.started(new HmcListener.Start(theory.name(), theory.lattice().toString(), chains, burn, measured, eps, steps, integrator));
        try {
            for (long k = 0; k < burn + measured; k++) {
                int a = hmc.trajectory(eps, steps, integrator);
                listener.trajectory();
                if (k < burn) continue;
                accepted += a;
                // NaN (a blown-up trajectory) must win the max, so that it never reads as "did not move".
                for (double dH : hmc.energyChanges()) largestEnergyChange = Double.isNaN(dH) ? dH : Math.max(largestEnergyChange, Math.abs(dH));
                int m = (int) (k - burn);
                // Chain-major order: each chain's history is contiguous, so autocorrelations are per chain.
                for (int c = 0; c < chains; c++) {
                    for (int i = 0; i < volume; i++) {
                        configs[(int) (((long) c * measured + m) * volume + i)] = (float) hmc.field().get(c * volume + i);
                    }
                }
            }
        } finally {
            listener.ended();
        }
        int samples = (int) (measured * chains);
        var report = Measurements.measure(theory, program.names(), configs, samples, measure);
        double acceptance = accepted / (double) (measured * chains);
        var warnings = TrustChecks.forHmc(theory, program.names(), report, samples, acceptance, largestEnergyChange, eps, steps);
        return new HmcResult(theory.name(), configs, samples, acceptance, largestEnergyChange, report, warnings);
    }
}
