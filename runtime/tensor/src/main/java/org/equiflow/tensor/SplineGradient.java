package org.equiflow.tensor;

import java.util.List;

/**
 * The backward step of {@link Spline} (either quantity) in one pass:
 * operands x [N, 1, L…], raw parameters p [N, 3·bins − 1, L…] (3·bins with {@code learnedEnds}) and the cotangent g [N, 1, L…]
 * of the quantity; result g·∂quantity/∂x [N, 1, L…] or g·∂quantity/∂p [N, 3·bins − 1, L…]
 * (the Jacobian is diagonal in sites, so either is a per-site product). When {@code masked}, the
 * fourth operand is {@link Spline}'s mask: off it the spline is the identity, so the result is g or 0.
 *
 * <p>Only g carries a gradient here: the result is linear in g, while its derivatives in x and
 * p would be second derivatives of the spline, which nothing in equiflow takes (training
 * differentiates the loss once). Differentiating twice through a spline therefore treats x
 * and p as constants at this step.
 */
public record SplineGradient(int bins, double bound, Quantity quantity, Operand operand, boolean learnedEnds, boolean masked) implements Primitive {

    /** The gradient of the spline with unit end slopes. */
    public SplineGradient(int bins, double bound, Quantity quantity, Operand operand) {
        this(bins, bound, quantity, operand, false, false);
    }

    /** The gradient of the spline at every site. */
    public SplineGradient(int bins, double bound, Quantity quantity, Operand operand, boolean learnedEnds) {
        this(bins, bound, quantity, operand, learnedEnds, false);
    }

    /** The function being differentiated: y, log dy/dx, or both as two channels (a coupling's pair, one pass). */
    public enum Quantity {
        TRANSFORM, LOG_DERIVATIVE, TRANSFORM_AND_LOG_DERIVATIVE;

        /** Channels of the quantity (and of its cotangent). */
        public int channels() { return this == TRANSFORM_AND_LOG_DERIVATIVE ? 2 : 1; }
    }

    /** The operand of that function whose cotangent this computes. */
    public enum Operand { INPUT, PARAMETERS }

    /** The mode of {@link RationalQuadraticSpline#evaluate} (and of the OpenCL kernels). */
    public int mode() {
        boolean input = operand == Operand.INPUT;
        return switch (quantity) {
            case TRANSFORM -> input ? RationalQuadraticSpline.TRANSFORM_INPUT_GRADIENT : RationalQuadraticSpline.TRANSFORM_PARAMETER_GRADIENT;
            case LOG_DERIVATIVE -> input ? RationalQuadraticSpline.LOG_DERIVATIVE_INPUT_GRADIENT : RationalQuadraticSpline.LOG_DERIVATIVE_PARAMETER_GRADIENT;
            case TRANSFORM_AND_LOG_DERIVATIVE -> input ? RationalQuadraticSpline.PAIR_INPUT_GRADIENT : RationalQuadraticSpline.PAIR_PARAMETER_GRADIENT;
        };
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, masked ? 4 : 3);
        Shape x = RationalQuadraticSpline.checkShapes(this, bins, bound, learnedEnds, inputs.get(0), inputs.get(1));
        if (masked) RationalQuadraticSpline.checkMask(this, x, inputs.get(3));
        if (!inputs.get(2).equals(x.withChannels(quantity.channels()))) {
            throw new IllegalArgumentException(name() + " needs a cotangent of shape " + x.withChannels(quantity.channels()) + ", got " + inputs.get(2));
        }
        return operand == Operand.INPUT ? x : inputs.get(1);
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        RationalQuadraticSpline.apply(mode(), bins, bound, learnedEnds, inputs.get(0), inputs.get(1), inputs.get(2), masked ? inputs.get(3) : null, out);
    }

    @Override
    public boolean differentiable(int index) {
        return index == 2;
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        if (index != 2) throw new IndexOutOfBoundsException(index);
        if (quantity != Quantity.TRANSFORM_AND_LOG_DERIVATIVE) return adjoint(inputs, outputGrad);
        // g ↦ g_y·∂y + g_l·∂log y′: its adjoint stacks the two single quantities' adjoints as the two channels.
        List<Tensor> parts = new java.util.ArrayList<>();
        for (Quantity single : List.of(Quantity.TRANSFORM, Quantity.LOG_DERIVATIVE)) {
            parts.add(new SplineGradient(bins, bound, single, operand, learnedEnds, masked).adjoint(inputs, outputGrad));
        }
        return Ops.concatChannels(parts);
    }

    /** The adjoint of g ↦ g·∂f for a single quantity f, applied to h, at the x, p (and mask) of {@code inputs}. */
    private Tensor adjoint(List<Tensor> inputs, Tensor h) {
        // g ↦ g·∂f/∂x is diagonal, hence self-adjoint.
        if (operand == Operand.INPUT) return on(inputs, h);
        // g ↦ (g·∂f/∂p_c)_c; its adjoint sums h_c·∂f/∂p_c over the parameter channels.
        Tensor x = inputs.get(0);
        Tensor jacobian = on(inputs, Tensor.full(x.shape(), x.dtype(), 1.0));
        return Ops.sumTo(Ops.mul(h, jacobian), x.shape());
    }

    /** This gradient with cotangent g, at the x, p (and mask) of {@code inputs}. */
    private Tensor on(List<Tensor> inputs, Tensor g) {
        return masked ? Ops.apply(this, inputs.get(0), inputs.get(1), g, inputs.get(3)) : Ops.apply(this, inputs.get(0), inputs.get(1), g);
    }
}
