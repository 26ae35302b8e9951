package org.equiflow.tensor;

import java.util.List;

/**
 * The inverse x = spline⁻¹(y) of the spline of {@link Spline} with the same raw
 * parameters (identity outside [−bound, bound], which the spline maps onto itself): operands
 * y [N, 1, L…] and raw parameters p [N, 3·bins − 1, L…] (3·bins with {@code learnedEnds}); result x [N, 1, L…]. In each bin
 * x is the root of a quadratic (Durkan et al. 2019, eq. 6–8), see
 * {@link RationalQuadraticSpline#invert}.
 *
 * <p>VJPs by the implicit function theorem from spline(x(y, p), p) = y, with x the output:
 * ∂x/∂y = 1 / spline′(x) and ∂x/∂p = −(∂spline/∂p)(x) / spline′(x); both are written with the
 * forward spline's own primitives ({@link Spline}, {@link SplineGradient}).
 */
public record SplineInverse(int bins, double bound, boolean learnedEnds) implements Primitive {

    /** The inverse of the spline with unit end slopes. */
    public SplineInverse(int bins, double bound) {
        this(bins, bound, false);
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        return RationalQuadraticSpline.checkShapes(this, bins, bound, learnedEnds, inputs.get(0), inputs.get(1));
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        RationalQuadraticSpline.applyInverse(bins, bound, learnedEnds, inputs.get(0), inputs.get(1), out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor p = inputs.get(1);
        // g / spline′(x): the cotangent of y, and the one the parameters' cotangent is made from.
        Tensor scaled = Ops.mul(outputGrad, Ops.exp(Ops.neg(Ops.apply(new Spline(bins, bound, SplineGradient.Quantity.LOG_DERIVATIVE, learnedEnds), output, p))));
        return switch (index) {
            case 0 -> scaled;
            case 1 -> Ops.neg(Ops.apply(new SplineGradient(bins, bound, SplineGradient.Quantity.TRANSFORM, SplineGradient.Operand.PARAMETERS, learnedEnds),
                    output, p, scaled));
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
