package org.equiflow.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Hmc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow hmc FILE`: the HMC baseline on a theory's action, measured like a flow's chain. */
@Command(name = "hmc", mixinStandardHelpOptions = true,
        description = "Sample a theory with HMC (the baseline flows are compared with); settings from the script's `hmc` block.")
final class HmcCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Option(names = "--theory", paramLabel = "NAME", description = "The theory instance (default: the `hmc` block's, else the first).") String theoryName;
    @Option(names = "--trajectories", description = "Measured trajectories per chain, at least 1 (default: the script's, else 1000).") Long trajectories;
    @Option(names = "--thermalize", description = "Trajectories discarded first, at least 0 (default: the script's, else 200).") Long thermalize;
    @Option(names = "--step-size", description = "Integrator step ε, > 0 (default: the script's, else 0.1).") Double stepSize;
    @Option(names = "--md-steps", description = "Integrator steps per trajectory, at least 1 (default: the script's, else 10).") Long mdSteps;
    @Option(names = "--chains", defaultValue = "16", description = "Independent chains run side by side, at least 1 (default: ${DEFAULT-VALUE}).") int chains;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;
    @Option(names = "--seed", description = "Seed (default: the script's, else 0).") Long seed;
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        device.activate(err);
        var checks = new OptionChecks(spec);
        checks.range("--chains", chains, 1, OptionChecks.MAX_BATCH);
        if (trajectories != null) checks.range("--trajectories", trajectories, 1, OptionChecks.MAX_COUNT);
        if (thermalize != null) checks.range("--thermalize", thermalize, 0, OptionChecks.MAX_COUNT);
        if (stepSize != null) checks.positive("--step-size", stepSize);
        if (mdSteps != null) checks.range("--md-steps", mdSteps, 1, Integer.MAX_VALUE);
        // HMC samples the theory, not a flow: whether the script's flows respect its symmetries is no concern here
        // (hmc offers no --strict, and its symmetry warnings are not shown).
        var result = diagnostics.check(file, diagnostics.overrides);
        diagnostics.print(result, err, d -> d.code() != ErrorCode.W0410);
        if (!result.ok()) return 1;
        var program = result.program().orElseThrow();
        String target = theoryName != null ? theoryName : program.runs().stream().filter(r -> r.kind() == Item.RunKind.HMC)
                .map(r -> r.target()).findFirst().orElse(program.theories().isEmpty() ? null : program.theories().get(0).name());
        TheoryInstance theory = program.theories().stream().filter(t -> t.name().equals(target)).findFirst().orElse(null);
        if (theory == null) {
            err.println("error: " + file + " has no theory instance" + (target == null ? "" : " `" + target + "`"));
            return 1;
        }
        var settings = RunSettings.of(program, Item.RunKind.HMC, theory.name());
        long measured = checks.range(OptionChecks.source(trajectories, "--trajectories", "hmc", "trajectories"),
                settings.integer("trajectories", trajectories, 1000), 1, OptionChecks.MAX_COUNT);
        long burn = checks.range(OptionChecks.source(thermalize, "--thermalize", "hmc", "thermalize"),
                settings.integer("thermalize", thermalize, 200), 0, OptionChecks.MAX_COUNT);
        double eps = checks.positive(OptionChecks.source(stepSize, "--step-size", "hmc", "step_size"), settings.real("step_size", stepSize, 0.1));
        int steps = checks.intRange(OptionChecks.source(mdSteps, "--md-steps", "hmc", "md_steps"), settings.integer("md_steps", mdSteps, 10),
                1, Integer.MAX_VALUE);
        var integrator = Hmc.Integrator.named(settings.choice("integrator", "leapfrog"));
        long s = settings.integer("seed", seed, 0);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.add("susceptibility");
        if (TrustReporting.refusesUnboundedAction(theory, program.names(), err)) return 1;
        int volume = (int) theory.valuesPerConfiguration();
        if (measured * chains * volume > Integer.MAX_VALUE - 8) {
            throw checks.usage("--trajectories × --chains × the lattice's " + volume + " values = " + measured * chains * volume
                    + " exceeds the " + (Integer.MAX_VALUE - 8) + " values one ensemble array holds; measure fewer trajectories or chains");
        }
        MemoryEstimate.require(MemoryEstimate.hmc(theory, chains, measured), "HMC with " + chains + " chains × " + measured
                + " trajectories on " + theory.lattice(), "fewer --trajectories or --chains");
        var hmc = new Hmc(theory, program.names(), chains, s);
        float[] configs = new float[Math.toIntExact(measured * chains * volume)];
        long accepted = 0;
        double largestEnergyChange = 0;
        out.printf("HMC on %s (%s): %d chains, %d + %d trajectories, step %.3g × %d%n", theory.name(), theory.lattice(), chains, burn,
                measured, eps, steps);
        if (integrator != Hmc.Integrator.LEAPFROG) out.println("integrator " + integrator.name().toLowerCase());
        out.flush();
        try (ProgressBar bar = ProgressBars.open("hmc", burn + measured, 0, noProgress)) {
            for (long k = 0; k < burn + measured; k++) {
                int a = hmc.trajectory(eps, steps, integrator);
                if (bar != null) bar.step();
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
        }
        var report = Measurements.measure(theory, program.names(), configs, (int) (measured * chains), measure);
        double acceptance = accepted / (double) (measured * chains);
        out.printf("acceptance %.4f%n", acceptance);
        SampleCommand.printResults(out, report.results());
        report.notes().forEach(n -> out.println("note: " + n));
        out.flush();
        TrustChecks.print(TrustChecks.forHmc(theory, program.names(), report,
                (int) (measured * chains), acceptance, largestEnergyChange, eps, steps), err);
        return 0;
    }

}
