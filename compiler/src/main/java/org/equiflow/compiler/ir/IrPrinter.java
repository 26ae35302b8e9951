package org.equiflow.compiler.ir;

import java.util.stream.Collectors;

/** Text form of the IR: one op per line, `%id : type = op operands`. */
public final class IrPrinter {
    private IrPrinter() {}

    public static String print(IrProgram program) {
        var out = new StringBuilder();
        out.append("// IR of flow ").append(program.model().name()).append(" for theory ").append(program.model().theory().name())
           .append(" on ").append(program.model().theory().lattice()).append('\n');
        for (IrFunction f : program.functions()) out.append('\n').append(print(f));
        return out.toString();
    }

    public static String print(IrFunction f) {
        var out = new StringBuilder();
        out.append("func ").append(f.name()).append("(")
           .append(f.inputs().stream().map(i -> "%" + i.id() + " " + i.name() + ": " + i.type()).collect(Collectors.joining(", ")))
           .append(") -> (").append(f.outputs().entrySet().stream().map(e -> e.getKey() + " = %" + e.getValue()).collect(Collectors.joining(", ")))
           .append(") {  // ").append(f.ops().size()).append(" ops\n");
        for (Op op : f.ops()) {
            if (op instanceof Op.Input) continue;
            out.append("    %").append(op.id()).append(" : ").append(op.type()).append(" = ").append(describe(op)).append('\n');
        }
        return out.append("}\n").toString();
    }

    static String describe(Op op) {
        return switch (op) {
            case Op.Input in -> "input " + in.name();
            case Op.Param p -> "param " + p.name() + " init uniform(±" + String.format("%.4g", p.initBound()) + ")";
            case Op.Const c -> "const " + c.value();
            case Op.Mask m -> "mask " + m.name() + " " + pattern(m.pattern());
            case Op.Unary u -> u.fn().label() + (needsParameter(u.fn()) ? "[" + u.parameter() + "]" : "") + " %" + u.operand();
            case Op.Binary b -> b.fn().label() + " %" + b.left() + ", %" + b.right();
            case Op.Roll r -> "roll %" + r.operand() + " axis " + r.axis() + " by " + r.shift();
            case Op.SumSites s -> "sum_sites %" + s.operand();
            case Op.SliceChannels s -> "slice_channels %" + s.operand() + " [" + s.from() + ", " + s.to() + ")";
            case Op.ConcatChannels c -> "concat_channels " + c.parts().stream().map(i -> "%" + i).collect(Collectors.joining(", "));
            case Op.Conv c -> "conv %" + c.operand() + ", %" + c.weight() + (c.bias() < 0 ? "" : ", %" + c.bias());
            case Op.ConvAct c -> "conv_" + c.activation().label() + (c.activation() == Op.UnaryFn.LEAKY_RELU ? "[" + c.slope() + "]" : "")
                    + " %" + c.operand() + ", %" + c.weight() + (c.bias() < 0 ? "" : ", %" + c.bias());
            case Op.Conditioner c -> "conditioner %" + c.operand() + " [" + c.stages().stream()
                    .map(st -> (st.activation() == Op.UnaryFn.IDENTITY ? "conv" : "conv_" + st.activation().label())
                            + (st.activation() == Op.UnaryFn.LEAKY_RELU ? "[" + st.slope() + "]" : "")
                            + " %" + st.weight() + (st.bias() < 0 ? "" : ", %" + st.bias()))
                    .collect(Collectors.joining("; ")) + "]" + (c.activeSites() < 0 ? "" : " at %" + c.activeSites());
            case Op.AffineCoupling a -> "affine_coupling x %" + a.x() + ", s %" + a.s() + ", t %" + a.t() + ", active %" + a.active();
            case Op.ComplexMatMul m -> "complex_matmul[" + m.n() + "] %" + m.left() + (m.adjointLeft() ? "†" : "") + ", %" + m.right()
                    + (m.adjointRight() ? "†" : "");
            case Op.ComplexTrace t -> "complex_trace[" + t.n() + "] %" + t.operand();
            case Op.AlgebraProjection p -> "algebra_projection[" + p.n() + "] %" + p.operand();
            case Op.MatrixExponential e -> "matrix_exp[" + e.n() + "] %" + e.operand();
            case Op.SuThreeEigenphases e -> "su3_eigenphases %" + e.matrix();
            case Op.Checkpoint c -> "checkpoint %" + c.operand() + (c.opensSegment() ? " (opens a recomputed segment)" : "");
            case Op.SplineTransform s -> "spline[" + s.bins() + " bins, ±" + s.bound() + ends(s.learnedEnds()) + "] x %" + s.x() + ", params %" + s.params()
                    + active(s.activeSites());
            case Op.SplineWithLogDerivative s -> "spline_with_log_derivative[" + s.bins() + " bins, ±" + s.bound() + ends(s.learnedEnds()) + "] x %" + s.x()
                    + ", params %" + s.params() + active(s.activeSites());
            case Op.SplineInverse s -> "spline_inverse[" + s.bins() + " bins, ±" + s.bound() + ends(s.learnedEnds()) + "] y %" + s.y() + ", params %" + s.params();
            case Op.SplineLogDerivative s -> "spline_log_derivative[" + s.bins() + " bins, ±" + s.bound() + ends(s.learnedEnds()) + "] x %" + s.x()
                    + ", params %" + s.params() + active(s.activeSites());
        };
    }

    private static String active(int activeSites) {
        return activeSites < 0 ? "" : ", active %" + activeSites;
    }

    /** Only the learned end slope is printed, so the pinned spline's IR reads as before the option. */
    private static String ends(boolean learnedEnds) {
        return learnedEnds ? ", learned end slope" : "";
    }

    private static boolean needsParameter(Op.UnaryFn fn) {
        return fn == Op.UnaryFn.POW_INT || fn == Op.UnaryFn.LEAKY_RELU || fn == Op.UnaryFn.MUL_SCALAR || fn == Op.UnaryFn.ADD_SCALAR;
    }

    private static String pattern(boolean[] p) {
        var sb = new StringBuilder();
        for (int i = 0; i < Math.min(p.length, 16); i++) sb.append(p[i] ? '1' : '0');
        return sb + (p.length > 16 ? "…" : "");
    }
}
