package org.equiflow.api;

import java.nio.file.Path;
import java.util.List;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Samples;

/**
 * What a sampling run produced and measured.
 *
 * @param method          the sampler's name ({@code independence_metropolis}, {@code reweighting})
 * @param samples         the configurations, acceptance (NaN when reweighting) and log weights
 * @param ess             effective sample size fraction of the proposals' importance weights
 * @param report          the measured observables, profiles, correlator and notes
 * @param warnings        what to distrust in the estimates and why
 * @param trainingStep    the checkpoint's step the flow was sampled at; −1 for an untrained flow
 * @param ensemble        the committed ensemble array ({@code .npy}, with {@code .json} metadata beside)
 * @param reportDirectory the committed report: tables, plots, profiles as CSV
 * @param tuning          flow-HMC's step-size tuning ({@code target_acceptance}); null when the step size was fixed
 */
public record SamplingResult(String flow, String method, long seed, Samples samples, double ess, Measurements.Report report,
                             List<TrustChecks.Warning> warnings, long trainingStep, Path ensemble, Path reportDirectory,
                             StepSizeTuning tuning) {
    /**
     * How flow-HMC's step size was tuned: towards {@code targetAcceptance} by dual averaging over
     * the {@code trajectories} thermalization trajectories, starting from {@code initialStepSize};
     * the kept chain was integrated with {@code tunedStepSize} throughout.
     */
    public record StepSizeTuning(double targetAcceptance, double initialStepSize, double tunedStepSize, int trajectories) {}

    /** The step-size tuning, where there was one. */
    public java.util.Optional<StepSizeTuning> stepSizeTuning() { return java.util.Optional.ofNullable(tuning); }

    /** Samples kept. */
    public int count() { return samples.count(); }

    /** The jackknife error of {@link #ess} over the independent proposals; NaN for fewer than two. */
    public double essError() {
        double[] logWeights = samples.proposalLogWeights();
        return logWeights.length < 2 ? Double.NaN : org.equiflow.stats.Reweighting.essError(logWeights);
    }

    /** Whether estimates are weighted averages over independent proposals (reweighting) rather than chain averages. */
    public boolean weighted() { return samples.weighted(); }

    /** The chain's acceptance; NaN for reweighting, which accepts nothing. */
    public double acceptance() { return samples.acceptance(); }

    /** The measured value of an observable ({@code susceptibility}), if it was measured. */
    public java.util.Optional<Measurements.Result> observable(String name) {
        return report.results().stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Where a profile (G(x) at every displacement) is written in full. */
    public Path profileFile(Measurements.Profile profile) {
        return reportDirectory.resolve(Artifacts.profileFileName(profile));
    }
}
