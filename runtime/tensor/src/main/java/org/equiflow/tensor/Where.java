package org.equiflow.tensor;

import java.util.List;


/**
 * Masked selection {@code mask != 0 ? whenSet : whenClear}. Operands: the mask (broadcasting,
 * e.g. a checkerboard {@code [1, 1, L..]}), then two tensors of the result's shape. The mask
 * gets no gradient.
 */
public record Where() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 3);
        Shape mask = inputs.get(0), set = inputs.get(1), clear = inputs.get(2);
        if (!set.equals(clear)) {
            throw new IllegalArgumentException("Where needs both branches of one shape, got " + set + " and " + clear);
        }
        if (!mask.broadcastsTo(set)) {
            throw new IllegalArgumentException("mask " + mask + " does not broadcast to " + set);
        }
        return set;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.where(inputs.get(0), inputs.get(1), inputs.get(2), out);
    }

    @Override
    public boolean differentiable(int index) {
        return index != 0;
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index == 0) throw new IllegalArgumentException("the mask of Where has no gradient");
        Tensor zeros = Tensor.zeros(outputGrad.shape(), outputGrad.dtype());
        return index == 1 ? Ops.where(inputs.getFirst(), outputGrad, zeros) : Ops.where(inputs.getFirst(), zeros, outputGrad);
    }
}
