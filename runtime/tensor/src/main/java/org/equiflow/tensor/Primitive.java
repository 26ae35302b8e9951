package org.equiflow.tensor;

import java.util.List;

/**
 * One primitive operation of the closed set every backend implements. The set is exactly the
 * permitted subtypes of this interface, so a backend's {@code switch} over it is checked for
 * completeness and the gradient-check test enumerates it.
 *
 * <p>Each primitive keeps, side by side, its shape rule, its forward computation and its
 * vector–Jacobian product. VJPs are written with {@link Ops} (that is, with primitives), never
 * with kernels, so backward passes run on any backend that runs forward passes.
 */
public sealed interface Primitive
        permits UnaryOp, BinaryOp, SumTo, BroadcastTo, Roll, SliceChannels, ConcatChannels, Where,
        Conv, ConvWeightGradient, FlipKernel, ConvAct, Conditioner, ActivationGrad, AffineCoupling,
        Spline, SplineGradient, SplineInverse, ComplexMatMul, ComplexTrace, SuThreeEigenphases,
        AlgebraProjection, MatrixExponential {

    /** Name in messages and dumps. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** Checks the operands and returns the result's shape; throws with a message naming both. */
    Shape outputShape(List<Shape> inputs);

    /**
     * Computes {@code out} (of {@link #outputShape}, zero-filled unless {@link #overwritesOutput}, not
     * shared with the inputs) from checked inputs.
     */
    void forward(List<Tensor> inputs, Tensor out);

    /**
     * Whether {@link #forward} assigns every element of {@code out}, so a recycled result array
     * (see {@link BufferArena}) need not be zeroed first. False unless a primitive says so.
     */
    default boolean overwritesOutput() {
        return false;
    }

    /**
     * The floating-point operations the primitive's mathematics needs for these operands, a
     * multiply-add counting two — what a profile divides by time to compare a kernel with the
     * machine's multiply-add peak; 0 where the primitive is not counted (elementwise and data
     * movement, which memory rather than arithmetic bounds).
     */
    default long flops(List<Tensor> inputs) {
        return 0;
    }

    /**
     * Whether input {@code index} carries a gradient. Masks are data, not variables: the
     * derivative of a 0/1 selection with respect to the selector is zero almost everywhere
     * and undefined at the switch.
     */
    default boolean differentiable(int index) {
        return true;
    }

    /**
     * The cotangent of input {@code index}, {@code (d output / d input)^T . outputGrad}, with the
     * input's shape. Called with recording paused, so it may use any {@link Ops}.
     */
    Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad);

    static void expectArity(Primitive p, List<?> inputs, int arity) {
        if (inputs.size() != arity) {
            throw new IllegalArgumentException(p.name() + " takes " + arity + " operands, got " + inputs.size());
        }
    }
}
