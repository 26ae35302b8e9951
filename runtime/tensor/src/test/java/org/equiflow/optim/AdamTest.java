package org.equiflow.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AdamTest {

    private static Tensor parameter(DType dtype, double... values) {
        Tensor p = Tensor.zeros(Shape.perConfiguration(1, values.length), dtype);
        for (int i = 0; i < values.length; i++) p.set(i, values[i]);
        return p.requiresGrad(true);
    }

    private static void setGrad(Tensor p, double... values) {
        Tensor g = Tensor.zeros(p.shape(), p.dtype());
        for (int i = 0; i < values.length; i++) g.set(i, values[i]);
        p.setGrad(g);
    }

    @Test
    void firstStepIsLearningRateTimesSignOfGradient() {
        // Step 1 by hand, lr 0.1, betas (0.9, 0.999), eps 1e-8, g = (0.5, -0.1):
        //   m = 0.1 g,  v = 0.001 g^2,  m / (1 - 0.9) = g,  sqrt(v / (1 - 0.999)) = |g|
        //   p -= 0.1 * g / (|g| + 1e-8):  1 - 0.05/0.50000001 = 0.900000002,
        //                                -2 + 0.01/0.10000001 = -1.9000000099999999
        Tensor p = parameter(DType.F64, 1.0, -2.0);
        Adam adam = new Adam(List.of(p), 0.1);
        setGrad(p, 0.5, -0.1);
        adam.step();
        assertEquals(0.900000002, p.get(0), 1e-14);
        assertEquals(-1.90000001, p.get(1), 1e-14);

        // Step 2, g = (0.2, 0.3): m = (0.065, 0.021), v = (0.00028975, 0.00009999),
        // p -= 0.1/(1-0.81) * m / (sqrt(v)/sqrt(1-0.998001) + 1e-8).
        setGrad(p, 0.2, 0.3);
        adam.step();
        double expected0 = 0.900000002 - 0.1 / 0.19 * 0.065 / (Math.sqrt(0.00028975) / Math.sqrt(0.001999) + 1e-8);
        double expected1 = -1.90000001 - 0.1 / 0.19 * 0.021 / (Math.sqrt(0.00009999) / Math.sqrt(0.001999) + 1e-8);
        assertEquals(0.8101424839029282, expected0, 1e-12, "the hand formula itself");
        assertEquals(expected0, p.get(0), 1e-12);
        assertEquals(expected1, p.get(1), 1e-12);
        assertEquals(2, adam.steps());
    }

    @Test
    void float32ParametersFollowTheSameUpdate() {
        Tensor p = parameter(DType.F32, 1.0, -2.0);
        Adam adam = new Adam(List.of(p), 0.1);
        setGrad(p, 0.5, -0.1);
        adam.step();
        assertEquals(0.9f, (float) p.get(0));
        assertEquals(-1.9f, (float) p.get(1));
    }

    @Test
    void parametersWithoutGradientStayAndZeroGradClears() {
        Tensor moved = parameter(DType.F64, 1.0);
        Tensor idle = parameter(DType.F64, 3.0);
        Adam adam = new Adam(List.of(moved, idle), 1e-3);
        setGrad(moved, -4.0);
        adam.step();
        assertEquals(1.001, moved.get(0), 1e-9);
        assertEquals(3.0, idle.get(0));
        adam.zeroGrad();
        assertNull(moved.grad());
    }

    @Test
    void refusesTensorsThatAreNotParameters() {
        Tensor constant = Tensor.zeros(Shape.scalar(), DType.F32);
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(constant), 1e-3));
    }

    @Test
    void adamWDecaysTheWeightsDecoupledFromTheGradient() {
        // p ← p − lr · (m̂ / (√v̂ + eps) + wd · p) with the old p. Step 1, lr 0.1, wd 0.5, g = (0.5, -0.1), p = (1, -2):
        //   m̂ = g, √v̂ = |g|:  p = 1 − 0.1 (0.5/0.50000001 + 0.5) = 0.850000002,
        //                     p = −2 − 0.1 (−0.1/0.10000001 + 0.5 · (−2)) = −1.80000001
        Tensor p = parameter(DType.F64, 1.0, -2.0);
        Adam adamW = new Adam(List.of(p), LearningRateSchedule.constant(0.1), 0.9, 0.999, 1e-8, 0.5);
        setGrad(p, 0.5, -0.1);
        adamW.step();
        assertEquals(1 - 0.1 * (0.5 / (0.5 + 1e-8) + 0.5), p.get(0), 1e-15);
        assertEquals(0.850000002, p.get(0), 1e-14);
        assertEquals(-1.80000001, p.get(1), 1e-14);
        // Step 2, g = (0.2, 0.3): the same moments as plain Adam's step 2 (the decay does not enter them), the decay on
        // the weights after step 1.
        setGrad(p, 0.2, 0.3);
        adamW.step();
        double adam0 = 0.1 / 0.19 * 0.065 / (Math.sqrt(0.00028975) / Math.sqrt(0.001999) + 1e-8);
        double adam1 = 0.1 / 0.19 * 0.021 / (Math.sqrt(0.00009999) / Math.sqrt(0.001999) + 1e-8);
        assertEquals(0.850000002 - 0.1 * 0.5 * 0.850000002 - adam0, p.get(0), 1e-12);
        assertEquals(-1.80000001 - 0.1 * 0.5 * -1.80000001 - adam1, p.get(1), 1e-12);
        // Without a gradient the weights are left alone, decay included (as PyTorch skips them).
        Tensor idle = parameter(DType.F64, 3.0);
        Adam other = new Adam(List.of(idle), LearningRateSchedule.constant(0.1), 0.9, 0.999, 1e-8, 0.5);
        other.step();
        assertEquals(3.0, idle.get(0));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(idle), LearningRateSchedule.constant(0.1), 0.9, 0.999, 1e-8, -1));
    }
}
