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
    public boolean overwritesOutput() { return true; }

    /** The convolution's: the bias and the activation are not counted. */
    @Override
    public long flops(List<Tensor> inputs) { return CONV.flops(inputs); }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CONV.forward(inputs, out);
        if (out.dtype() == DType.F32) activation.applyInPlace(out.f32(), slope);
        else activation.applyInPlace(out.f64(), slope);
    }

    /**
     * The last pre-activation gradient this thread computed, with the output and output
     * gradient it came from: a backward pass asks for the VJP of each operand in turn with the
     * same two tensors, and the activation's backward step is the same for all of them.
     */
    private record Memo(ConvAct primitive, Tensor output, Tensor outputGrad, Tensor preActivationGrad) {
    }

    private static final ThreadLocal<Memo> LAST = new ThreadLocal<>();

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return CONV.vjp(index, inputs, null, preActivationGrad(output, outputGrad));
    }

    private Tensor preActivationGrad(Tensor output, Tensor outputGrad) {
        if (activation == Activation.IDENTITY) return outputGrad;
        Memo memo = LAST.get();
        if (memo != null && memo.output == output && memo.outputGrad == outputGrad && memo.primitive.equals(this)) {
            return memo.preActivationGrad;
        }
        Tensor result = Ops.apply(new ActivationGrad(activation, slope), output, outputGrad);
        LAST.set(new Memo(this, output, outputGrad, result));
        return result;
    }
}
