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
                new UnaryOp.Tan(), new UnaryOp.Atan(), new UnaryOp.WrapAngle(), new UnaryOp.PowInt(-1), new UnaryOp.PowInt(-2),
                new UnaryOp.PowInt(2), new UnaryOp.PowInt(3), new UnaryOp.LeakyRelu(0.01), new UnaryOp.LeakyRelu(1.5),
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

    /**
     * sin, cos and tan reduce the angle by multiples of π, atan by 1/x and π/4, log by powers of
     * 2 before a polynomial (tensor.cpu.VectorMath): over many periods, next to multiples of
     * π/2, from tiny to huge arguments, and for the values left to Math (|x| above the
     * reduction's limit, zero, negative, infinities, NaN), every result is within one float ulp
     * of the rounded double function, and nearly all are exactly it.
     */
    @Test
    void angleKernelsRoundTheDoubleFunctionOverManyPeriods() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        int n = 20003; // not a multiple of the vector length: the tails go through Math
        float[] angles = new float[n], wide = new float[n];
        for (int i = 0; i < n; i++) {
            angles[i] = switch (i % 4) {
                case 0 -> (float) random.nextDouble(-30, 30);
                case 1 -> (float) random.nextDouble(-2e5, 2e5);
                case 2 -> (float) (Math.PI / 2 * random.nextInt(-2000, 2000) + random.nextDouble(-1e-3, 1e-3));
                default -> (float) (Math.PI / 2 * random.nextInt(-8, 8)); // the float next to a multiple of π/2
            };
            wide[i] = (float) (Math.scalb(random.nextDouble(0.5, 1.0), random.nextInt(-40, 40)) * (random.nextBoolean() ? 1 : -1));
        }
        List<UnaryOp> trig = List.of(new UnaryOp.Sin(), new UnaryOp.Cos(), new UnaryOp.Tan());
        for (UnaryOp op : trig) assertRoundsWithinOneUlp(op, angles);
        assertRoundsWithinOneUlp(new UnaryOp.Atan(), wide);
        assertRoundsWithinOneUlp(new UnaryOp.Atan(), angles);
        // One value out of the reduction's range, or not finite, sends its array to Math.
        for (float odd : new float[] {3e6f, Float.POSITIVE_INFINITY, Float.NaN}) {
            float[] mixed = java.util.Arrays.copyOf(angles, 64);
            mixed[17] = odd;
            for (UnaryOp op : trig) assertRoundsWithinOneUlp(op, mixed);
        }
        float[] positive = new float[n];
        for (int i = 0; i < n; i++) positive[i] = Math.abs(wide[i]);
        positive[5] = Float.MIN_VALUE; // a float32 subnormal
        positive[6] = Float.MAX_VALUE;
        positive[7] = 1f;
        positive[8] = Math.nextUp(1f);
        positive[9] = Math.nextDown(1f);
        positive[10] = (float) Math.sqrt(2);
        positive[11] = (float) Math.sqrt(0.5);
        assertRoundsWithinOneUlp(new UnaryOp.Log(), positive);
        for (float odd : new float[] {0f, -1f, Float.POSITIVE_INFINITY, Float.NaN}) {
            float[] mixed = java.util.Arrays.copyOf(positive, 64);
            mixed[17] = odd;
            assertRoundsWithinOneUlp(new UnaryOp.Log(), mixed);
        }
        float[] infinite = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0f, -0f, 1f, -1f, 0.41421357f,
                0.41421354f, 1e30f, -1e-30f, 3f, -3f, 0.5f, 2f, -7f};
        assertRoundsWithinOneUlp(new UnaryOp.Atan(), infinite);
    }

    private static void assertRoundsWithinOneUlp(UnaryOp op, float[] values) {
        Tensor y = Ops.apply(op, Tensor.wrap(new Shape(1, 1, values.length), values.clone()));
        int exact = 0;
        for (int i = 0; i < values.length; i++) {
            float rounded = (float) op.apply(values[i]);
            float got = (float) y.get(i);
            if (Float.isNaN(rounded)) {
                assertEquals(rounded, got, op + " at " + values[i]);
                exact++;
                continue;
            }
            assertEquals(rounded, got, Math.ulp(rounded), op + " at " + values[i]);
            if (rounded == got) exact++;
        }
        org.junit.jupiter.api.Assertions.assertTrue(exact >= 0.999 * values.length,
                op + ": " + (values.length - exact) + " of " + values.length + " off by one ulp");
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
