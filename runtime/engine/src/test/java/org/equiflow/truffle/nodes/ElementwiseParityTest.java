package org.equiflow.truffle.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.equiflow.compiler.ir.Op;
import org.equiflow.compiler.model.ElementwiseFunction;
import org.equiflow.compiler.model.Parity;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Z2 checker trusts each row's parity in {@link ElementwiseFunction}; here the primitive the
 * runtime computes for that row is held to it, in both precisions: f(−x) = −f(x) for an odd
 * row, f(−x) = f(x) for an even one.
 */
class ElementwiseParityTest {

    @ParameterizedTest
    @EnumSource(ElementwiseFunction.class)
    void theRuntimeComputesTheParityTheCheckerTrusts(ElementwiseFunction function) {
        if (!function.runs() || function.parity() == Parity.NONE) return;
        double sign = function.parity() == Parity.ODD ? -1 : 1;
        for (DType dtype : DType.values()) {
            Tensor x = Tensor.randn(new Shape(2, 3, 8, 8), DType.F64, new SplittableRandom(7)).to(dtype);
            Tensor fx = apply(function, x), fMinusX = apply(function, Ops.neg(x));
            for (int i = 0; i < x.size(); i++) {
                double tolerance = dtype == DType.F32 ? 1e-6 * Math.max(1, Math.abs(fx.get(i))) : 1e-15;
                assertEquals(sign * fx.get(i), fMinusX.get(i), tolerance, function.languageName() + " at " + x.get(i) + " in " + dtype);
            }
        }
    }

    /** The function as lowering emits it and the engine computes it. */
    private static Tensor apply(ElementwiseFunction function, Tensor x) {
        if (function == ElementwiseFunction.IDENTITY) return x;
        Op.UnaryFn fn = Op.UnaryFn.computing(function).orElseThrow();
        return Ops.apply(UnaryNode.primitive(fn, function.parameter().map(ElementwiseFunction.Parameter::byDefault).orElse(0.0)), x);
    }
}
