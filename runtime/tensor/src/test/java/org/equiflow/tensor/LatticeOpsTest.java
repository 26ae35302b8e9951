package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Properties the physics relies on, checked on the float32 kernels: periodic convolution
 * commutes with lattice translations, roll follows torch.roll, and the composite reductions
 * sum what they say.
 */
class LatticeOpsTest {

    private final SplittableRandom random = new SplittableRandom(11);

    private static void assertSameValues(Tensor expected, Tensor actual, double tolerance, String what) {
        assertEquals(expected.shape(), actual.shape(), what);
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), tolerance, what + " element " + i);
    }

    @Test
    void convolutionCommutesWithTranslations2D() {
        Tensor x = Tensor.randn(new Shape(3, 2, 8, 8), DType.F32, random);
        Tensor w = Tensor.randn(new Shape(8, 2, 3, 3), DType.F32, random);
        Tensor b = Tensor.randn(Shape.perConfiguration(1, 8), DType.F32, random);
        for (int axis = 0; axis < 2; axis++) {
            for (int shift : new int[] {1, -3, 8}) {
                assertSameValues(Ops.roll(Ops.conv(x, w, b), axis, shift), Ops.conv(Ops.roll(x, axis, shift), w, b), 1e-5,
                        "translation by " + shift + " along axis " + axis);
            }
        }
    }

    @Test
    void convolutionCommutesWithTranslations3D() {
        Tensor x = Tensor.randn(new Shape(2, 2, 4, 6, 8), DType.F32, random);
        Tensor w = Tensor.randn(new Shape(3, 2, 3, 3, 3), DType.F32, random);
        for (int axis = 0; axis < 3; axis++) {
            assertSameValues(Ops.roll(Ops.conv(x, w), axis, 2), Ops.conv(Ops.roll(x, axis, 2), w), 1e-5, "axis " + axis);
        }
    }

    @Test
    void convolutionWithoutBiasIsOddUnderFieldFlip() {
        Tensor x = Tensor.randn(new Shape(2, 1, 8, 8), DType.F32, random);
        Tensor w = Tensor.randn(new Shape(4, 1, 3, 3), DType.F32, random);
        assertSameValues(Ops.neg(Ops.conv(x, w)), Ops.conv(Ops.neg(x), w), 0.0, "Z2");
    }

    @Test
    void convolutionMatchesADirectPeriodicSum() {
        Tensor x = Tensor.randn(new Shape(2, 3, 8, 8), DType.F32, random);
        Tensor w = Tensor.randn(new Shape(2, 3, 3, 3), DType.F32, random);
        Tensor out = Ops.conv(x, w);
        for (int b = 0; b < 2; b++) {
            for (int co = 0; co < 2; co++) {
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 8; j++) {
                        double sum = 0.0;
                        for (int ci = 0; ci < 3; ci++) {
                            for (int di = -1; di <= 1; di++) {
                                for (int dj = -1; dj <= 1; dj++) {
                                    sum += w.get(co, ci, di + 1, dj + 1) * x.get(b, ci, Math.floorMod(i + di, 8), Math.floorMod(j + dj, 8));
                                }
                            }
                        }
                        assertEquals(sum, out.get(b, co, i, j), 1e-5, "site " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void rollMovesValuesForwardLikeTorchRoll() {
        Tensor x = Tensor.zeros(new Shape(1, 1, 4, 4), DType.F32);
        x.set(new Shape(1, 1, 4, 4).index(0, 0, 1 * 4 + 2), 1.0);
        Tensor rolled = Ops.roll(x, 0, 3);
        assertEquals(1.0, rolled.get(0, 0, 0, 2), "(1 + 3) mod 4 = 0");
        assertEquals(1.0, Ops.roll(x, 1, -1).get(0, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Ops.roll(x, 2, 1));
    }

    @Test
    void rollEqualsItsDefinitionOnEveryAxisForAnyShift() {
        Shape shape = new Shape(2, 3, 3, 5, 4);
        Tensor x = Tensor.randn(shape, DType.F32, random);
        for (int axis = 0; axis < 3; axis++) {
            for (int shift : new int[] {0, 1, -1, 2, -7, 9, 20}) {
                Tensor rolled = Ops.roll(x, axis, shift);
                int extent = shape.latticeExtent(axis);
                for (int b = 0; b < 2; b++) {
                    for (int c = 0; c < 3; c++) {
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 5; j++) {
                                for (int k = 0; k < 4; k++) {
                                    int[] at = {i, j, k};
                                    int[] from = at.clone();
                                    from[axis] = Math.floorMod(at[axis] - shift, extent);
                                    assertEquals(x.get(b, c, from), rolled.get(b, c, at), 0.0, "axis " + axis + ", shift " + shift);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void compositeReductionsSumWhatTheySay() {
        Shape shape = new Shape(3, 4, 2, 2);
        Tensor x = Tensor.randn(shape, DType.F64, random);
        Tensor perConfiguration = Ops.sumPerConfiguration(x);
        Tensor channels = Ops.sumChannels(x, 1, 3);
        Tensor mean = Ops.meanOverBatch(x);
        assertEquals(Shape.perConfiguration(3, 1), perConfiguration.shape());
        assertEquals(shape.withChannels(1), channels.shape());
        assertEquals(shape.withBatch(1), mean.shape());
        for (int b = 0; b < 3; b++) {
            double total = 0.0;
            for (int c = 0; c < 4; c++) for (int s = 0; s < 4; s++) total += x.get(shape.index(b, c, s));
            assertEquals(total, perConfiguration.get(b), 1e-12);
            for (int s = 0; s < 4; s++) {
                assertEquals(x.get(shape.index(b, 1, s)) + x.get(shape.index(b, 2, s)), channels.get(b * 4 + s), 1e-12);
            }
        }
        for (int i = 0; i < mean.size(); i++) {
            double sum = 0.0;
            for (int b = 0; b < 3; b++) sum += x.get(b * 16 + i);
            assertEquals(sum / 3, mean.get(i), 1e-12);
        }
    }

    @Test
    void shapeErrorsNameTheShapes() {
        Tensor a = Tensor.zeros(new Shape(2, 3, 4, 4), DType.F32);
        Tensor b = Tensor.zeros(new Shape(2, 2, 4, 4), DType.F32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.add(a, b));
        assertEquals("shapes [2, 3, 4, 4] and [2, 2, 4, 4] do not broadcast", e.getMessage());
        Tensor w = Tensor.zeros(new Shape(8, 2, 3, 3), DType.F32);
        e = assertThrows(IllegalArgumentException.class, () -> Ops.conv(a, w));
        assertEquals("weight [8, 2, 3, 3] expects 2 input channels, input [2, 3, 4, 4] has 3", e.getMessage());
    }
}
