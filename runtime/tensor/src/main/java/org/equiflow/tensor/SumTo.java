package org.equiflow.tensor;

import java.util.List;


/**
 * Sums over the axes that {@code target} lacks: the reduction behind per-configuration sums
 * ({@code [B, C, L..] -> [B, 1]}), batch means and the VJP of broadcasting. {@code target} must
 * broadcast back to the operand's shape.
 */
public record SumTo(Shape target) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        if (!target.broadcastsTo(inputs.getFirst())) {
            throw new IllegalArgumentException("cannot sum " + inputs.getFirst() + " to " + target);
        }
        return target;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.sumTo(inputs.getFirst(), out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return Ops.broadcastTo(outputGrad, inputs.getFirst().shape());
    }
}
