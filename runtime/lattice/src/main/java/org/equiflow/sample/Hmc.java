package org.equiflow.sample;

import com.oracle.truffle.api.CallTarget;
import java.util.SplittableRandom;
import org.equiflow.tensor.Tape;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.FieldBehaviour;
import org.equiflow.physics.FieldBehaviours;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;

/**
 * Hybrid Monte Carlo on a theory's own action, the baseline flows are compared with: momenta
 * π ~ N(0, 1) (SU(N) links: Gaussian in the Lie algebra, see its behaviour), leapfrog or Omelyan integration of H = ½π² + S(φ) with the force −∂S/∂φ taken by reverse
 * mode through the compiled action, and a Metropolis test on ΔH that makes it exact. Runs
 * {@code chains} independent chains as one batch; float64, so that ΔH is not rounding noise.
 * How a field of each kind starts, draws momenta, moves and is stored is its
 * {@link FieldBehaviour} (U(1) links: angles, stored as principal values in [−π, π)).
 */
public final class Hmc {
    private final CallTarget action;
    private final Shape shape;
    private final SplittableRandom random;
    private final FieldBehaviour behaviour;
    private final HamiltonianDynamics dynamics;
    private Tensor phi;
    /** H(end) − H(start) of every chain's last trajectory, before the accept/reject step. */
    private double[] energyChanges = new double[0];

    /**
     * A reversible, area-preserving (symplectic) integrator of Hamilton's equations: either keeps
     * the Metropolis test exact; they differ in how large ΔH is at a given step size.
     */
    public enum Integrator {
        /** p += ε/2 F; x += ε p; p += ε/2 F: one force per step, ΔH = O(ε²) over a trajectory. */
        LEAPFROG,
        /**
         * The second-order minimum-norm integrator of Omelyan, Mryglod and Folk (Comput. Phys.
         * Commun. 151 (2003) 272), {@link #OMELYAN_LAMBDA}: p += λεF; x += ε/2 p; p += (1−2λ)εF;
         * x += ε/2 p; p += λεF. Two forces per step, and an error coefficient about ten times
         * smaller than leapfrog's, so the same acceptance needs far fewer steps.
         */
        OMELYAN;

        /** The script's name of an integrator: `leapfrog` or `omelyan`. */
        public static Integrator named(String name) {
            return switch (name) {
                case "leapfrog" -> LEAPFROG;
                case "omelyan" -> OMELYAN;
                default -> throw new IllegalArgumentException("unknown integrator `" + name + "`: leapfrog or omelyan");
            };
        }
    }

    /** λ of the minimum-norm scheme, which minimises the norm of its leading error term. */
    public static final double OMELYAN_LAMBDA = 0.1931833275037836;

    public Hmc(TheoryInstance theory, Resolution names, int chains, long seed) {
        var function = IrPasses.optimize(Lowering.lowerAction(theory, names));
        this.action = IrTranslator.translate(function, new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        this.behaviour = FieldBehaviours.of(theory.field());
        this.shape = new Shape(chains, FieldKinds.of(theory.field()).components(theory.field(), lattice.length), lattice);
        this.random = new SplittableRandom(seed);
        this.phi = behaviour.coldStart(shape);
        this.dynamics = new HamiltonianDynamics(new HamiltonianDynamics.Potential() {
            @Override public double[] value(Tensor x) { return action(x); }
            @Override public Tensor force(Tensor x) { return Hmc.this.force(x); }
        }, behaviour, shape);
    }

    public Tensor field() { return phi; }

    public double[] action(Tensor field) {
        Tensor s = ((Tensor[]) action.call(field))[0];
        double[] out = new double[shape.batch()];
        for (int b = 0; b < out.length; b++) out[b] = s.get(b);
        return out;
    }

    /**
     * The force on every chain at once, −∂S/∂φ as the field's behaviour projects it (SU(N): onto the
     * Lie algebra): the actions of independent chains add up to one scalar.
     */
    Tensor force(Tensor field) {
        Tensor x = field.copy().requiresGrad(true);
        try (Tape tape = Tape.open()) {
            Tensor total = Ops.sumTo(((Tensor[]) action.call(x))[0], Shape.scalar());
            tape.backward(total);
        }
        return behaviour.force(field, Ops.neg(x.grad()));
    }

    /** One leapfrog trajectory for every chain; returns how many chains accepted. */
    public int trajectory(double stepSize, int steps) {
        return trajectory(stepSize, steps, Integrator.LEAPFROG);
    }

    /** One trajectory of {@code steps} steps of the integrator for every chain; returns how many chains accepted. */
    public int trajectory(double stepSize, int steps, Integrator integrator) {
        HamiltonianDynamics.Trajectory t = dynamics.trajectory(phi, stepSize, steps, integrator, random);
        energyChanges = t.energyChanges();
        return t.accepted();
    }

    /** ΔH = H(end) − H(start) of each chain's last trajectory (NaN or ±∞ where the integration blew up). */
    public double[] energyChanges() { return energyChanges.clone(); }

    /** Moves (x, p) in place along {@code steps} steps of the integrator. */
    void integrate(Tensor x, Tensor p, double stepSize, int steps, Integrator integrator) {
        dynamics.integrate(x, p, stepSize, steps, integrator);
    }

    double[] hamiltonian(Tensor field, Tensor momentum) { return dynamics.hamiltonian(field, momentum); }
}
