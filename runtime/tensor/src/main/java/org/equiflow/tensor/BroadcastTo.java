package org.equiflow.tensor;

import java.util.List;


/** Copies the operand along the axes on which it has extent 1 (or no lattice) up to {@code target}. */
public record BroadcastTo(Shape target) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        if (!inputs.getFirst().broadcastsTo(target)) {
            throw new IllegalArgumentException("cannot broadcast " + inputs.getFirst() + " to " + target);
        }
        return target;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.broadcastTo(inputs.getFirst(), out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return Ops.sumTo(outputGrad, inputs.getFirst().shape());
    }
}
