package org.equiflow.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** `lr_decay`: step t of Adam moves by lr · decay^t, and a restored optimizer continues the schedule where it stopped. */
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
