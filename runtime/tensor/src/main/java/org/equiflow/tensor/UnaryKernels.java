package org.equiflow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.cpu.VectorMath;

/**
 * Float32 elementwise functions: each {@link UnaryOp}'s own kernel ({@link UnaryOp#forwardF32}),
 * split across {@link CpuParallel} for large tensors, and the kernels that more than one place
 * runs (tanh and LeakyReLU, which fused convolutions apply in place, and their backward steps
 * from the output), vectorized where the Vector API compiles to plain SIMD.
 */
public final class UnaryKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Below this many elements a second thread costs more than it saves. */
    static final int PARALLEL_THRESHOLD = 1 << 16;

    private UnaryKernels() {
    }

    /** Computes {@code y = op(x)}: every unary op has a float32 kernel. */
    public static void forward(UnaryOp op, float[] x, float[] y) {
        if (x.length < PARALLEL_THRESHOLD) {
            op.forwardF32(x, y, 0, x.length);
        } else {
            CpuParallel.forChunks(x.length, (chunk, from, to) -> op.forwardF32(x, y, from, to));
        }
    }

    /**
     * The LeakyReLU backward step from the output: g where y > 0, slope·g elsewhere. A blend, not
     * a branch: the sign of a conv output is a coin flip for the branch predictor.
     */
    public static void leakyReluGradFromOutput(float[] y, float[] g, float[] out, float slope) {
        int i = 0;
        for (int end = SPECIES.loopBound(out.length); i < end; i += SPECIES.length()) {
            FloatVector gv = FloatVector.fromArray(SPECIES, g, i);
            FloatVector yv = FloatVector.fromArray(SPECIES, y, i);
            gv.blend(gv.mul(slope), yv.compare(VectorOperators.LE, 0f)).intoArray(out, i);
        }
        for (; i < out.length; i++) out[i] = y[i] > 0f ? g[i] : slope * g[i];
    }

    /** The tanh backward step from the output: g·(1 − y²). */
    public static void tanhGradFromOutput(float[] y, float[] g, float[] out) {
        int i = 0;
        for (int end = SPECIES.loopBound(out.length); i < end; i += SPECIES.length()) {
            FloatVector yv = FloatVector.fromArray(SPECIES, y, i);
            FloatVector.fromArray(SPECIES, g, i).mul(yv.mul(yv).neg().add(1f)).intoArray(out, i);
        }
        for (; i < out.length; i++) out[i] = g[i] * (1 - y[i] * y[i]);
    }

    /** tanh over a whole array in place, for fused kernels that activate their own output. */
    public static void tanhInPlace(float[] v) { tanh(v, v, 0, v.length); }

    /** LeakyReLU over a whole array in place, for fused kernels that activate their own output. */
    public static void leakyReluInPlace(float[] v, float slope) { leakyRelu(slope, v, v, 0, v.length); }

    /**
     * tanh through the intrinsic {@code Math.exp} (Math.tanh is a slow library call here, and
     * the conditioners end in one), in double, exact to float32 rounding: a Taylor polynomial
     * near zero where {@code 1 - 2/(e^{2x} + 1)} would cancel.
     */
    static void tanh(float[] x, float[] y, int from, int to) {
        if (VectorMath.supported()) {
            VectorMath.tanh(x, y, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            double v = x[i];
            if (Math.abs(v) < 0.0625) {
                // Next term 62/2835 v^9: relative error < 6e-12.
                double v2 = v * v;
                y[i] = (float) (v * (1.0 - v2 * (1.0 / 3.0 - v2 * (2.0 / 15.0 - v2 * (17.0 / 315.0)))));
            } else {
                y[i] = (float) (1.0 - 2.0 / (Math.exp(2.0 * v) + 1.0));
            }
        }
    }

    static void leakyRelu(float slope, float[] x, float[] y, int from, int to) {
        // No branch: the sign of a conv output is a coin flip. For 0 ≤ slope ≤ 1 (every slope
        // in use), leaky(x) = max(x, slope·x), two operations instead of a compare and a blend.
        int i = from;
        if (slope >= 0f && slope <= 1f) {
            for (int end = from + SPECIES.loopBound(to - from); i < end; i += SPECIES.length()) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, i);
                v.max(v.mul(slope)).intoArray(y, i);
            }
        }
        for (int end = from + SPECIES.loopBound(to - from); i < end; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.blend(v.mul(slope), v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
        }
        for (; i < to; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }
}
