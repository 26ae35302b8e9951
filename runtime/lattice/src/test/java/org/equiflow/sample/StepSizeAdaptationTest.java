package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Dual averaging against synthetic acceptance curves α(ε) = e^{−c ε²}, the shape of HMC's
 * acceptance at small steps (⟨ΔH⟩ ∝ ε⁴ V for leapfrog, so acceptance falls with ε² to leading
 * order): the tuned ε̄ must give the target acceptance, from far too small or far too large a start.
 */
class StepSizeAdaptationTest {
    private static final double C = 3.0;
    private static final DoubleUnaryOperator ACCEPTANCE = eps -> Math.exp(-C * eps * eps);

    /** The ε with α(ε) = target. */
    private static double exactStep(double target) { return Math.sqrt(-Math.log(target) / C); }

    private static StepSizeAdaptation tune(double start, double target, int iterations, DoubleUnaryOperator acceptance) {
        var adaptation = new StepSizeAdaptation(start, target);
        for (int t = 0; t < iterations; t++) adaptation.update(acceptance.applyAsDouble(adaptation.current()));
        return adaptation;
    }

    /**
     * Within 5% in ε after 300 trajectories from 300 times too small to 8 times too large a start;
     * from 100 times too large the average still carries the first huge steps (ε̄ weighs the newest
     * by t^{−κ} only), yet the acceptance at ε̄ is within 0.02 of the target.
     */
    @Test
    void convergesToTheStepWithTheTargetAcceptanceFromEitherSide() {
        for (double target : new double[] {0.65, 0.8, 0.9}) {
            for (double start : new double[] {1e-3, 0.1, 1.5, 20}) {
                var tuned = tune(start, target, 300, ACCEPTANCE).tuned();
                if (start < 10) assertEquals(exactStep(target), tuned, 0.05 * exactStep(target), "target " + target + ", start " + start);
                assertEquals(target, ACCEPTANCE.applyAsDouble(tuned), 0.02, "acceptance at ε̄, target " + target + ", start " + start);
            }
        }
    }

    /**
     * A real trajectory's acceptance probability is random; dual averaging aims its mean at the
     * target. Here each trajectory is accepted outright or not at all, with probability α(ε).
     */
    @Test
    void convergesOnNoisyAcceptances() {
        var random = new SplittableRandom(7);
        double target = 0.8;
        var tuned = tune(1.5, target, 2000, eps -> random.nextDouble() < ACCEPTANCE.applyAsDouble(eps) ? 1 : 0).tuned();
        assertEquals(target, ACCEPTANCE.applyAsDouble(tuned), 0.05, "acceptance at ε̄ = " + tuned);
    }

    /** A blown-up trajectory (ΔH NaN) counts as rejected for sure: the step shrinks as it would at α = 0. */
    @Test
    void aBlownUpTrajectoryCountsAsAcceptanceZero() {
        var nan = new StepSizeAdaptation(1.0, 0.8);
        var zero = new StepSizeAdaptation(1.0, 0.8);
        var one = new StepSizeAdaptation(1.0, 0.8);
        nan.update(StepSizeAdaptation.acceptanceProbability(Double.NaN));
        zero.update(0);
        one.update(1);
        assertEquals(zero.current(), nan.current());
        // (μ = log 10ε₀ pulls the first steps above the start either way, an accepted one further)
        assertTrue(nan.current() < one.current() / 2, "a rejection shrinks the next step: " + nan.current() + " vs " + one.current());
        // Above the NaN, a curve whose large steps blow up: ε > 1 gives NaN, and tuning still lands on the target.
        var tuned = tune(5, 0.8, 300, eps -> eps > 1 ? StepSizeAdaptation.acceptanceProbability(Double.NaN) : ACCEPTANCE.applyAsDouble(eps));
        assertEquals(exactStep(0.8), tuned.tuned(), 0.03 * exactStep(0.8));
    }

    @Test
    void acceptanceProbabilityIsMinOneExpMinusDeltaH() {
        assertEquals(1.0, StepSizeAdaptation.acceptanceProbability(-0.3));
        assertEquals(1.0, StepSizeAdaptation.acceptanceProbability(0.0));
        assertEquals(Math.exp(-0.7), StepSizeAdaptation.acceptanceProbability(0.7), 1e-15);
        assertEquals(0.0, StepSizeAdaptation.acceptanceProbability(Double.POSITIVE_INFINITY));
        assertEquals(0.0, StepSizeAdaptation.acceptanceProbability(Double.NaN));
    }

    @Test
    void beforeAnyTrajectoryTheStepIsTheStart() {
        var adaptation = new StepSizeAdaptation(0.25, 0.8);
        assertEquals(0.25, adaptation.current(), 1e-15);
        assertEquals(0.25, adaptation.tuned());
        assertEquals(0, adaptation.iterations());
        assertThrows(IllegalArgumentException.class, () -> new StepSizeAdaptation(0.1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new StepSizeAdaptation(0.0, 0.8));
    }
}
