package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eigenphases recovered from traces of known classes, on the Weyl alcove, to rounding. */
class SuThreeEigenphasesTest {

    /** Random classes (including near-degenerate ones and the centre) → trace → phases: the same class, canonical. */
    @Test
    void recoversTheAlcovePointOfEveryClass() {
        SplittableRandom random = new SplittableRandom(7);
        double[] phases = new double[3];
        double worst = 0;
        for (int trial = 0; trial < 20000; trial++) {
            double first = random.nextDouble(-3 * Math.PI, 3 * Math.PI);
            double second = trial % 10 == 0 ? first + random.nextDouble(-1e-3, 1e-3) : random.nextDouble(-3 * Math.PI, 3 * Math.PI);
            if (trial == 1) { first = 0; second = 0; }
            if (trial == 2) { first = 2 * Math.PI / 3; second = 2 * Math.PI / 3; }
            double third = -first - second;
            double re = Math.cos(first) + Math.cos(second) + Math.cos(third);
            double im = Math.sin(first) + Math.sin(second) + Math.sin(third);
            SuThreeEigenphases.phases(re, im, phases);
            assertTrue(phases[0] >= phases[1] && phases[1] >= phases[2], "sorted");
            assertEquals(0, phases[0] + phases[1] + phases[2], 1e-12, "traceless");
            assertTrue(phases[0] - phases[2] <= 2 * Math.PI + 1e-9, "inside the alcove");
            // same class: the multiset of eigenvalues agrees (each true eigenvalue is matched)
            for (double truth : new double[] {first, second, third}) {
                double nearest = Double.MAX_VALUE;
                for (double phase : phases) nearest = Math.min(nearest, Math.abs(Math.IEEEremainder(phase - truth, 2 * Math.PI)));
                worst = Math.max(worst, trial % 10 == 0 ? 0 : nearest);
                assertTrue(nearest < (trial % 10 == 0 || trial < 3 ? 1e-4 : 1e-9), "eigenvalue e^{i" + truth + "} found, off by " + nearest);
            }
        }
        assertTrue(worst < 1e-9, "worst separated error " + worst);
    }
}
