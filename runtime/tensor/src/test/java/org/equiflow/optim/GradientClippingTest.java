package org.equiflow.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** `clip_grad_norm`: the global L2 norm over all parameters' gradients, scaled down to the maximum when above it. */
class GradientClippingTest {
    private static Tensor withGradient(double... gradient) {
        Tensor p = Tensor.zeros(Shape.perConfiguration(1, gradient.length), DType.F64).requiresGrad(true);
        Tensor g = Tensor.zeros(p.shape(), DType.F64);
        for (int i = 0; i < gradient.length; i++) g.set(i, gradient[i]);
        p.setGrad(g);
        return p;
    }

    private static double[] gradient(Tensor p) {
        double[] out = new double[p.size()];
        for (int i = 0; i < out.length; i++) out[i] = p.grad().get(i);
        return out;
    }

    @Test
    void aboveTheMaximumTheGlobalNormBecomesTheMaximumAndTheDirectionIsKept() {
        // Two parameters, gradients (3, 0) and (4): the global norm is 5, not either one's.
        Tensor a = withGradient(3, 0), b = withGradient(4);
        Tensor untouched = Tensor.zeros(Shape.perConfiguration(1, 2), DType.F64).requiresGrad(true);
        var result = new GradientClipping(2.0).clip(List.of(a, b, untouched));
        assertEquals(5.0, result.norm(), 1e-15, "the norm before clipping");
        assertTrue(result.clipped());
        assertEquals(2.0, GradientClipping.globalNorm(List.of(a, b)), 1e-15);
        assertArrayEquals(new double[] {1.2, 0}, gradient(a), 1e-15);
        assertArrayEquals(new double[] {1.6}, gradient(b), 1e-15);
    }

    @Test
    void atOrBelowTheMaximumTheGradientsAreLeftAlone() {
        Tensor a = withGradient(0.3, -0.4);
        var result = new GradientClipping(0.5).clip(List.of(a));
        assertEquals(0.5, result.norm(), 1e-15);
        assertFalse(result.clipped());
        assertArrayEquals(new double[] {0.3, -0.4}, gradient(a), 0.0);
        var unclipped = GradientClipping.NONE.clip(List.of(withGradient(1e30)));
        assertFalse(unclipped.clipped());
        assertEquals(1e30, unclipped.norm());
        assertThrows(IllegalArgumentException.class, () -> new GradientClipping(0));
    }
}
