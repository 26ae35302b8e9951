package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.oracle.truffle.api.CallTarget;
import java.util.List;
import java.util.SplittableRandom;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrType;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.AlgebraProjection;
import org.equiflow.tensor.ComplexMatMul;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.MatrixExponential;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.Parameters;
import org.junit.jupiter.api.Test;

/**
 * One explicit step of a gradient flow on SU(3) links, U′ = exp(ε·TA(M U†))·U with a staple-like
 * field M, written in the IR and run by the Truffle tree: the algebra projection and matrix
 * exponential ops translate to their primitives (the same numbers as applying those directly),
 * the step keeps links in the group, and the tape's gradient through both ops matches central
 * differences of the translated program.
 */
class GradientFlowStepTest {
    private static final int N = 3, MATRIX = 2 * N * N, DIRECTIONS = 2;
    private static final double EPSILON = 0.3;
    private static final List<Integer> LATTICE = List.of(2, 3);

    private static IrFunction step() {
        FunctionBuilder b = new FunctionBuilder("flow_step");
        IrType links = IrType.field(DIRECTIONS * MATRIX, LATTICE);
        int u = b.input("u", links), m = b.input("m", links);
        int force = b.algebraProjection(N, b.complexMatMul(N, m, u, false, true));
        int move = b.matrixExponential(N, b.unary(Op.UnaryFn.MUL_SCALAR, EPSILON, force));
        b.output("u", b.complexMatMul(N, move, u, false, false));
        return b.build();
    }

    /** SU(3) links exp(TA(A)) from Gaussian A. */
    private static Tensor links(Shape shape, SplittableRandom random) {
        return Ops.apply(new MatrixExponential(N), Ops.apply(new AlgebraProjection(N), Tensor.randn(shape, DType.F64, random)));
    }

    @Test
    void aGradientFlowStepRunsThroughTheTreeStaysInTheGroupAndDifferentiates() {
        IrFunction function = step();
        CallTarget step = IrTranslator.translate(function, Parameters.initialise(function.params(), DType.F64, 1), DType.F64);
        SplittableRandom random = new SplittableRandom(2212_08469L);
        Shape shape = new Shape(2, DIRECTIONS * MATRIX, 2, 3);
        Tensor u = links(shape, random), m = Tensor.randn(shape, DType.F64, random);

        Tensor moved = ((Tensor[]) step.call(u, m))[0];
        Tensor force = Ops.apply(new AlgebraProjection(N), Ops.apply(new ComplexMatMul(N, false, true), m, u));
        Tensor direct = Ops.apply(new ComplexMatMul(N, false, false),
                Ops.apply(new MatrixExponential(N), Ops.mulScalar(force, EPSILON)), u);
        for (int i = 0; i < moved.size(); i++) assertEquals(direct.get(i), moved.get(i), 0.0, "element " + i);

        Tensor unitarity = Ops.apply(new ComplexMatMul(N, true, false), moved, moved);
        int sites = shape.sites();
        for (int k = 0; k < shape.batch() * DIRECTIONS; k++) {
            for (int c = 0; c < MATRIX; c++) {
                int i = c / 2 / N, j = c / 2 % N;
                double expected = c % 2 == 0 && i == j ? 1 : 0;
                for (int x = 0; x < sites; x++) assertEquals(expected, unitarity.get((k * MATRIX + c) * sites + x), 1e-12, "U′†U′");
            }
        }

        // L = Σ C·U′ for a fixed random C: the tape's ∂L/∂U and ∂L/∂M against central differences.
        Tensor weights = Tensor.randn(shape, DType.F64, random);
        u.requiresGrad(true);
        m.requiresGrad(true);
        try (Tape tape = Tape.open()) {
            tape.backward(((Tensor[]) step.call(u, m))[0], weights);
        }
        for (Tensor operand : List.of(u, m)) {
            for (int i = 0; i < operand.size(); i += 7) {
                double original = operand.get(i), h = 1e-5;
                operand.set(i, original + h);
                double plus = dot(weights, ((Tensor[]) step.call(u, m))[0]);
                operand.set(i, original - h);
                double minus = dot(weights, ((Tensor[]) step.call(u, m))[0]);
                operand.set(i, original);
                double numeric = (plus - minus) / (2 * h);
                assertEquals(numeric, operand.grad().get(i), 1e-7 * Math.max(1, Math.abs(numeric)),
                        (operand == u ? "∂L/∂U" : "∂L/∂M") + " element " + i);
            }
        }
    }

    private static double dot(Tensor a, Tensor b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) sum += a.get(i) * b.get(i);
        return sum;
    }
}
