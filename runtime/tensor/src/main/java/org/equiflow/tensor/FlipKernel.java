package org.equiflow.tensor;

import java.util.List;


/**
 * {@code [Cout, Cin, k..] -> [Cin, Cout, k..]} with the kernel reflected through its centre:
 * convolving with the flipped kernel is the adjoint (transpose) of convolving with the
 * original, which is how {@link Conv}'s input gradient is a convolution again. A permutation
 * that is its own inverse, so it is also its own VJP.
 */
public record FlipKernel() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape w = inputs.getFirst();
        Conv.kernelExtent(w, w.latticeRank());
        return new Shape(w.channels(), w.batch(), w.lattice());
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.flipKernel(inputs.getFirst(), out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return Ops.flipKernel(outputGrad);
    }
}
