package org.equiflow.tensor;

import java.util.List;


/** Elementwise functions of one tensor; the result has the operand's shape. */
public sealed interface UnaryOp extends Primitive {

    /** The function at one element, evaluated in double (F32 results are rounded once). */
    double apply(double x);

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
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.neg(g); }
    }

    record Exp() implements UnaryOp {
        public double apply(double x) { return Math.exp(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, y); }
    }

    record Log() implements UnaryOp {
        public double apply(double x) { return Math.log(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.div(g, x); }
    }

    record Tanh() implements UnaryOp {
        public double apply(double x) { return Math.tanh(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            return Ops.mul(g, Ops.addScalar(Ops.neg(Ops.square(y)), 1.0));
        }
    }

    record Sigmoid() implements UnaryOp {
        public double apply(double x) {
            // Written so that neither branch overflows exp.
            return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            return Ops.mul(g, Ops.mul(y, Ops.addScalar(Ops.neg(y), 1.0)));
        }
    }

    record Abs() implements UnaryOp {
        public double apply(double x) { return Math.abs(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.sign(x)); }
    }

    /** -1, 0 or 1; piecewise constant, so its VJP is zero. */
    record Sign() implements UnaryOp {
        public double apply(double x) { return Math.signum(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mulScalar(g, 0.0); }
    }

    record Sin() implements UnaryOp {
        public double apply(double x) { return Math.sin(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.cos(x)); }
    }

    record Cos() implements UnaryOp {
        public double apply(double x) { return Math.cos(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.neg(Ops.sin(x))); }
    }

    /** tan, for the non-compact projection 2·atan(e^s tan(θ/2)) of a circle; finite on (−π/2, π/2). */
    record Tan() implements UnaryOp {
        public double apply(double x) { return Math.tan(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.addScalar(Ops.square(y), 1.0)); }
    }

    record Atan() implements UnaryOp {
        public double apply(double x) { return Math.atan(x); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.pow(Ops.addScalar(Ops.square(x), 1.0), -1)); }
    }

    /**
     * The principal value of an angle in [−π, π): arg of the phase e^{ix}. A sawtooth; its
     * derivative is 1 away from the jumps at odd multiples of π.
     */
    record WrapAngle() implements UnaryOp {
        public double apply(double x) { return x - 2 * Math.PI * Math.floor((x + Math.PI) / (2 * Math.PI)); }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return g; }
    }

    record Square() implements UnaryOp {
        public double apply(double x) { return x * x; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mul(g, Ops.mulScalar(x, 2.0)); }
    }

    /** {@code x^exponent} for an integer exponent (negative allowed away from zero). */
    record PowInt(int exponent) implements UnaryOp {
        public double apply(double x) {
            double result = 1.0;
            for (int i = 0; i < Math.abs(exponent); i++) result *= x;
            return exponent >= 0 ? result : 1.0 / result;
        }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            if (exponent == 0) return Ops.mulScalar(g, 0.0);
            return Ops.mul(g, Ops.mulScalar(Ops.pow(x, exponent - 1), exponent));
        }
    }

    /** {@code x} for x > 0, {@code slope * x} otherwise (PyTorch's default slope is 0.01). */
    record LeakyRelu(double slope) implements UnaryOp {
        public double apply(double x) { return x > 0 ? x : slope * x; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) {
            // f'(x) = (1+slope)/2 + (1-slope)/2 * sign(x): the step written with primitives.
            return Ops.mul(g, Ops.addScalar(Ops.mulScalar(Ops.sign(x), 0.5 * (1.0 - slope)), 0.5 * (1.0 + slope)));
        }
    }

    record MulScalar(double factor) implements UnaryOp {
        public double apply(double x) { return factor * x; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return Ops.mulScalar(g, factor); }
    }

    record AddScalar(double term) implements UnaryOp {
        public double apply(double x) { return x + term; }
        public Tensor vjp(Tensor x, Tensor y, Tensor g) { return g; }
    }
}
