package org.equiflow.physics;

import com.oracle.truffle.api.CallTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;

/**
 * Whether a theory's action is bounded below, probed along rays φ = c·u for a few fixed
 * directions u (the constant field, which holds the zero mode, and seeded Gaussian fields) and
 * scales c = 2⁰ … 2²⁴. An action unbounded below (φ⁴ with λ &lt; 0, or λ = 0 with m² &lt; 0)
 * makes e^{−S} non-normalisable: there is no distribution to sample, reverse-KL training drives
 * the loss to −∞ and HMC runs off to ever larger fields while reporting finite-looking numbers.
 *
 * <p>The test along one ray: S keeps falling over the last four doublings of c and ends below
 * −10⁶ (1 + |S(u)|). A polynomial action with a negative leading term along u falls like
 * −c^d, far past that; a bounded action (a positive φ⁴ term, a periodic gauge action) turns up
 * or stays bounded. A miss is possible only along directions the probe does not try.
 */
public final class ActionBounds {
    private static final int DOUBLINGS = 24;
    private static final int RANDOM_DIRECTIONS = 3;
    /** How far below the action at unit scale the last probe must fall to count as "without bound". */
    private static final double FALL = 1e6;

    private ActionBounds() {}

    /** Why the action is unbounded below, phrased for the user; empty when every probed ray is bounded. */
    public static Optional<String> unboundedBelow(TheoryInstance theory, Resolution names) {
        int values = Math.toIntExact(theory.valuesPerConfiguration());
        var random = new SplittableRandom(0x5EEDL);
        List<double[]> directions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        double[] constant = new double[values];
        Arrays.fill(constant, 1.0);
        directions.add(constant);
        labels.add("the constant field φ = c,");
        for (int d = 0; d < RANDOM_DIRECTIONS; d++) {
            double[] u = new double[values];
            for (int i = 0; i < values; i++) u[i] = random.nextGaussian();
            directions.add(u);
            labels.add("φ = c·u, u a Gaussian random field,");
        }
        return probe(theory, names, directions, labels);
    }

    /**
     * The same probe along given configurations, e.g. a trained flow's samples: a flow trained
     * on an action unbounded below learns to point along a direction where it falls, even one the
     * fixed directions of {@link #unboundedBelow(TheoryInstance, Resolution)} miss.
     * {@code configs} holds {@code count} configurations one after the other.
     */
    public static Optional<String> unboundedAlong(TheoryInstance theory, Resolution names, float[] configs, int count) {
        int values = Math.toIntExact(theory.valuesPerConfiguration());
        List<double[]> directions = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            double[] u = new double[values];
            boolean finite = true;
            for (int i = 0; i < values; i++) finite &= Double.isFinite(u[i] = configs[b * values + i]);
            if (!finite) continue;
            directions.add(u);
            labels.add("φ = c·x, x a sample of the flow,");
        }
        return directions.isEmpty() ? Optional.empty() : probe(theory, names, directions, labels);
    }

    private static Optional<String> probe(TheoryInstance theory, Resolution names, List<double[]> directionList, List<String> labels) {
        // SU(N) links live on a compact group, where an action made of traces of products of links
        // is continuous and so bounded; scaling matrices along rays would leave the group and
        // probe an action nobody samples.
        if (theory.field().kind() == FieldSpec.Kind.SUN) return Optional.empty();
        var function = IrPasses.optimize(Lowering.lowerAction(theory, names));
        CallTarget action = IrTranslator.translate(function, new Parameters(), DType.F64);
        int[] lattice = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        int channels = FieldKinds.of(theory.field()).components(theory.field(), lattice.length);
        int directions = directionList.size(), scales = DOUBLINGS + 1;
        int values = Math.toIntExact(theory.valuesPerConfiguration());
        // Every (direction, scale) pair is one configuration of a single batch: one call of the action.
        Tensor probes = Tensor.zeros(new Shape(directions * scales, channels, lattice), DType.F64);
        for (int d = 0; d < directions; d++) {
            double[] direction = directionList.get(d);
            for (int k = 0; k < scales; k++) {
                double c = Math.scalb(1.0, k);
                for (int i = 0; i < values; i++) probes.set((d * scales + k) * values + i, c * direction[i]);
            }
        }
        Tensor s = ((Tensor[]) action.call(probes))[0];
        for (int d = 0; d < directions; d++) {
            double atUnit = s.get(d * scales), last = s.get(d * scales + DOUBLINGS);
            boolean falling = true;
            for (int k = DOUBLINGS - 3; k <= DOUBLINGS; k++) falling &= s.get(d * scales + k) < s.get(d * scales + k - 1);
            boolean runaway = last == Double.NEGATIVE_INFINITY || falling && last < -FALL * (1 + Math.abs(atUnit));
            if (!runaway) continue;
            return Optional.of(String.format("along %s S falls from %.4g at c = 1 to %.4g at c = %.3g and keeps falling",
                    labels.get(d), atUnit, last, Math.scalb(1.0, DOUBLINGS)));
        }
        return Optional.empty();
    }
}
