package org.equiflow.sample;

import java.util.function.IntConsumer;
import org.equiflow.physics.FieldBehaviour;
import org.equiflow.tensor.Tensor;

/**
 * {@code method flow_hmc}: one {@link FlowHmc} chain in the flow's latent space, its states mapped
 * back to φ = f(z) and kept in order, so that they are measured (τ_int, errors) as any other chain.
 * Exact however poor the flow; the flow only decides how fast the chain decorrelates. The flow
 * must be float64 with frozen parameters (the sampling run builds it so).
 *
 * The proposal log weights it returns are not the chain's: they are those of {@code min(count,
 * batch)} independent draws of the same flow, so that the run still reports the flow's ESS, a
 * measure of how good the flow is (they weigh no estimate).
 */
public final class FlowHmcSampler implements FlowSampler {
    /**
     * The trajectory: {@code behaviour} of the latent field, step size, steps per trajectory,
     * integrator; with a {@code targetAcceptance} in (0, 1) (NaN: none) the step size is only the
     * start, tuned to that acceptance during thermalization ({@link StepSizeAdaptation}).
     */
    public record Tuning(FieldBehaviour behaviour, double stepSize, int mdSteps, Hmc.Integrator integrator, double targetAcceptance) {
        /** A fixed step size. */
        public Tuning(FieldBehaviour behaviour, double stepSize, int mdSteps, Hmc.Integrator integrator) {
            this(behaviour, stepSize, mdSteps, integrator, Double.NaN);
        }

        /** Whether the step size is tuned during thermalization. */
        public boolean tunesStepSize() { return !Double.isNaN(targetAcceptance); }
    }

    /** The chain's start and momenta come from the sampling seed shifted by this, not from the proposals' stream. */
    private static final long CHAIN_SEED_OFFSET = 17;

    private final Tuning tuning;
    /** The largest |ΔH| of the last {@link #draw}'s kept trajectories (NaN when one blew up). */
    private double largestEnergyChange = Double.NaN;
    /** The step size the last {@link #draw}'s kept trajectories were integrated with. */
    private double keptStepSize = Double.NaN;

    /** The registered instance: {@link #tuned} gives the one a run draws with. */
    public FlowHmcSampler() { this(null); }

    private FlowHmcSampler(Tuning tuning) { this.tuning = tuning; }

    /** A sampler for one run, with its trajectory settings. */
    public FlowHmcSampler tuned(Tuning tuning) { return new FlowHmcSampler(tuning); }

    @Override
    public String name() { return "flow_hmc"; }

    public double largestEnergyChange() { return largestEnergyChange; }

    /**
     * The step size of the last {@link #draw}'s kept chain: the tuned ε̄ when the step size was
     * tuned, else the one given.
     */
    public double keptStepSize() { return keptStepSize; }

    @Override
    public Samples draw(Proposals proposals, int count, int thermalize, int batch, long seed, IntConsumer progress) {
        if (tuning == null) throw new IllegalStateException("flow_hmc draws with a step size and integrator: use FlowHmcSampler#tuned");
        var hmc = new FlowHmc(proposals.flow(), tuning.behaviour(), 1, seed + CHAIN_SEED_OFFSET);
        int volume = hmc.latent().size();
        float[] configs = new float[Math.multiplyExact(count, volume)];
        long accepted = 0;
        double largest = 0;
        // Tuned on the discarded trajectories only, then frozen at ε̄: the kept chain is one fixed, exact kernel.
        var adaptation = tuning.tunesStepSize() && thermalize > 0 ? new StepSizeAdaptation(tuning.stepSize(), tuning.targetAcceptance()) : null;
        double stepSize = tuning.stepSize();
        for (long k = 0; k < (long) thermalize + count; k++) {
            if (adaptation != null) stepSize = k < thermalize ? adaptation.current() : adaptation.tuned();
            int a = hmc.trajectory(stepSize, tuning.mdSteps(), tuning.integrator());
            if (k < thermalize) {
                if (adaptation != null) adaptation.update(hmc.acceptanceProbabilities()[0]);
                continue;
            }
            accepted += a;
            double dH = hmc.energyChanges()[0];
            // NaN (a blown-up trajectory) must win the max, so that it never reads as "did not move".
            largest = Double.isNaN(dH) || Double.isNaN(largest) ? Double.NaN : Math.max(largest, Math.abs(dH));
            int m = (int) (k - thermalize);
            Tensor phi = hmc.configuration();
            for (int i = 0; i < volume; i++) configs[m * volume + i] = (float) phi.get(i);
            progress.accept(m + 1);
        }
        largestEnergyChange = largest;
        keptStepSize = adaptation != null ? adaptation.tuned() : tuning.stepSize();
        int draws = Math.min(count, batch);
        double[] logWeights = proposals.next(draws).logWeight();
        return new Samples(configs, count, accepted / (double) count, logWeights, false);
    }
}
