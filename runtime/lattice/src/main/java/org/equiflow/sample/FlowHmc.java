package org.equiflow.sample;

import java.util.SplittableRandom;
import org.equiflow.physics.FieldBehaviour;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * Flow-HMC (Del Debbio et al.): HMC in the flow's latent variables z with the pulled-back action
 * S_F(z) = S(f(z)) − log|det ∂f/∂z|, so that e^{−S_F(z)} dz is e^{−S(φ)} dφ under φ = f(z); the
 * prior density does not enter. Momenta and drift are those of the latent field's
 * {@link FieldBehaviour} (real scalar fields: π ~ N(0, 1), z += επ); the force −∂S_F/∂z is taken
 * by reverse mode through the compiled flow and action. The Metropolis test on ΔH makes it exact
 * for any bijective f, trained or not. Use a float64 flow with frozen parameters
 * ({@link CompiledFlow#withFrozenParameters}) so that ΔH is not rounding noise and the tape does
 * not differentiate the parameters. The sampler {@code method flow_hmc} is {@link FlowHmcSampler}.
 */
public final class FlowHmc {
    private final CompiledFlow flow;
    private final FieldBehaviour behaviour;
    private final Shape shape;
    private final SplittableRandom random;
    private final HamiltonianDynamics dynamics;
    private Tensor z;
    private double[] energyChanges = new double[0];

    /**
     * {@code chains} independent chains as one batch, started cold at z = 0 (HMC's cold start, in
     * the latent space): a hot start from a prior draw puts an untrained flow's φ⁴ field where
     * λφ⁴ makes the forces so large that every trajectory blows up and the chain never moves.
     */
    public FlowHmc(CompiledFlow flow, FieldBehaviour behaviour, int chains, long seed) {
        this.flow = flow;
        this.behaviour = behaviour;
        this.random = new SplittableRandom(seed);
        this.shape = flow.samplePrior(chains, random).shape();
        this.z = behaviour.coldStart(shape);
        this.dynamics = new HamiltonianDynamics(new HamiltonianDynamics.Potential() {
            @Override public double[] value(Tensor x) { return pulledBackAction(x); }
            @Override public Tensor force(Tensor x) { return FlowHmc.this.force(x); }
        }, behaviour, shape);
    }

    /** Moves every chain to {@code latent} (a copy), e.g. a draw of the flow's prior. */
    public void start(Tensor latent) {
        if (!latent.shape().equals(shape)) throw new IllegalArgumentException("latent start " + latent.shape() + ", chains " + shape);
        this.z = latent.copy();
    }

    /** The latent state of every chain. */
    public Tensor latent() { return z; }

    /** φ = f(z) of every chain: what is measured. */
    public Tensor configuration() { return flow.forward(z).x(); }

    /** S_F(z) = S(f(z)) − log|det ∂f/∂z| per chain. */
    public double[] pulledBackAction(Tensor latent) {
        Tensor s = pulledBack(latent);
        double[] out = new double[shape.batch()];
        for (int b = 0; b < out.length; b++) out[b] = s.get(b);
        return out;
    }

    private Tensor pulledBack(Tensor latent) {
        CompiledFlow.Forward out = flow.forward(latent);
        return Ops.sub(flow.action(out.x()), out.logDet());
    }

    /** −∂S_F/∂z for every chain at once: the chains' pulled-back actions add up to one scalar. */
    Tensor force(Tensor latent) {
        Tensor x = latent.copy().requiresGrad(true);
        try (Tape tape = Tape.open()) {
            tape.backward(Ops.sumTo(pulledBack(x), Shape.scalar()));
        }
        return behaviour.force(latent, Ops.neg(x.grad()));
    }

    /** One trajectory of {@code steps} steps for every chain; returns how many chains accepted. */
    public int trajectory(double stepSize, int steps, Hmc.Integrator integrator) {
        HamiltonianDynamics.Trajectory t = dynamics.trajectory(z, stepSize, steps, integrator, random);
        energyChanges = t.energyChanges();
        return t.accepted();
    }

    /** ΔH of each chain's last trajectory, before the accept/reject step. */
    public double[] energyChanges() { return energyChanges.clone(); }

    /**
     * min(1, e^{−ΔH}) of each chain's last trajectory: the probability the Metropolis test
     * accepted it with (0 for a blown-up trajectory, ΔH NaN), what step-size tuning averages.
     */
    public double[] acceptanceProbabilities() {
        double[] out = new double[energyChanges.length];
        for (int b = 0; b < out.length; b++) out[b] = StepSizeAdaptation.acceptanceProbability(energyChanges[b]);
        return out;
    }

    /** The same schemes as {@link Hmc}'s integrators, with the pulled-back force. */
    void integrate(Tensor x, Tensor p, double stepSize, int steps, Hmc.Integrator integrator) {
        dynamics.integrate(x, p, stepSize, steps, integrator);
    }

    double[] hamiltonian(Tensor latent, Tensor momentum) { return dynamics.hamiltonian(latent, momentum); }
}
