package org.equiflow.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.equiflow.tensor.Activation;
import org.equiflow.tensor.Conditioner;
import org.equiflow.tensor.Conv;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.ConvWeightGradient;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The arithmetic a profile divides by time ({@code Primitive.flops}), counted by hand for small
 * convolutions, and the multiply-add peak it is compared with.
 */
class ArithmeticCountTest {

    @Test
    void aConvolutionCountsTwoFlopsPerMultiplyAdd() {
        Tensor x = Tensor.zeros(new Shape(3, 2, 4, 4), DType.F32), w = Tensor.zeros(new Shape(5, 2, 3, 3), DType.F32);
        // 5 outputs × 2 inputs × 9 taps per site, 16 sites, 3 configurations
        assertEquals(2L * 5 * 2 * 9 * 16 * 3, new Conv().flops(List.of(x, w)));
        assertEquals(2L * 5 * 2 * 9 * 16 * 3, new ConvAct(Activation.TANH, 0).flops(List.of(x, w, Tensor.zeros(Shape.perConfiguration(1, 5), DType.F32))));
        Tensor g = Tensor.zeros(new Shape(3, 5, 4, 4), DType.F32);
        assertEquals(2L * 5 * 2 * 9 * 16 * 3, new ConvWeightGradient(3).flops(List.of(x, g)));
    }

    /** 1 → 4 → 2 channels on 4 × 4 with the last layer on a checkerboard's 8 sites; the gradient twice the forward pass. */
    @Test
    void aMaskedConditionerCountsItsLastLayerOnTheMaskedSitesOnly() {
        var stages = List.of(new Conditioner.Stage(new ConvAct(Activation.LEAKY_RELU, 0.01), true),
                new Conditioner.Stage(new ConvAct(Activation.TANH, 0), false));
        var conditioner = new Conditioner(stages, true);
        Tensor mask = Tensor.zeros(new Shape(1, 1, 4, 4), DType.F32);
        for (int s = 0; s < 16; s++) if ((s / 4 + s % 4) % 2 == 0) mask.set(s, 1);
        List<Tensor> operands = List.of(Tensor.zeros(new Shape(2, 1, 4, 4), DType.F32), Tensor.zeros(new Shape(4, 1, 3, 3), DType.F32),
                Tensor.zeros(Shape.perConfiguration(1, 4), DType.F32), Tensor.zeros(new Shape(2, 4, 3, 3), DType.F32), mask);
        long forward = 2L * (4 * 1 * 9 * 16 * 2 + 2 * 4 * 9 * 8 * 2);
        assertEquals(forward, conditioner.flops(operands));
        assertEquals(2 * forward, conditioner.gradientFlops(operands));
        // the operands are the ones the primitive takes: its output has the shape the count assumes
        assertEquals(new Shape(2, 2, 4, 4), Ops.apply(conditioner, operands).shape());
    }

    @Test
    void theMultiplyAddPeakIsAPositiveRatePerThread() {
        var peak = MultiplyAddPeak.measure(2, 0.05);
        assertEquals(2, peak.threads());
        assertEquals(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), peak.lanes());
        assertTrue(peak.gigaflopsPerThread() > 0.05 && Double.isFinite(peak.gigaflopsPerThread()), peak.toString());
    }
}
