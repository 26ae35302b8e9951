package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.InProcessCommunicator;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Hmc;

/** The HMC baseline on a theory's action: settings, refusals, the chains, measurements, one committed result. */
final class HmcRun {
    private HmcRun() {}

    /** The sampler named in the ensemble's metadata. */
    static final String METHOD = "hmc";
    /** One row per measured trajectory in the report: its acceptance over the chains and largest |ΔH|. */
    static final String TRAJECTORIES = "trajectories.csv";
    /** A built-in left out of the default measurements: one estimate per lattice site, asked for by name when wanted. */
    private static final String FULL_PROFILE = "two_point";

    /** What one HMC run does, every setting resolved and checked. */
    record Plan(TheoryInstance theory, int chains, long trajectories, long thermalize, double stepSize, int mdSteps,
                Hmc.Integrator integrator, long seed, List<String> measure, Path directory) {}

    static HmcResult run(Session session, HmcOptions o, HmcListener listener) throws IOException {
        Plan plan = plan(session, o);
        // Settings are checked before the directory is made or locked: a refused run leaves nothing behind.
        try (RunDirectory directory = RunDirectory.open(plan.directory())) {
            refuseTrainedFlow(plan.directory());
            return run(session, plan, directory, listener, new InProcessCommunicator());
        }
    }

    /**
     * HMC on the ranks of {@code job}: the chains are divided between the ranks (rank r runs chains
     * [C·r/n, C·(r+1)/n) as one batch, from the seed for rank 0 and from seeds derived from it and the
     * rank for the others, so they are independent chains), their histories are gathered into every
     * rank's ensemble in chain order, every rank measures it, and rank 0 alone locks the run
     * directory and commits the result. One process is {@link #run(Session, HmcOptions, HmcListener)}.
     */
    static HmcResult run(Session session, HmcOptions o, HmcListener listener, Communicator job) throws IOException {
        if (job.size() == 1) return run(session, o, listener);
        Plan plan = JobAgreement.agree(job, () -> {
            Plan p = plan(session, o);
            if (p.chains() < job.size()) {
                throw new InvalidSettingException("--chains " + p.chains() + " is fewer than the job's " + job.size()
                        + " ranks, which divide the chains between them; pass --chains " + job.size() + " or more, or start fewer ranks");
            }
            refuseTrainedFlow(p.directory());
            return p;
        });
        RunDirectory directory = JobAgreement.openOnRankZero(job, plan.directory());
        try {
            return run(session, plan, directory, listener, job);
        } finally {
            if (directory != null) directory.close();
        }
    }

    private static Plan plan(Session session, HmcOptions o) {
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
        if (measure.isEmpty()) measure.addAll(everyObservable(theory));
        TrustReporting.refuseUnboundedAction(theory, program.names());
        int volume = (int) theory.valuesPerConfiguration();
        if (measured * chains * volume > Integer.MAX_VALUE - 8) {
            throw new InvalidSettingException("--trajectories × --chains × the lattice's " + volume + " values = " + measured * chains * volume
                    + " exceeds the " + (Integer.MAX_VALUE - 8) + " values one ensemble array holds; measure fewer trajectories or chains");
        }
        MemoryEstimate.require(MemoryEstimate.hmc(theory, chains, measured), "HMC with " + chains + " chains × " + measured
                + " trajectories on " + theory.lattice(), "fewer --trajectories or --chains");
        Path directory = Workspace.hmcDirectory(session.scriptName(), theory.name(), o.out(), session.overrides());
        return new Plan(theory, chains, measured, burn, eps, steps, integrator, seed, List.copyOf(measure), directory);
    }

    /**
     * What a run without {@code measure} measures: the theory's own observables, then the built-in
     * measurements of its field kind on this lattice, except the full two-point profile, whose
     * per-site series would outgrow the ensemble on large lattices.
     */
    static List<String> everyObservable(TheoryInstance theory) {
        List<String> names = new ArrayList<>();
        theory.observables().forEach(o -> names.add(o.name()));
        int dimensions = theory.lattice().dimensions();
        for (var m : FieldKinds.of(theory.field()).measurements()) {
            if (m.runsIn(dimensions) && !m.name().equals(FULL_PROFILE) && !names.contains(m.name())) names.add(m.name());
        }
        return names;
    }

    /**
     * A trained flow's directory is that flow's: an HMC result there would stand beside its
     * checkpoint as if the flow had sampled it.
     */
    private static void refuseTrainedFlow(Path directory) {
        if (Files.exists(directory.resolve("checkpoint.eqf"))) {
            throw new RunFailure("the run directory " + directory + " holds a trained flow (checkpoint.eqf); HMC's result would be mistaken"
                    + " for the flow's samples. Pass another --out");
        }
    }

    /** {@code directory} is null on ranks other than 0, which write nothing. */
    private static HmcResult run(Session session, Plan plan, RunDirectory directory, HmcListener listener, Communicator job)
            throws IOException {
        var program = session.program();
        var theory = plan.theory();
        int chains = plan.chains();
        long measured = plan.trajectories(), burn = plan.thermalize();
        int volume = (int) theory.valuesPerConfiguration();
        Communicator.Share mine = job.share(chains);
        int firstChain = mine.first(), localChains = mine.count();
        // Rank 0 keeps the run's seed, so a job of one rank is the one-process run.
        long seed = job.rank() == 0 ? plan.seed() : plan.seed() + job.rank() * 0x9E3779B97F4A7C15L;
        var hmc = new Hmc(theory, program.names(), localChains, seed);
        float[] configs = new float[Math.toIntExact(measured * chains * volume)];
        // −0.0 where other ranks' chains go: adding −0.0 changes no value, so the sum across ranks below is exact.
        if (job.size() > 1) java.util.Arrays.fill(configs, -0.0f);
        double[] acceptedPerTrajectory = new double[(int) measured], largestPerTrajectory = new double[(int) measured];
        listener.started(new HmcListener.Start(theory.name(), theory.lattice().toString(), chains, burn, measured, plan.stepSize(),
                plan.mdSteps(), plan.integrator()));
        long start = System.nanoTime();
        long k = 0;
        try {
            for (; k < burn + measured; k++) {
                int a = hmc.trajectory(plan.stepSize(), plan.mdSteps(), plan.integrator());
                listener.trajectory();
                if (k < burn) continue;
                int m = (int) (k - burn);
                acceptedPerTrajectory[m] = a;
                double largestHere = 0;
                // NaN (a blown-up trajectory) must win the max, so that it never reads as "did not move".
                for (double dH : hmc.energyChanges()) largestHere = Double.isNaN(dH) ? dH : Math.max(largestHere, Math.abs(dH));
                largestPerTrajectory[m] = largestHere;
                // Chain-major order: each chain's history is contiguous, so autocorrelations are per chain.
                for (int c = 0; c < localChains; c++) {
                    for (int i = 0; i < volume; i++) {
                        configs[(int) (((long) (firstChain + c) * measured + m) * volume + i)] = (float) hmc.field().get(c * volume + i);
                    }
                }
            }
            if (job.size() > 1) {
                configs = job.allreduceSum(configs);
                acceptedPerTrajectory = job.allreduceSum(acceptedPerTrajectory);
                largestPerTrajectory = largestAcrossRanks(job, largestPerTrajectory);
            }
        } catch (RuntimeException | Error e) {
            // The other ranks wait for this one's chains: end them all, naming this rank.
            JobAgreement.endJob(job, "at trajectory " + (k + 1), e);
            throw e;
        } finally {
            listener.ended();
        }
        long accepted = 0;
        double largestEnergyChange = 0;
        List<Map<String, Object>> trajectories = new ArrayList<>();
        for (int m = 0; m < measured; m++) {
            accepted += (long) acceptedPerTrajectory[m];
            largestEnergyChange = Math.max(largestEnergyChange, largestPerTrajectory[m]); // a NaN stays
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("trajectory", m + 1);
            row.put("acceptance", acceptedPerTrajectory[m] / chains);
            row.put("largest_abs_energy_change", largestPerTrajectory[m]);
            trajectories.add(row);
        }
        // The chains' wall time, thermalization included: what these samples cost.
        double samplingSeconds = (System.nanoTime() - start) / 1e9;
        int samples = (int) (measured * chains);
        // Only rank 0 holds the directory; its array goes to disk while the chains are measured, as a flow's does.
        Artifacts.EnsembleArrays arrays = directory == null ? null
                : Artifacts.EnsembleArrays.start(directory.stage(), configs, Artifacts.ensembleShape(theory, samples), null);
        try {
            return measureAndCommit(session, plan, directory, arrays, configs, samples, accepted, largestEnergyChange, trajectories,
                    samplingSeconds);
        } catch (IOException | RuntimeException | Error failure) {
            if (arrays != null) arrays.discard(directory, failure);
            throw failure;
        }
    }

    private static HmcResult measureAndCommit(Session session, Plan plan, RunDirectory directory, Artifacts.EnsembleArrays arrays,
                                              float[] configs, int samples, long accepted, double largestEnergyChange,
                                              List<Map<String, Object>> trajectories, double samplingSeconds) throws IOException {
        var theory = plan.theory();
        var program = session.program();
        long measured = plan.trajectories();
        long chains = plan.chains();
        var report = Measurements.measure(theory, program.names(), configs, samples, plan.measure());
        double acceptance = accepted / (double) (measured * chains);
        var warnings = TrustChecks.forHmc(theory, program.names(), report, samples, acceptance, largestEnergyChange, plan.stepSize(),
                plan.mdSteps());
        Path current = plan.directory().resolve(RunDirectory.CURRENT);
        var result = new HmcResult(theory.name(), configs, samples, acceptance, largestEnergyChange, report, warnings, plan.directory(),
                current.resolve("ensemble.npy"), current.resolve("report"));
        if (directory == null) return result;
        // Ensemble, metadata and report are one result, as a flow's: staged completely, then made current in one rename.
        Path staged = arrays.into();
        Artifacts.writeHmcEnsemble(session, plan, arrays, result, samplingSeconds);
        Artifacts.writeHmcReport(staged, plan.theory(), result, trajectories, RunDescriptions.hmc(session, plan, samplingSeconds));
        directory.commit(staged);
        return result;
    }

    /** Each trajectory's largest |ΔH| over every rank's chains; a NaN (a blown-up trajectory) on any rank wins. */
    private static double[] largestAcrossRanks(Communicator job, double[] largest) {
        // MPI_MAX leaves NaN to the implementation: it travels as +∞, the largest double, and comes back as NaN.
        double[] sent = largest.clone();
        for (int i = 0; i < sent.length; i++) if (Double.isNaN(sent[i])) sent[i] = Double.POSITIVE_INFINITY;
        double[] got = job.allreduceMax(sent);
        for (int i = 0; i < got.length; i++) if (got[i] == Double.POSITIVE_INFINITY) got[i] = Double.NaN;
        return got;
    }
}
