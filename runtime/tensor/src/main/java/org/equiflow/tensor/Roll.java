package org.equiflow.tensor;

import java.util.List;


/**
 * Periodic shift along lattice axis {@code axis}: {@code out(x) = in(x - shift * e_axis)}, the
 * convention of {@code torch.roll}. So {@code roll(phi, mu, -1)} holds {@code phi(x + mu)},
 * the forward neighbour.
 */
public record Roll(int axis, int shift) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 1);
        Shape s = inputs.getFirst();
        if (axis < 0 || axis >= s.latticeRank()) {
            throw new IllegalArgumentException("roll along lattice axis " + axis + " of " + s
                    + ", which has " + s.latticeRank() + " lattice axes");
        }
        return s;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.roll(inputs.getFirst(), axis, shift, out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return Ops.roll(outputGrad, axis, -shift);
    }
}
