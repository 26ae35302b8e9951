package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.List;


/**
 * The functional face of the primitives: every method applies one {@link Primitive} (or, for
 * the few marked composites, several) and, when a {@link Tape} is recording and an operand
 * requires a gradient, records it. Forward computations run on the
 * {@linkplain Backends#current() current backend}. Operands are never modified.
 */
public final class Ops {

    private Ops() {
    }

    public static Tensor apply(Primitive primitive, Tensor... inputs) {
        return apply(primitive, List.of(inputs));
    }

    public static Tensor apply(Primitive primitive, List<Tensor> inputs) {
        if (inputs.isEmpty()) throw new IllegalArgumentException(primitive.name() + " applied to no operands");
        DType dtype = inputs.getFirst().dtype();
        List<Shape> shapes = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            if (t.dtype() != dtype) {
                throw new IllegalArgumentException(primitive.name() + " mixes " + dtype + " and " + t.dtype() + " operands");
            }
            shapes.add(t.shape());
        }
        Tensor out = BufferArena.allocate(primitive.outputShape(shapes), dtype, !primitive.overwritesOutput());
        Backends.current().forward(primitive, inputs, out);
        Tape.recordIfActive(primitive, inputs, out);
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    public static Tensor neg(Tensor x) { return apply(new UnaryOp.Neg(), x); }
    public static Tensor exp(Tensor x) { return apply(new UnaryOp.Exp(), x); }
    public static Tensor log(Tensor x) { return apply(new UnaryOp.Log(), x); }
    public static Tensor tanh(Tensor x) { return apply(new UnaryOp.Tanh(), x); }
    public static Tensor sigmoid(Tensor x) { return apply(new UnaryOp.Sigmoid(), x); }
    public static Tensor abs(Tensor x) { return apply(new UnaryOp.Abs(), x); }
    public static Tensor sign(Tensor x) { return apply(new UnaryOp.Sign(), x); }
    public static Tensor sin(Tensor x) { return apply(new UnaryOp.Sin(), x); }
    public static Tensor cos(Tensor x) { return apply(new UnaryOp.Cos(), x); }
    public static Tensor tan(Tensor x) { return apply(new UnaryOp.Tan(), x); }
    public static Tensor atan(Tensor x) { return apply(new UnaryOp.Atan(), x); }
    public static Tensor wrapAngle(Tensor x) { return apply(new UnaryOp.WrapAngle(), x); }
    public static Tensor square(Tensor x) { return apply(new UnaryOp.Square(), x); }
    public static Tensor pow(Tensor x, int exponent) { return apply(new UnaryOp.PowInt(exponent), x); }
    public static Tensor leakyRelu(Tensor x, double slope) { return apply(new UnaryOp.LeakyRelu(slope), x); }
    public static Tensor mulScalar(Tensor x, double factor) { return apply(new UnaryOp.MulScalar(factor), x); }
    public static Tensor addScalar(Tensor x, double term) { return apply(new UnaryOp.AddScalar(term), x); }

    public static Tensor add(Tensor a, Tensor b) { return apply(new BinaryOp.Add(), a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return apply(new BinaryOp.Sub(), a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return apply(new BinaryOp.Mul(), a, b); }
    public static Tensor div(Tensor a, Tensor b) { return apply(new BinaryOp.Div(), a, b); }

    // ---------------------------------------------------------------- reductions and layout

    /** Sums down to {@code target}; the operand itself when it already has that shape. */
    public static Tensor sumTo(Tensor x, Shape target) {
        return x.shape().equals(target) ? x : apply(new SumTo(target), x);
    }

    /** Stretches to {@code target}; the operand itself when it already has that shape. */
    public static Tensor broadcastTo(Tensor x, Shape target) {
        return x.shape().equals(target) ? x : apply(new BroadcastTo(target), x);
    }

    /** Composite: the sum over channels and sites of each configuration, {@code [B, 1]}. */
    public static Tensor sumPerConfiguration(Tensor x) {
        return sumTo(x, Shape.perConfiguration(x.shape().batch(), 1));
    }

    /** Composite: the mean over the batch, keeping the other axes. */
    public static Tensor meanOverBatch(Tensor x) {
        return mulScalar(sumTo(x, x.shape().withBatch(1)), 1.0 / x.shape().batch());
    }

    /** Composite: the sum of channels {@code [from, to)}, keeping batch and lattice. */
    public static Tensor sumChannels(Tensor x, int from, int to) {
        Tensor slice = sliceChannels(x, from, to);
        return sumTo(slice, slice.shape().withChannels(1));
    }

    public static Tensor roll(Tensor x, int axis, int shift) { return apply(new Roll(axis, shift), x); }

    public static Tensor sliceChannels(Tensor x, int from, int to) { return apply(new SliceChannels(from, to), x); }

    public static Tensor concatChannels(List<Tensor> parts) { return apply(new ConcatChannels(), parts); }

    public static Tensor where(Tensor mask, Tensor whenSet, Tensor whenClear) {
        return apply(new Where(), mask, whenSet, whenClear);
    }

    // ---------------------------------------------------------------- convolution

    public static Tensor conv(Tensor x, Tensor weight) { return apply(new Conv(), x, weight); }

    public static Tensor conv(Tensor x, Tensor weight, Tensor bias) { return apply(new Conv(), x, weight, bias); }

    public static Tensor convWeightGradient(Tensor x, Tensor outputGrad, int kernel) {
        return apply(new ConvWeightGradient(kernel), x, outputGrad);
    }

    public static Tensor flipKernel(Tensor weight) { return apply(new FlipKernel(), weight); }
}
