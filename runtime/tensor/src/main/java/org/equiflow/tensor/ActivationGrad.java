package org.equiflow.tensor;

import java.util.List;

/**
 * The backward step of an activation in one pass: (y, g) ↦ g · f′(y), with f′ read off the
 * output y (see {@link Activation}). Replaces the chain of elementwise ops a VJP written with
 * separate primitives would take.
 */
public record ActivationGrad(Activation activation, double slope) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        if (!inputs.get(0).equals(inputs.get(1))) {
            throw new IllegalArgumentException("ActivationGrad needs output and gradient of one shape, got " + inputs.get(0) + " and " + inputs.get(1));
        }
        return inputs.get(0);
    }

    @Override
    public boolean overwritesOutput() { return true; }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor y = inputs.get(0), g = inputs.get(1);
        if (y.dtype() == DType.F32) {
            float[] yv = y.f32(), gv = g.f32(), o = out.f32();
            switch (activation) {
                case IDENTITY -> System.arraycopy(gv, 0, o, 0, o.length);
                case LEAKY_RELU -> org.equiflow.tensor.UnaryKernels.leakyReluGradFromOutput(yv, gv, o, (float) slope);
                case TANH -> org.equiflow.tensor.UnaryKernels.tanhGradFromOutput(yv, gv, o);
            }
        } else {
            double[] yv = y.f64(), gv = g.f64(), o = out.f64();
            for (int i = 0; i < o.length; i++) o[i] = gv[i] * activation.derivativeFromOutput(yv[i], slope);
        }
    }

    /** LeakyReLU's derivative is piecewise constant in y: no gradient flows to y (almost everywhere). */
    @Override
    public boolean differentiable(int index) {
        return index == 1 || activation == Activation.TANH;
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor y = inputs.get(0), g = inputs.get(1);
        return switch (index) {
            // d/dy [g (1 − y²)] = −2 g y
            case 0 -> Ops.mul(outputGrad, Ops.mulScalar(Ops.mul(g, y), -2.0));
            case 1 -> Ops.apply(this, y, outputGrad);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
