package org.equiflow.physics;

import java.util.List;
import java.util.SplittableRandom;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * What the runtime does with a field of one kind: how HMC starts, draws momenta, moves and stores
 * it, and which built-in measurements it computes. Each kind is one file, listed in
 * {@link FieldBehaviours} under the name of its compiler descriptor
 * ({@link org.equiflow.compiler.model.FieldKind}), which says how it is stored and which
 * measurements {@code check} accepts for it.
 */
public interface FieldBehaviour {
    /** The kind's key, shared with {@link org.equiflow.compiler.model.FieldKinds}. */
    String name();

    /** HMC's cold start: every chain at the action's classical vacuum (all zeros: φ = 0, θ = 0). */
    default Tensor coldStart(Shape shape) { return Tensor.zeros(shape, DType.F64); }

    /** HMC momenta conjugate to the field's coordinates, one standard normal per value (kinetic energy ½ Σ p²). */
    default Tensor momentum(Shape shape, SplittableRandom random) { return Tensor.randn(shape, DType.F64, random); }

    /**
     * How many independent momentum coordinates one configuration has: the kinetic energy ½ Σ p²
     * has expectation half of this. One per stored value unless the kind constrains its momenta.
     */
    default long momentumDegrees(Shape shape) { return shape.size() / shape.batch(); }

    /**
     * The force HMC's momenta feel, from {@code negativeGradient} = −∂S/∂(stored values): that
     * itself for coordinates that move freely; a group-valued kind projects it onto the tangent
     * directions its drift moves along.
     */
    default Tensor force(Tensor field, Tensor negativeGradient) { return negativeGradient; }

    /** One position update of the integrator: x moves along p for a time {@code step}, in place. */
    void drift(Tensor x, Tensor p, double step);

    /** Copies {@code length} values from {@code offset} of an accepted proposal into the chain, as the kind stores them. */
    void accept(Tensor proposal, Tensor chain, int offset, int length);

    /**
     * Measures the theory's own observables among {@code requested} and the kind's built-in
     * measurements ({@code FieldKind.measurements()}) among them, on {@code count}
     * configurations: a Markov chain when {@code logWeights} is null, else weighted proposals.
     */
    Measurements.Report measure(TheoryInstance theory, Resolution names, float[] configs, int count, List<String> requested,
                                double[] logWeights);
}
