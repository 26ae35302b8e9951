package org.equiflow.tensor;

import java.util.List;

import org.equiflow.tensor.cpu.VectorMath;


/**
 * Elementwise functions of one tensor; the result has the operand's shape. Each record holds
 * what the function is, side by side: its value at one element ({@link #apply}, which float64
 * runs), its float32 kernel ({@link #forwardF32}) and its VJP.
 */
public sealed interface UnaryOp extends Primitive {

    /** The function at one element, evaluated in double (F32 results are rounded once). */
    double apply(double x);

    /**
     * {@code y[i] = f(x[i])} for i in [from, to), in float32: a kernel where one pays (plain
     * loops, which C2 vectorizes itself, or {@link VectorMath}'s polynomials), otherwise
     * {@link #apply} in double one value at a time, in a loop of the record's own so that the
     * call stays monomorphic and C2 inlines it (a loop shared by all ops made it a megamorphic
     * call per value). {@link UnaryKernels#forward} splits large tensors across threads.
     */
    void forwardF32(float[] x, float[] y, int from, int to);

    /** The VJP of an elementwise function: {@code outputGrad * f'(x)}, f' written with ops. */
    Tensor vjp(Tensor x, Tensor y, Tensor outputGrad);

    @Override
    default Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        return inputs.getFirst();
    }

    @Override
    default void forward(List<Tensor> inputs, Tensor out) {
        Tensor x = inputs.getFirst();
        if (x.dtype() == DType.F32) UnaryKernels.forward(this, x.f32(), out.f32());
        else CpuKernels.map(x, out, this::apply);
    }

    /** Both the float32 kernels and the per-element loop assign every element. */
    @Override
    default boolean overwritesOutput() {
        return true;
    }

    @Override
    default Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return vjp(inputs.getFirst(), output, outputGrad);
    }

    record Neg() implements UnaryOp {
        public double apply(double x) { return -x; }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = -x[i]; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.neg(g); }
    }

    record Exp() implements UnaryOp {
        public double apply(double x) { return Math.exp(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            if (VectorMath.supported()) VectorMath.exp(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.exp(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, y); }
    }

    record Log() implements UnaryOp {
        public double apply(double x) { return Math.log(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            if (VectorMath.supported()) VectorMath.log(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.log(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.div(g, x); }
    }

    record Tanh() implements UnaryOp {
        public double apply(double x) { return Math.tanh(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) { UnaryKernels.tanh(x, y, from, to); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            return Ops.mul(g, Ops.addScalar(Ops.neg(Ops.square(y)), 1.0));
        }
    }

    record Sigmoid() implements UnaryOp {
        public double apply(double x) {
            // Written so that neither branch overflows exp.
            return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
        }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) apply(x[i]); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            return Ops.mul(g, Ops.mul(y, Ops.addScalar(Ops.neg(y), 1.0)));
        }
    }

    record Abs() implements UnaryOp {
        public double apply(double x) { return Math.abs(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = Math.abs(x[i]); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.sign(x)); }
    }

    /** -1, 0 or 1; piecewise constant, so its VJP is zero. */
    record Sign() implements UnaryOp {
        public double apply(double x) { return Math.signum(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) apply(x[i]); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mulScalar(g, 0.0); }
    }

    record Sin() implements UnaryOp {
        public double apply(double x) { return Math.sin(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            // The U(1) couplings' angles: polynomial kernels in float64 (the Vector API's own
            // transcendental lanewise ops fell back to per-lane code here, slower than Math).
            if (VectorMath.supported()) VectorMath.sin(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.sin(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.cos(x)); }
    }

    record Cos() implements UnaryOp {
        public double apply(double x) { return Math.cos(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            if (VectorMath.supported()) VectorMath.cos(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.cos(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.neg(Ops.sin(x))); }
    }

    /** tan, for the non-compact projection 2·atan(e^s tan(θ/2)) of a circle; finite on (−π/2, π/2). */
    record Tan() implements UnaryOp {
        public double apply(double x) { return Math.tan(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            if (VectorMath.supported()) VectorMath.tan(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.tan(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.addScalar(Ops.square(y), 1.0)); }
    }

    record Atan() implements UnaryOp {
        public double apply(double x) { return Math.atan(x); }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            if (VectorMath.supported()) VectorMath.atan(x, y, from, to);
            else for (int i = from; i < to; i++) y[i] = (float) Math.atan(x[i]);
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.pow(Ops.addScalar(Ops.square(x), 1.0), -1)); }
    }

    /**
     * The principal value of an angle in [−π, π): arg of the phase e^{ix}. A sawtooth; its
     * derivative is 1 away from the jumps at odd multiples of π.
     */
    record WrapAngle() implements UnaryOp {
        public double apply(double x) { return x - 2 * Math.PI * Math.floor((x + Math.PI) / (2 * Math.PI)); }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = (float) apply(x[i]); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return g; }
    }

    record Square() implements UnaryOp {
        public double apply(double x) { return x * x; }
        public void forwardF32(float[] x, float[] y, int from, int to) { for (int i = from; i < to; i++) y[i] = x[i] * x[i]; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.mulScalar(x, 2.0)); }
    }

    /** {@code x^exponent} for an integer exponent (negative allowed away from zero). */
    record PowInt(int exponent) implements UnaryOp {
        public double apply(double x) {
            double result = 1.0;
            for (int i = 0; i < Math.abs(exponent); i++) result *= x;
            return exponent >= 0 ? result : 1.0 / result;
        }
        /** x^n in double as {@link #apply} computes it; the exponents the flows use written out. */
        public void forwardF32(float[] x, float[] y, int from, int to) {
            switch (exponent) {
                case -1 -> { for (int i = from; i < to; i++) y[i] = (float) (1.0 / x[i]); }
                case -2 -> { for (int i = from; i < to; i++) { double v = x[i]; y[i] = (float) (1.0 / (v * v)); } }
                case 2 -> { for (int i = from; i < to; i++) { double v = x[i]; y[i] = (float) (v * v); } }
                default -> { for (int i = from; i < to; i++) y[i] = (float) apply(x[i]); }
            }
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            if (exponent == 0) return Ops.mulScalar(g, 0.0);
            return Ops.mul(g, Ops.mulScalar(Ops.pow(x, exponent - 1), exponent));
        }
    }

    /** {@code x} for x > 0, {@code slope * x} otherwise (PyTorch's default slope is 0.01). */
    record LeakyRelu(double slope) implements UnaryOp {
        public double apply(double x) { return x > 0 ? x : slope * x; }
        public void forwardF32(float[] x, float[] y, int from, int to) { UnaryKernels.leakyRelu((float) slope, x, y, from, to); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            // f'(x) = (1+slope)/2 + (1-slope)/2 * sign(x): the step written with primitives.
            return Ops.mul(g, Ops.addScalar(Ops.mulScalar(Ops.sign(x), 0.5 * (1.0 - slope)), 0.5 * (1.0 + slope)));
        }
    }

    record MulScalar(double factor) implements UnaryOp {
        public double apply(double x) { return factor * x; }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            float factor = (float) this.factor;
            for (int i = from; i < to; i++) y[i] = factor * x[i];
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mulScalar(g, factor); }
    }

    record AddScalar(double term) implements UnaryOp {
        public double apply(double x) { return x + term; }
        public void forwardF32(float[] x, float[] y, int from, int to) {
            float term = (float) this.term;
            for (int i = from; i < to; i++) y[i] = x[i] + term;
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return g; }
    }
}
