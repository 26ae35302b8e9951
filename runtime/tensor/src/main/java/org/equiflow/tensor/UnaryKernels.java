package org.equiflow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.tensor.cpu.VectorMath;

/**
 * Float32 elementwise functions, vectorized where the Vector API compiles to plain SIMD, and
 * split across {@link CpuParallel} for large tensors. The switch names every {@link UnaryOp},
 * so a new one must choose here between a kernel and the generic per-element loop.
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
            run(op, x, y, 0, x.length);
        } else {
            CpuParallel.forChunks(x.length, (chunk, from, to) -> run(op, x, y, from, to));
        }
    }

    private static void run(UnaryOp op, float[] x, float[] y, int from, int to) {
        switch (op) {
            // Plain loops, which C2 vectorizes itself: a Vector API lanewise op is only compiled
            // to SIMD where its operator is a constant after inlining, which this growing
            // switch no longer guaranteed (Neg ran per lane, 14 µs for 4096 values).
            case UnaryOp.Neg n -> { for (int i = from; i < to; i++) y[i] = -x[i]; }
            case UnaryOp.Exp e -> {
                if (VectorMath.supported()) VectorMath.exp(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.exp(x[i]);
            }
            case UnaryOp.Tanh t -> tanh(x, y, from, to);
            case UnaryOp.Abs a -> { for (int i = from; i < to; i++) y[i] = Math.abs(x[i]); }
            case UnaryOp.Square s -> { for (int i = from; i < to; i++) y[i] = x[i] * x[i]; }
            case UnaryOp.LeakyRelu r -> leakyRelu((float) r.slope(), x, y, from, to);
            case UnaryOp.MulScalar m -> {
                float factor = (float) m.factor();
                for (int i = from; i < to; i++) y[i] = factor * x[i];
            }
            case UnaryOp.AddScalar a -> {
                float term = (float) a.term();
                for (int i = from; i < to; i++) y[i] = x[i] + term;
            }
            // The U(1) couplings' angles: polynomial kernels in float64 (the Vector API's own
            // transcendental lanewise ops fell back to per-lane code here, slower than Math).
            case UnaryOp.Sin s -> {
                if (VectorMath.supported()) VectorMath.sin(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.sin(x[i]);
            }
            case UnaryOp.Cos c -> {
                if (VectorMath.supported()) VectorMath.cos(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.cos(x[i]);
            }
            case UnaryOp.Tan t -> {
                if (VectorMath.supported()) VectorMath.tan(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.tan(x[i]);
            }
            case UnaryOp.Atan a -> {
                if (VectorMath.supported()) VectorMath.atan(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.atan(x[i]);
            }
            case UnaryOp.Log l -> {
                if (VectorMath.supported()) VectorMath.log(x, y, from, to);
                else for (int i = from; i < to; i++) y[i] = (float) Math.log(x[i]);
            }
            // The rest in double, one value at a time, through the record's own apply: a loop
            // per op keeps that call monomorphic, so C2 inlines it (a loop shared by all ops
            // made it a megamorphic call per value).
            case UnaryOp.PowInt p -> powInt(p, x, y, from, to);
            case UnaryOp.WrapAngle w -> { for (int i = from; i < to; i++) y[i] = (float) w.apply(x[i]); }
            case UnaryOp.Sigmoid s -> { for (int i = from; i < to; i++) y[i] = (float) s.apply(x[i]); }
            case UnaryOp.Sign s -> { for (int i = from; i < to; i++) y[i] = (float) s.apply(x[i]); }
        }
    }

    /** x^n in double as {@link UnaryOp.PowInt#apply} computes it; the exponents the flows use written out. */
    private static void powInt(UnaryOp.PowInt p, float[] x, float[] y, int from, int to) {
        switch (p.exponent()) {
            case -1 -> { for (int i = from; i < to; i++) y[i] = (float) (1.0 / x[i]); }
            case -2 -> { for (int i = from; i < to; i++) { double v = x[i]; y[i] = (float) (1.0 / (v * v)); } }
            case 2 -> { for (int i = from; i < to; i++) { double v = x[i]; y[i] = (float) (v * v); } }
            default -> { for (int i = from; i < to; i++) y[i] = (float) p.apply(x[i]); }
        }
    }

    /**
     * tanh through the intrinsic {@code Math.exp} (Math.tanh is a slow library call here, and
     * the conditioners end in one), in double, exact to float32 rounding: a Taylor polynomial
     * near zero where {@code 1 - 2/(e^{2x} + 1)} would cancel.
     */
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

    private static void tanh(float[] x, float[] y, int from, int to) {
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

    private static void leakyRelu(float slope, float[] x, float[] y, int from, int to) {
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
