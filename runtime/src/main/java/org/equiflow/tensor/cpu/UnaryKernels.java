package org.equiflow.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.equiflow.tensor.UnaryOp;

/**
 * Vectorized float32 elementwise functions. The switch names every {@link UnaryOp}, so a new
 * one must choose here between a kernel and the generic per-element loop.
 */
public final class UnaryKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private UnaryKernels() {
    }

    /** Computes {@code y = op(x)} and returns true, or returns false to ask for the generic loop. */
    public static boolean forward(UnaryOp op, float[] x, float[] y) {
        switch (op) {
            case UnaryOp.Neg n -> lanewise(VectorOperators.NEG, x, y);
            case UnaryOp.Exp e -> { for (int i = 0; i < x.length; i++) y[i] = (float) Math.exp(x[i]); }
            case UnaryOp.Tanh t -> tanh(x, y);
            case UnaryOp.Abs a -> lanewise(VectorOperators.ABS, x, y);
            case UnaryOp.Square s -> square(x, y);
            case UnaryOp.LeakyRelu r -> leakyRelu((float) r.slope(), x, y);
            case UnaryOp.MulScalar m -> mulScalar((float) m.factor(), x, y);
            case UnaryOp.AddScalar a -> addScalar((float) a.term(), x, y);
            // Rare in hot loops; the generic loop evaluates them in double. (The Vector API's
            // transcendental lanewise ops fell back to per-lane code here, slower than Math.)
            case UnaryOp.Log l -> { return false; }
            case UnaryOp.Sin s -> { return false; }
            case UnaryOp.Cos c -> { return false; }
            case UnaryOp.Sigmoid s -> { return false; }
            case UnaryOp.Sign s -> { return false; }
            case UnaryOp.PowInt p -> { return false; }
        }
        return true;
    }

    private static void lanewise(VectorOperators.Unary operator, float[] x, float[] y) {
        int i = 0;
        for (int end = SPECIES.loopBound(x.length); i < end; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, i).lanewise(operator).intoArray(y, i);
        }
        if (i < x.length) {
            var tail = SPECIES.indexInRange(i, x.length);
            FloatVector.fromArray(SPECIES, x, i, tail).lanewise(operator).intoArray(y, i, tail);
        }
    }

    /**
     * tanh through the intrinsic {@code Math.exp} (Math.tanh is a slow library call here, and
     * the conditioners end in one), in double, exact to float32 rounding: a Taylor polynomial
     * near zero where {@code 1 - 2/(e^{2x} + 1)} would cancel.
     */
    private static void tanh(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
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

    private static void square(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = x[i] * x[i];
    }

    private static void leakyRelu(float slope, float[] x, float[] y) {
        // Blend instead of a branch: the sign of a conv output is a coin flip.
        int i = 0;
        for (int end = SPECIES.loopBound(x.length); i < end; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            v.blend(v.mul(slope), v.compare(VectorOperators.LE, 0f)).intoArray(y, i);
        }
        for (; i < x.length; i++) y[i] = x[i] > 0f ? x[i] : slope * x[i];
    }

    private static void mulScalar(float factor, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = factor * x[i];
    }

    private static void addScalar(float term, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) y[i] = x[i] + term;
    }
}
