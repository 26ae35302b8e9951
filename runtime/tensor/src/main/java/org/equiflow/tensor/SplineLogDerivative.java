package org.equiflow.tensor;

import java.util.List;

/**
 * log dy/dx of the spline of {@link SplineTransform} at every site (0 outside [−bound, bound],
 * where the spline is the identity): operands x [N, 1, L…] and raw parameters
 * p [N, 3·bins − 1, L…]; result [N, 1, L…]. A coupling's log-det is its sum over updated sites.
 */
public record SplineLogDerivative(int bins, double bound) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        return RationalQuadraticSpline.checkShapes(this, bins, bound, inputs.get(0), inputs.get(1));
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        RationalQuadraticSpline.apply(RationalQuadraticSpline.LOG_DERIVATIVE, bins, bound, inputs.get(0), inputs.get(1), null, out);
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        return switch (index) {
            case 0 -> Ops.apply(new SplineGradient(bins, bound, SplineGradient.Quantity.LOG_DERIVATIVE, SplineGradient.Operand.INPUT),
                    inputs.get(0), inputs.get(1), outputGrad);
            case 1 -> Ops.apply(new SplineGradient(bins, bound, SplineGradient.Quantity.LOG_DERIVATIVE, SplineGradient.Operand.PARAMETERS),
                    inputs.get(0), inputs.get(1), outputGrad);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
