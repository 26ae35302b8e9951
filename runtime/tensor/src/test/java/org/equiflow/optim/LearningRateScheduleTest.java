package org.equiflow.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The learning-rate schedules: `lr_decay` (step t of Adam moves by lr · decay^t), step decay,
 * cosine annealing and the linear warm-up before them, each a pure function of the step; and a
 * restored optimizer continues the schedule where it stopped.
 */
class LearningRateScheduleTest {
    private static Tensor parameter(double value) {
        Tensor p = Tensor.zeros(Shape.perConfiguration(1, 1), DType.F64);
        p.set(0, value);
        return p.requiresGrad(true);
    }

    private static void step(Adam adam, Tensor p, double gradient) {
        Tensor g = Tensor.zeros(p.shape(), p.dtype());
        g.set(0, gradient);
        p.setGrad(g);
        adam.step();
        adam.zeroGrad();
    }

    @Test
    void theRateIsAPureFunctionOfTheStep() {
        var schedule = new LearningRateSchedule(1e-2, 0.9);
        assertEquals(1e-2, schedule.at(0));
        assertEquals(1e-2 * 0.9 * 0.9 * 0.9, schedule.at(3), 1e-18);
        assertEquals(1e-2, LearningRateSchedule.constant(1e-2).at(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-2, 0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-2, 1.5));
    }

    @Test
    void warmUpRampsLinearlyToTheRateThenTheDecayStartsFromOne() {
        var schedule = new LearningRateSchedule(0.1, new LearningRateSchedule.Exponential(0.5), 4);
        // Steps 0..3 ramp lr · (t + 1) / 4; step 4 is the first of the decay, at its factor 1.
        assertEquals(0.025, schedule.at(0), 1e-16);
        assertEquals(0.05, schedule.at(1), 1e-16);
        assertEquals(0.075, schedule.at(2), 1e-16);
        assertEquals(0.1, schedule.at(3), 1e-16);
        assertEquals(0.1, schedule.at(4), 1e-16);
        assertEquals(0.05, schedule.at(5), 1e-16);
        assertEquals(0.025, schedule.at(6), 1e-16);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0.1, new LearningRateSchedule.Constant(), -1));
    }

    @Test
    void stepDecayDropsByItsFactorEveryEverySteps() {
        var schedule = new LearningRateSchedule(1.0, new LearningRateSchedule.StepDecay(3, 0.5), 0);
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125};
        for (int t = 0; t < expected.length; t++) assertEquals(expected[t], schedule.at(t), 0.0, "step " + t);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.StepDecay(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.StepDecay(3, 0));
    }

    @Test
    void cosineGoesFromTheRateToItsFloorOverItsStepsAndStaysThere() {
        var cosine = new LearningRateSchedule(0.2, new LearningRateSchedule.Cosine(10, 0.1), 0);
        assertEquals(0.2, cosine.at(0), 1e-17, "starts at lr");
        // Halfway cos(π/2) = 0: the mean of lr and the floor, 0.2 · (0.1 + 0.9 · 0.5) = 0.11.
        assertEquals(0.11, cosine.at(5), 1e-15);
        // A quarter of 12 steps: 0.2 · (0.1 + 0.9 · ½(1 + cos(π/4))).
        var twelve = new LearningRateSchedule(0.2, new LearningRateSchedule.Cosine(12, 0.1), 0);
        assertEquals(0.2 * (0.1 + 0.9 * 0.5 * (1 + Math.sqrt(0.5))), twelve.at(3), 1e-15);
        assertEquals(0.02, cosine.at(10), 1e-17, "ends at floor · lr");
        assertEquals(0.02, cosine.at(1000), 1e-17, "and stays there when the run goes on");
        for (int t = 1; t <= 10; t++) assertTrue(cosine.at(t) < cosine.at(t - 1), "decreasing at " + t);
        // With warm-up the cosine starts after it: steps 0, 1 ramp, step 2 is the cosine's first, at lr.
        var warm = new LearningRateSchedule(0.2, new LearningRateSchedule.Cosine(10, 0.0), 2);
        assertEquals(0.1, warm.at(0), 1e-16);
        assertEquals(0.2, warm.at(2), 1e-16);
        assertEquals(0.0, warm.at(12), 1e-16);
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule.Cosine(10, 1.5));
    }

    @Test
    void eachAdamStepMovesByTheDecayedRate() {
        // With a constant gradient Adam's bias-corrected update is lr_t · g / (|g| + eps) ≈ lr_t:
        // the steps shrink by the decay factor, where a constant rate would keep them equal.
        Tensor p = parameter(0);
        Adam adam = new Adam(List.of(p), new LearningRateSchedule(0.1, 0.5));
        double before = p.get(0);
        for (int t = 0; t < 6; t++) {
            step(adam, p, 2.0);
            double moved = before - p.get(0);
            assertEquals(0.1 * Math.pow(0.5, t), moved, 1e-8 * 0.1, "step " + t);
            before = p.get(0);
        }
    }

    @Test
    void aRestoredOptimizerContinuesTheScheduleAtItsStep() {
        double[] gradients = {0.3, -1.2, 0.7, 0.1, -0.4, 2.0};
        Tensor straight = parameter(1.0);
        Adam uninterrupted = new Adam(List.of(straight), new LearningRateSchedule(0.05, 0.8));
        for (double g : gradients) step(uninterrupted, straight, g);

        Tensor first = parameter(1.0);
        Adam before = new Adam(List.of(first), new LearningRateSchedule(0.05, 0.8));
        for (int t = 0; t < 3; t++) step(before, first, gradients[t]);
        Tensor resumed = parameter(first.get(0));
        Adam after = new Adam(List.of(resumed), new LearningRateSchedule(0.05, 0.8));
        after.restore(before.state());
        for (int t = 3; t < gradients.length; t++) step(after, resumed, gradients[t]);

        assertArrayEquals(new double[] {straight.get(0)}, new double[] {resumed.get(0)}, 0.0);
    }
}
