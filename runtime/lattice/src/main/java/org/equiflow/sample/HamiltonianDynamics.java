package org.equiflow.sample;

import java.util.SplittableRandom;
import org.equiflow.physics.FieldBehaviour;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * The molecular dynamics and Metropolis test of HMC, for any potential V: {@link Hmc} integrates
 * H = ½π² + S(φ), {@link FlowHmc} H = ½π² + S(f(z)) − log|det ∂f/∂z|. One place, so that the
 * two samplers cannot drift apart in their integrators or their accept/reject step.
 */
final class HamiltonianDynamics {
    /** The potential of H: its value per chain, and the force −∂V as the field's behaviour projects it. */
    interface Potential {
        double[] value(Tensor x);

        Tensor force(Tensor x);
    }

    /** What a trajectory did: how many chains accepted, and ΔH of each before the test. */
    record Trajectory(int accepted, double[] energyChanges) {}

    private final Potential potential;
    private final FieldBehaviour behaviour;
    private final Shape shape;

    HamiltonianDynamics(Potential potential, FieldBehaviour behaviour, Shape shape) {
        this.potential = potential;
        this.behaviour = behaviour;
        this.shape = shape;
    }

    /** One trajectory of every chain from {@code state}, which takes the end point where a chain accepts. */
    Trajectory trajectory(Tensor state, double stepSize, int steps, Hmc.Integrator integrator, SplittableRandom random) {
        Tensor momentum = behaviour.momentum(shape, random);
        double[] h0 = hamiltonian(state, momentum);
        Tensor x = state.copy(), p = momentum.copy();
        integrate(x, p, stepSize, steps, integrator);
        double[] h1 = hamiltonian(x, p);
        int sites = shape.size() / shape.batch(), accepted = 0;
        double[] energyChanges = new double[shape.batch()];
        for (int b = 0; b < shape.batch(); b++) {
            double dH = h1[b] - h0[b];
            energyChanges[b] = dH;
            if (Double.isFinite(dH) && Math.log(1.0 - random.nextDouble()) < -dH) {
                accepted++;
                behaviour.accept(x, state, b * sites, sites);
            }
        }
        return new Trajectory(accepted, energyChanges);
    }

    /** Moves (x, p) in place along {@code steps} steps of the integrator. */
    void integrate(Tensor x, Tensor p, double stepSize, int steps, Hmc.Integrator integrator) {
        Tensor f = potential.force(x);
        for (int k = 0; k < steps; k++) {
            if (integrator == Hmc.Integrator.LEAPFROG) {
                axpy(p, f, 0.5 * stepSize);
                behaviour.drift(x, p, stepSize);
                f = potential.force(x);
                axpy(p, f, 0.5 * stepSize);
            } else {
                // The force at the end of a step is the one the next step starts with: two per step.
                axpy(p, f, Hmc.OMELYAN_LAMBDA * stepSize);
                behaviour.drift(x, p, 0.5 * stepSize);
                f = potential.force(x);
                axpy(p, f, (1 - 2 * Hmc.OMELYAN_LAMBDA) * stepSize);
                behaviour.drift(x, p, 0.5 * stepSize);
                f = potential.force(x);
                axpy(p, f, Hmc.OMELYAN_LAMBDA * stepSize);
            }
        }
    }

    /** H = V + ½π² per chain. */
    double[] hamiltonian(Tensor x, Tensor momentum) {
        double[] h = potential.value(x);
        int sites = shape.size() / shape.batch();
        for (int b = 0; b < h.length; b++) {
            double kinetic = 0;
            for (int i = 0; i < sites; i++) {
                double v = momentum.get(b * sites + i);
                kinetic += v * v;
            }
            h[b] += 0.5 * kinetic;
        }
        return h;
    }

    private static void axpy(Tensor y, Tensor x, double a) {
        double[] yv = y.f64(), xv = x.f64();
        for (int i = 0; i < yv.length; i++) yv[i] += a * xv[i];
    }
}
