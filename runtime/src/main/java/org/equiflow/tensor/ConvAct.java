package org.equiflow.tensor;

import java.util.List;

/**
 * A conditioner's convolution, bias and activation in one primitive: the activation runs over
 * the convolution's output while it is still in cache, and the backward pass turns the output
 * gradient into the pre-activation gradient in one pass ({@link ActivationGrad}) before the
 * convolution's own VJPs.
 */
public record ConvAct(Activation activation, double slope) implements Primitive {
    private static final Conv CONV = new Conv();

    @Override
    public Shape outputShape(List<Shape> inputs) { return CONV.outputShape(inputs); }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CONV.forward(inputs, out);
        if (out.dtype() == DType.F32) activation.applyInPlace(out.f32(), slope);
        else activation.applyInPlace(out.f64(), slope);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor preActivationGrad = activation == Activation.IDENTITY ? outputGrad
                : Ops.apply(new ActivationGrad(activation, slope), output, outputGrad);
        return CONV.vjp(index, inputs, null, preActivationGrad);
    }
}
