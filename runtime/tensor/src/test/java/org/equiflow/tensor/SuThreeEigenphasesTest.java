package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The eigenphases recovered from SU(3) matrices of known classes, on the Weyl alcove, to
 * rounding — also where eigenvalues nearly or exactly coincide (the identity, the other centre
 * elements, the walls), in float64 and in float32.
 */
class SuThreeEigenphasesTest {

    /** The phases of one matrix through the primitive, in the given precision. */
    private static double[] phases(double[] matrix, DType dtype) {
        Tensor m = Tensor.zeros(new Shape(1, 18, 1, 1), dtype);
        for (int c = 0; c < 18; c++) m.set(c, matrix[c]);
        Tensor out = Ops.apply(new SuThreeEigenphases(), m);
        return new double[] {out.get(0), out.get(1), out.get(2)};
    }

    /** The largest distance of a true eigenvalue e^{iθ} from the nearest recovered one. */
    private static double mismatch(double[] truth, double[] found) {
        double worst = 0;
        for (double t : truth) {
            double nearest = Double.MAX_VALUE;
            for (double phase : found) nearest = Math.min(nearest, Math.abs(Math.IEEEremainder(phase - t, 2 * Math.PI)));
            worst = Math.max(worst, nearest);
        }
        return worst;
    }

    /** Sorted, summing to 0 and within the alcove, to the rounding of the precision the phases are stored in. */
    private static void assertOnTheAlcove(double[] phases, double rounding) {
        assertTrue(phases[0] >= phases[1] && phases[1] >= phases[2], "sorted");
        assertEquals(0, phases[0] + phases[1] + phases[2], rounding, "traceless");
        assertTrue(phases[0] - phases[2] <= 2 * Math.PI + rounding, "inside the alcove");
    }

    /**
     * Random classes, one in three with two phases within 10⁻⁶ of each other, one in three with all three
     * within 10⁻⁶ of a centre element e^{2πik/3}·1, and the centre elements exactly: the same class
     * comes back, canonical, to 1e-12 in float64 — the eigenvalues of a unitary matrix are as well
     * conditioned as the matrix, unlike the roots of its characteristic polynomial (Cardano from the
     * trace loses half the digits at a double root and two thirds at a triple one).
     */
    @Test
    void recoversTheAlcovePointOfEveryClassEvenWhereEigenvaluesCoincide() {
        SplittableRandom random = new SplittableRandom(7);
        double worst = 0;
        for (int trial = 0; trial < 6000; trial++) {
            double first = random.nextDouble(-Math.PI, Math.PI), second = random.nextDouble(-Math.PI, Math.PI);
            if (trial % 3 == 1) second = first + random.nextDouble(-1e-6, 1e-6);
            if (trial % 3 == 2) {
                double centre = 2 * Math.PI / 3 * random.nextInt(3);
                first = centre + random.nextDouble(-1e-6, 1e-6);
                second = centre + random.nextDouble(-1e-6, 1e-6);
            }
            if (trial < 3) first = second = 2 * Math.PI / 3 * trial;
            double[] truth = {first, second, -first - second};
            double[] found = phases(PrimitiveCases.suThreeWithPhases(random, truth), DType.F64);
            assertOnTheAlcove(found, 1e-12);
            double off = mismatch(truth, found);
            worst = Math.max(worst, off);
            assertTrue(off < 1e-12, "trial " + trial + ": an eigenvalue is off by " + off);
        }
        assertTrue(worst < 1e-12, "worst error " + worst);
    }

    /**
     * In float32 the matrix itself is known only to ~6e-8, and so are its eigenvalues: classes near the
     * centre elements (gaps 10⁻³, where phases from the float32 trace would be off by ∛ε ≈ 5e-3) come back
     * to 1e-6.
     */
    @Test
    void nearCentreElementsFloat32MatricesGivePhasesToFloat32Accuracy() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 2000; trial++) {
            double centre = 2 * Math.PI / 3 * random.nextInt(3);
            double[] truth = {centre + 1e-3 * random.nextDouble(-1, 1), centre + 1e-3 * random.nextDouble(-1, 1), 0};
            truth[2] = -truth[0] - truth[1];
            double[] found = phases(PrimitiveCases.suThreeWithPhases(random, truth), DType.F32);
            assertOnTheAlcove(found, 1e-6);
            assertTrue(mismatch(truth, found) < 1e-6, "trial " + trial + ": off by " + mismatch(truth, found));
        }
    }

    /**
     * Exactly at a degenerate class (the identity, a wall) the phases are continuous but not
     * differentiable; the cotangent of the matrix stays finite and bounded by the upstream one.
     */
    @Test
    void theCotangentIsFiniteAtDegenerateClasses() {
        SplittableRandom random = new SplittableRandom(3);
        for (double[] truth : new double[][] {{0, 0, 0}, {1, 1, -2}, {2 * Math.PI / 3, 2 * Math.PI / 3, -4 * Math.PI / 3}}) {
            Tensor m = Tensor.zeros(new Shape(1, 18, 1, 1), DType.F64);
            double[] matrix = PrimitiveCases.suThreeWithPhases(random, truth);
            for (int c = 0; c < 18; c++) m.set(c, matrix[c]);
            Tensor out = Ops.apply(new SuThreeEigenphases(), m);
            Tensor upstream = Tensor.zeros(out.shape(), DType.F64);
            for (int k = 0; k < 3; k++) upstream.set(k, k + 1.0);
            Tensor grad = new SuThreeEigenphases().vjp(0, List.of(m), out, upstream);
            for (int i = 0; i < grad.size(); i++) {
                assertTrue(Double.isFinite(grad.get(i)) && Math.abs(grad.get(i)) <= 3, "cotangent " + i + " = " + grad.get(i));
            }
        }
    }
}
