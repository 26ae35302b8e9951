package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges ops that compute the same value from the same operands (the rolled field φ(x+μ) the
 * action uses twice, identical masks of layers with the same parity). Inputs and parameters
 * are never merged: equal shapes do not make them the same variable.
 *
 * Postcondition: no two non-leaf ops, and no two masks, have the same kind, attributes and operands.
 */
public final class CommonSubexpressions {
    private CommonSubexpressions() {}

    public static IrFunction run(IrFunction f) {
        Map<Integer, Integer> map = new HashMap<>();
        Map<Object, Integer> seen = new HashMap<>();
        List<Op> out = new ArrayList<>();
        for (Op op : f.ops()) {
            Op renamed = Renumber.op(op, out.size(), map::get);
            Object key = key(renamed);
            Integer existing = key == null ? null : seen.get(key);
            if (existing != null) {
                map.put(op.id(), existing);
                continue;
            }
            map.put(op.id(), renamed.id());
            if (key != null) seen.put(key, renamed.id());
            out.add(renamed);
        }
        Map<String, Integer> outputs = new LinkedHashMap<>();
        f.outputs().forEach((k, v) -> outputs.put(k, map.get(v)));
        return new IrFunction(f.name(), out, outputs);
    }

    /** What makes two ops interchangeable: everything but the id; null for ops that are never merged. */
    private static Object key(Op op) {
        return switch (op) {
            case Op.Input in -> null;
            case Op.Param p -> null;
            case Op.Mask m -> List.of("mask", java.util.Arrays.toString(m.pattern()), m.type());
            case Op.Const c -> List.of("const", c.value());
            case Op.Unary u -> List.of("unary", u.fn(), u.parameter(), u.operand());
            case Op.Binary b -> List.of("binary", b.fn(), b.left(), b.right());
            case Op.Roll r -> List.of("roll", r.operand(), r.axis(), r.shift());
            case Op.SumSites s -> List.of("sum", s.operand());
            case Op.SliceChannels s -> List.of("slice", s.operand(), s.from(), s.to());
            case Op.ConcatChannels c -> List.of("concat", c.parts());
            case Op.Conv c -> List.of("conv", c.operand(), c.weight(), c.bias());
            case Op.ConvAct c -> List.of("conv_act", c.operand(), c.weight(), c.bias(), c.activation(), c.slope());
            case Op.Conditioner c -> List.of("conditioner", c.operand(), c.stages(), c.activeSites());
            case Op.AffineCoupling a -> List.of("affine_coupling", a.x(), a.s(), a.t(), a.active());
            case Op.ComplexMatMul m -> List.of("complex_matmul", m.n(), m.left(), m.right(), m.adjointLeft(), m.adjointRight());
            case Op.ComplexTrace t -> List.of("complex_trace", t.n(), t.operand());
            case Op.AlgebraProjection p -> List.of("algebra_projection", p.n(), p.operand());
            case Op.MatrixExponential e -> List.of("matrix_exp", e.n(), e.operand());
            case Op.SuThreeEigenphases e -> List.of("su3_eigenphases", e.matrix());
            // each checkpoint is its own point in the computation, never merged with another
            case Op.Checkpoint c -> null;
            case Op.SplineTransform s -> List.of("spline", s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(), s.activeSites());
            case Op.SplineLogDerivative s -> List.of("spline_log_derivative", s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(), s.activeSites());
            case Op.SplineWithLogDerivative s -> List.of("spline_with_log_derivative", s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(),
                    s.activeSites());
            case Op.SplineInverse s -> List.of("spline_inverse", s.y(), s.params(), s.bins(), s.bound(), s.learnedEnds());
        };
    }
}
