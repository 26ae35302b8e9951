package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The float32 elementwise kernels (some vectorized, tanh rewritten through exp) against the
 * double definition of each function, over a sweep that includes tiny, boundary and
 * saturating arguments: within 2 float ulps.
 */
class Float32ElementwiseTest {

    private static final float[] SWEEP = sweep();

    private static float[] sweep() {
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.0624999f, 0.0625f, -0.0625f, 0.0625001f,
                0.5f, -0.5f, 1f, -1f, 3.7f, -3.7f, 9f, -9f, 20f, -20f, 40f, -40f};
        int dense = 2001;
        float[] values = new float[special.length + dense];
        System.arraycopy(special, 0, values, 0, special.length);
        for (int i = 0; i < dense; i++) values[special.length + i] = -6f + 12f * i / (dense - 1);
        return values;
    }

    @Test
    void everyUnaryKernelRoundsTheDoubleFunction() {
        List<UnaryOp> ops = List.of(new UnaryOp.Neg(), new UnaryOp.Exp(), new UnaryOp.Tanh(), new UnaryOp.Sigmoid(),
                new UnaryOp.Abs(), new UnaryOp.Sign(), new UnaryOp.Sin(), new UnaryOp.Cos(), new UnaryOp.Square(),
                new UnaryOp.PowInt(3), new UnaryOp.LeakyRelu(0.01), new UnaryOp.LeakyRelu(1.5),
                new UnaryOp.MulScalar(-0.3), new UnaryOp.AddScalar(2.5));
        Tensor x = Tensor.wrap(new Shape(1, 1, SWEEP.length), SWEEP.clone());
        for (UnaryOp op : ops) {
            Tensor y = Ops.apply(op, x);
            for (int i = 0; i < SWEEP.length; i++) {
                double exact = op.apply(SWEEP[i]);
                float rounded = (float) exact;
                assertEquals(rounded, (float) y.get(i), 2 * Math.ulp(rounded), op + " at " + SWEEP[i]);
            }
        }
        Tensor positive = Ops.addScalar(Ops.abs(x), 1e-3);
        Tensor log = Ops.log(positive);
        for (int i = 0; i < SWEEP.length; i++) {
            float rounded = (float) Math.log(positive.get(i));
            assertEquals(rounded, (float) log.get(i), 2 * Math.ulp(rounded), "log at " + positive.get(i));
        }
    }

    @Test
    void largeTensorsSplitAcrossThreadsGiveTheSameValues() {
        // Above the kernels' parallel threshold (2^16 elements), with an awkward element count.
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        Shape shape = new Shape(41, 8, 20, 20);
        Tensor x = Tensor.randn(shape, DType.F32, random);
        Tensor mask = Tensor.randn(new Shape(1, 1, 20, 20), DType.F32, random);
        for (UnaryOp op : List.of(new UnaryOp.LeakyRelu(0.01), new UnaryOp.Tanh(), new UnaryOp.Neg(), new UnaryOp.MulScalar(3))) {
            Tensor y = Ops.apply(op, x);
            for (int i = 0; i < x.size(); i++) assertEquals((float) op.apply(x.get(i)), (float) y.get(i), 2 * Math.ulp((float) op.apply(x.get(i))), op + " at " + i);
        }
        Tensor product = Ops.mul(x, mask);
        for (int i = 0; i < x.size(); i++) {
            assertEquals((float) (x.get(i) * mask.get(i % 400)), (float) product.get(i), "masked product at " + i);
        }
    }
}
