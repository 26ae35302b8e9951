package org.equiflow.compiler.ir;

import java.util.function.IntUnaryOperator;

/** Rebuilds an op with a new id and its operands mapped, for passes that drop or merge ops. */
final class Renumber {
    private Renumber() {}

    static Op op(Op op, int id, IntUnaryOperator map) {
        return switch (op) {
            case Op.Input in -> new Op.Input(id, in.name(), in.type());
            case Op.Param p -> new Op.Param(id, p.name(), p.type(), p.initBound());
            case Op.Const c -> new Op.Const(id, c.value(), c.type());
            case Op.Mask m -> new Op.Mask(id, m.name(), m.type(), m.pattern());
            case Op.Unary u -> new Op.Unary(id, u.fn(), u.parameter(), map.applyAsInt(u.operand()), u.type());
            case Op.Binary b -> new Op.Binary(id, b.fn(), map.applyAsInt(b.left()), map.applyAsInt(b.right()), b.type());
            case Op.Roll r -> new Op.Roll(id, map.applyAsInt(r.operand()), r.axis(), r.shift(), r.type());
            case Op.SumSites s -> new Op.SumSites(id, map.applyAsInt(s.operand()), s.type());
            case Op.SliceChannels s -> new Op.SliceChannels(id, map.applyAsInt(s.operand()), s.from(), s.to(), s.type());
            case Op.ConcatChannels c -> new Op.ConcatChannels(id, c.parts().stream().map(map::applyAsInt).toList(), c.type());
            case Op.Conv c -> new Op.Conv(id, map.applyAsInt(c.operand()), map.applyAsInt(c.weight()),
                    c.bias() < 0 ? -1 : map.applyAsInt(c.bias()), c.type());
            case Op.ConvAct c -> new Op.ConvAct(id, map.applyAsInt(c.operand()), map.applyAsInt(c.weight()),
                    c.bias() < 0 ? -1 : map.applyAsInt(c.bias()), c.activation(), c.slope(), c.type());
            case Op.Conditioner c -> new Op.Conditioner(id, map.applyAsInt(c.operand()), c.stages().stream()
                    .map(st -> new Op.Conditioner.Stage(map.applyAsInt(st.weight()), st.bias() < 0 ? -1 : map.applyAsInt(st.bias()),
                            st.activation(), st.slope())).toList(),
                    c.activeSites() < 0 ? -1 : map.applyAsInt(c.activeSites()), c.type());
            case Op.AffineCoupling a -> new Op.AffineCoupling(id, map.applyAsInt(a.x()), map.applyAsInt(a.s()),
                    map.applyAsInt(a.t()), map.applyAsInt(a.active()), a.type());
            case Op.ComplexMatMul m -> new Op.ComplexMatMul(id, m.n(), map.applyAsInt(m.left()), map.applyAsInt(m.right()),
                    m.adjointLeft(), m.adjointRight(), m.type());
            case Op.ComplexTrace t -> new Op.ComplexTrace(id, t.n(), map.applyAsInt(t.operand()), t.type());
            case Op.AlgebraProjection p -> new Op.AlgebraProjection(id, p.n(), map.applyAsInt(p.operand()), p.type());
            case Op.MatrixExponential e -> new Op.MatrixExponential(id, e.n(), map.applyAsInt(e.operand()), e.type());
            case Op.SuThreeEigenphases e -> new Op.SuThreeEigenphases(id, map.applyAsInt(e.matrix()), e.type());
            case Op.Checkpoint c -> new Op.Checkpoint(id, map.applyAsInt(c.operand()), c.opensSegment(), c.type());
            case Op.SplineTransform s -> new Op.SplineTransform(id, map.applyAsInt(s.x()), map.applyAsInt(s.params()),
                    s.bins(), s.bound(), s.type(), s.learnedEnds(), s.activeSites() < 0 ? -1 : map.applyAsInt(s.activeSites()));
            case Op.SplineLogDerivative s -> new Op.SplineLogDerivative(id, map.applyAsInt(s.x()), map.applyAsInt(s.params()),
                    s.bins(), s.bound(), s.type(), s.learnedEnds(), s.activeSites() < 0 ? -1 : map.applyAsInt(s.activeSites()));
            case Op.SplineWithLogDerivative s -> new Op.SplineWithLogDerivative(id, map.applyAsInt(s.x()), map.applyAsInt(s.params()),
                    s.bins(), s.bound(), s.type(), s.learnedEnds(), s.activeSites() < 0 ? -1 : map.applyAsInt(s.activeSites()));
            case Op.SplineInverse s -> new Op.SplineInverse(id, map.applyAsInt(s.y()), map.applyAsInt(s.params()),
                    s.bins(), s.bound(), s.type(), s.learnedEnds());
        };
    }
}
