package org.equiflow.tensor;

import java.util.List;

/**
 * The rational-quadratic spline y(x) of {@link RationalQuadraticSpline} on [−bound, bound] with
 * {@code bins} bins, identity outside: operands x [N, 1, L…] and raw parameters
 * p [N, 3·bins − 1, L…]; result y [N, 1, L…]. Every site is transformed; a coupling keeps the
 * frozen sites itself.
 */
public record SplineTransform(int bins, double bound) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        return RationalQuadraticSpline.checkShapes(this, bins, bound, inputs.get(0), inputs.get(1));
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        RationalQuadraticSpline.apply(RationalQuadraticSpline.TRANSFORM, bins, bound, inputs.get(0), inputs.get(1), null, out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return switch (index) {
            case 0 -> Ops.apply(new SplineGradient(bins, bound, SplineGradient.Quantity.TRANSFORM, SplineGradient.Operand.INPUT),
                    inputs.get(0), inputs.get(1), outputGrad);
            case 1 -> Ops.apply(new SplineGradient(bins, bound, SplineGradient.Quantity.TRANSFORM, SplineGradient.Operand.PARAMETERS),
                    inputs.get(0), inputs.get(1), outputGrad);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
