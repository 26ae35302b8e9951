package org.equiflow.tensor;

import java.util.List;


/** Stacks operands of equal batch and lattice along the channel axis, in order. */
public record ConcatChannels() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (inputs.isEmpty()) throw new IllegalArgumentException("ConcatChannels needs at least one operand");
        Shape first = inputs.getFirst();
        int channels = 0;
        for (Shape s : inputs) {
            if (s.batch() != first.batch() || !s.sameLattice(first)) {
                throw new IllegalArgumentException("cannot concatenate " + s + " with " + first + " along channels");
            }
            channels += s.channels();
        }
        return first.withChannels(channels);
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.concatChannels(inputs, out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        int from = 0;
        for (int i = 0; i < index; i++) from += inputs.get(i).shape().channels();
        return Ops.sliceChannels(outputGrad, from, from + inputs.get(index).shape().channels());
    }
}
