package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.List;


/** Channels {@code from} (inclusive) to {@code to} (exclusive), e.g. s and t out of a conditioner. */
public record SliceChannels(int from, int to) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape s = inputs.getFirst();
        if (from < 0 || to > s.channels() || from >= to) {
            throw new IllegalArgumentException("channel range [" + from + ", " + to + ") outside " + s);
        }
        return s.withChannels(to - from);
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.sliceChannels(inputs.getFirst(), from, out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Shape s = inputs.getFirst().shape();
        List<Tensor> parts = new ArrayList<>(3);
        if (from > 0) parts.add(Tensor.zeros(s.withChannels(from), outputGrad.dtype()));
        parts.add(outputGrad);
        if (to < s.channels()) parts.add(Tensor.zeros(s.withChannels(s.channels() - to), outputGrad.dtype()));
        return parts.size() == 1 ? outputGrad : Ops.concatChannels(parts);
    }
}
