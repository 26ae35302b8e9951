package org.equiflow.sample;

import com.oracle.truffle.api.CallTarget;
import java.util.SplittableRandom;
import org.equiflow.autodiff.Tape;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.Parameters;

/**
 * Hybrid Monte Carlo on a theory's own action, the baseline flows are compared with: momenta
 * π ~ N(0, 1), leapfrog integration of H = ½π² + S(φ) with the force −∂S/∂φ taken by reverse
 * mode through the compiled action, and a Metropolis test on ΔH that makes it exact. Runs
 * {@code chains} independent chains as one batch; float64, so that ΔH is not rounding noise.
 * U(1) link fields are integrated as angles (one momentum per link, cold start θ = 0); accepted
 * angles are stored as principal values in [−π, π).
 */
public final class Hmc {
    private final CallTarget action;
    private final Shape shape;
    private final SplittableRandom random;
    private final boolean compact;
    private Tensor phi;

    public Hmc(TheoryInstance theory, Resolution names, int chains, long seed) {
        var function = IrPasses.optimize(Lowering.lowerAction(theory, names));
        this.action = IrTranslator.translate(function, new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        // U(1) links are angles, one channel per direction: one momentum per link, and the
        // periodic action makes the unwrapped angles of the integrator as good as wrapped ones.
        this.compact = theory.field().onLinks();
        this.shape = new Shape(chains, compact ? lattice.length : 1, lattice);
        this.random = new SplittableRandom(seed);
        this.phi = Tensor.zeros(shape, DType.F64);
    }

    public Tensor field() { return phi; }

    public double[] action(Tensor field) {
        Tensor s = ((Tensor[]) action.call(field))[0];
        double[] out = new double[shape.batch()];
        for (int b = 0; b < out.length; b++) out[b] = s.get(b);
        return out;
    }

    /** −∂S/∂φ for every chain at once: the actions of independent chains add up to one scalar. */
    Tensor force(Tensor field) {
        Tensor x = field.copy().requiresGrad(true);
        try (Tape tape = Tape.open()) {
            Tensor total = Ops.sumTo(((Tensor[]) action.call(x))[0], Shape.scalar());
            tape.backward(total);
        }
        return Ops.neg(x.grad());
    }

    /** One trajectory for every chain; returns how many chains accepted. */
    public int trajectory(double stepSize, int steps) {
        Tensor momentum = Tensor.randn(shape, DType.F64, random);
        double[] h0 = hamiltonian(phi, momentum);
        Tensor x = phi.copy(), p = momentum.copy();
        Tensor f = force(x);
        for (int k = 0; k < steps; k++) {
            axpy(p, f, 0.5 * stepSize);
            axpy(x, p, stepSize);
            f = force(x);
            axpy(p, f, 0.5 * stepSize);
        }
        double[] h1 = hamiltonian(x, p);
        int sites = shape.size() / shape.batch(), accepted = 0;
        for (int b = 0; b < shape.batch(); b++) {
            double dH = h1[b] - h0[b];
            if (Double.isFinite(dH) && Math.log(1.0 - random.nextDouble()) < -dH) {
                accepted++;
                for (int i = 0; i < sites; i++) {
                    double v = x.get(b * sites + i);
                    phi.set(b * sites + i, compact ? v - 2 * Math.PI * Math.floor((v + Math.PI) / (2 * Math.PI)) : v);
                }
            }
        }
        return accepted;
    }

    private double[] hamiltonian(Tensor field, Tensor momentum) {
        double[] h = action(field);
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
