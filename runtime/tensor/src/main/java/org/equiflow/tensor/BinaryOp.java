package org.equiflow.tensor;

import java.util.List;

import org.equiflow.tensor.CpuKernels.BinaryKind;

/**
 * Elementwise arithmetic of two tensors with broadcasting ({@link Shape#broadcast}): a
 * per-channel bias {@code [1, C]} or a mask {@code [1, 1, L..]} stretches over
 * {@code [B, C, L..]}. The VJP of a stretched operand is summed back to its shape.
 */
public sealed interface BinaryOp extends Primitive {

    BinaryKind kind();

    @Override
    default Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        return Shape.broadcast(inputs.get(0), inputs.get(1));
    }

    @Override
    default void forward(List<Tensor> inputs, Tensor out) {
        CpuKernels.binary(kind(), inputs.get(0), inputs.get(1), out);
    }

    /** The kernel walks every configuration, channel and site of the result. */
    @Override
    default boolean overwritesOutput() {
        return true;
    }

    record Add() implements BinaryOp {
        public BinaryKind kind() { return BinaryKind.ADD; }
        public Tensor vjp(int index, List<Tensor> in, Tensor y, Tensor g) {
            return Ops.sumTo(g, in.get(index).shape());
        }
    }

    record Sub() implements BinaryOp {
        public BinaryKind kind() { return BinaryKind.SUB; }
        public Tensor vjp(int index, List<Tensor> in, Tensor y, Tensor g) {
            return Ops.sumTo(index == 0 ? g : Ops.neg(g), in.get(index).shape());
        }
    }

    record Mul() implements BinaryOp {
        public BinaryKind kind() { return BinaryKind.MUL; }
        public Tensor vjp(int index, List<Tensor> in, Tensor y, Tensor g) {
            return Ops.sumTo(Ops.mul(g, in.get(1 - index)), in.get(index).shape());
        }
    }

    record Div() implements BinaryOp {
        public BinaryKind kind() { return BinaryKind.DIV; }
        public Tensor vjp(int index, List<Tensor> in, Tensor y, Tensor g) {
            Tensor denominator = in.get(1);
            // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b = -y/b.
            Tensor local = index == 0 ? Ops.div(g, denominator) : Ops.neg(Ops.mul(g, Ops.div(y, denominator)));
            return Ops.sumTo(local, in.get(index).shape());
        }
    }
}
