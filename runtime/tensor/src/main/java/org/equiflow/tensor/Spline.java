package org.equiflow.tensor;

import java.util.List;

/**
 * The rational-quadratic spline y(x) of {@link RationalQuadraticSpline} on [−bound, bound] with
 * {@code bins} bins, identity outside, or its per-site log-derivative log dy/dx (0 outside), or both:
 * operands x [N, 1, L…] and raw parameters p [N, 3·bins − 1, L…] (3·bins with {@code learnedEnds}: the
 * circular spline's shared end-knot slope, see {@link RationalQuadraticSpline}); result [N, 1, L…]. When
 * {@code masked}, a third operand, the 0/1 mask [1, 1, L…] of a coupling's updated sites, marks the only
 * sites evaluated: elsewhere the result is the tails' (x, log-derivative 0) and p's gradient 0, which is
 * all a coupling that keeps its frozen sites and sums the log-derivative over the updated ones reads.
 * {@link SplineGradient.Quantity#TRANSFORM_AND_LOG_DERIVATIVE} is a coupling's pair in one pass: y and
 * log dy/dx as the result's two channels [N, 2, L…], with one backward pass for both cotangents. The
 * quantities are one primitive because they share their operands, their kernel (a mode of it) and
 * their gradient ({@link SplineGradient}).
 */
public record Spline(int bins, double bound, SplineGradient.Quantity quantity, boolean learnedEnds, boolean masked) implements Primitive {

    /** The spline with unit end slopes (identity tails joined C¹). */
    public Spline(int bins, double bound, SplineGradient.Quantity quantity) {
        this(bins, bound, quantity, false, false);
    }

    /** The spline at every site. */
    public Spline(int bins, double bound, SplineGradient.Quantity quantity, boolean learnedEnds) {
        this(bins, bound, quantity, learnedEnds, false);
    }

    /** y(x). */
    public static Spline transform(int bins, double bound) {
        return new Spline(bins, bound, SplineGradient.Quantity.TRANSFORM);
    }

    /** log dy/dx. */
    public static Spline logDerivative(int bins, double bound) {
        return new Spline(bins, bound, SplineGradient.Quantity.LOG_DERIVATIVE);
    }

    /** y(x) with a learned slope shared by the two end knots (3·bins parameter channels). */
    public static Spline circularTransform(int bins, double bound) {
        return new Spline(bins, bound, SplineGradient.Quantity.TRANSFORM, true);
    }

    /** log dy/dx with a learned slope shared by the two end knots (3·bins parameter channels). */
    public static Spline circularLogDerivative(int bins, double bound) {
        return new Spline(bins, bound, SplineGradient.Quantity.LOG_DERIVATIVE, true);
    }

    /** The kernel's mode for this quantity ({@link RationalQuadraticSpline#TRANSFORM} or {@link RationalQuadraticSpline#LOG_DERIVATIVE}). */
    public int mode() {
        return switch (quantity) {
            case TRANSFORM -> RationalQuadraticSpline.TRANSFORM;
            case LOG_DERIVATIVE -> RationalQuadraticSpline.LOG_DERIVATIVE;
            case TRANSFORM_AND_LOG_DERIVATIVE -> RationalQuadraticSpline.TRANSFORM_AND_LOG_DERIVATIVE;
        };
    }

    @Override
    public String name() {
        return switch (quantity) {
            case TRANSFORM -> "SplineTransform";
            case LOG_DERIVATIVE -> "SplineLogDerivative";
            case TRANSFORM_AND_LOG_DERIVATIVE -> "SplineWithLogDerivative";
        };
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, masked ? 3 : 2);
        Shape x = RationalQuadraticSpline.checkShapes(this, bins, bound, learnedEnds, inputs.get(0), inputs.get(1));
        if (masked) RationalQuadraticSpline.checkMask(this, x, inputs.get(2));
        return x.withChannels(quantity.channels());
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        RationalQuadraticSpline.apply(mode(), bins, bound, learnedEnds, inputs.get(0), inputs.get(1), null, masked ? inputs.get(2) : null, out);
    }

    /** The mask is data. */
    @Override
    public boolean differentiable(int index) { return index < 2; }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        SplineGradient.Operand operand = switch (index) {
            case 0 -> SplineGradient.Operand.INPUT;
            case 1 -> SplineGradient.Operand.PARAMETERS;
            default -> throw new IndexOutOfBoundsException(index);
        };
        SplineGradient gradient = new SplineGradient(bins, bound, quantity, operand, learnedEnds, masked);
        return masked ? Ops.apply(gradient, inputs.get(0), inputs.get(1), outputGrad, inputs.get(2))
                : Ops.apply(gradient, inputs.get(0), inputs.get(1), outputGrad);
    }
}
