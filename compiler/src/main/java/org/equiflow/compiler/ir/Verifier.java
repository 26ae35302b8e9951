package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the invariants every pass must keep: ids are the positions of ops, operands refer to
 * earlier ops, each op's type is what its operands imply, outputs exist, parameter names are
 * unique. Run between passes in tests; returns the problems found (empty when valid).
 */
public final class Verifier {
    private Verifier() {}

    public static List<String> verify(IrFunction f) {
        List<String> problems = new ArrayList<>();
        Set<String> paramNames = new HashSet<>();
        for (int i = 0; i < f.ops().size(); i++) {
            Op op = f.ops().get(i);
            String where = f.name() + " %" + op.id();
            if (op.id() != i) problems.add(where + ": id is not its position " + i);
            for (int operand : op.operands()) {
                if (operand < 0 || operand >= i) problems.add(where + ": operand %" + operand + " is not defined before use");
            }
            if (!problems.isEmpty()) continue;
            IrType expected = expectedType(f, op);
            if (expected == null) problems.add(where + ": operands of " + op.getClass().getSimpleName() + " do not fit");
            else if (!expected.equals(op.type())) problems.add(where + ": type " + op.type() + " but operands give " + expected);
            if (op instanceof Op.Param p && !paramNames.add(p.name())) problems.add(where + ": parameter " + p.name() + " defined twice");
            if (op instanceof Op.Mask m && m.pattern().length != m.type().lattice().stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b)) {
                problems.add(where + ": mask pattern has " + m.pattern().length + " sites");
            }
        }
        f.outputs().forEach((name, id) -> {
            if (id < 0 || id >= f.ops().size()) problems.add(f.name() + ": output " + name + " refers to missing %" + id);
        });
        return problems;
    }

    private static IrType convType(IrFunction f, int operand, int weight, int bias) {
        IrType x = f.op(operand).type(), w = f.op(weight).type();
        if (w.rank() != 2 + x.lattice().size() || w.dims().get(1) != x.channels()) return null;
        if (bias >= 0 && !f.op(bias).type().dims().equals(List.of(w.dims().get(0)))) return null;
        return IrType.field(w.dims().get(0), x.lattice());
    }

    /** The chain's type stage by stage; null if a stage does not fit or the mask is not one of the field's lattice. */
    private static IrType conditionerType(IrFunction f, Op.Conditioner c) {
        IrType x = f.op(c.operand()).type();
        if (c.stages().isEmpty()) return null;
        for (Op.Conditioner.Stage stage : c.stages()) {
            if (stage.activation() != Op.UnaryFn.LEAKY_RELU && stage.activation() != Op.UnaryFn.TANH
                    && stage.activation() != Op.UnaryFn.IDENTITY) return null;
            IrType w = f.op(stage.weight()).type();
            if (w.rank() != 2 + x.lattice().size() || w.dims().get(1) != x.channels()) return null;
            if (stage.bias() >= 0 && !f.op(stage.bias()).type().dims().equals(List.of(w.dims().get(0)))) return null;
            x = IrType.field(w.dims().get(0), x.lattice());
        }
        if (c.activeSites() >= 0 && !(f.op(c.activeSites()) instanceof Op.Mask m && m.type().lattice().equals(x.lattice()))) return null;
        return x;
    }

    private static IrType splineType(IrFunction f, int operand, int params, int bins, double bound, boolean learnedEnds) {
        IrType x = f.op(operand).type(), p = f.op(params).type();
        boolean fits = bins >= 1 && bound > 0 && x.channels() == 1 && p.batched() == x.batched()
                && p.channels() == 3 * bins - (learnedEnds ? 0 : 1) && p.lattice().equals(x.lattice());
        return fits ? x : null;
    }

    /** {@link #splineType}, where {@code activeSites} is −1 or a mask op on the operand's lattice. */
    private static IrType maskedSplineType(IrFunction f, int operand, int params, int bins, double bound, boolean learnedEnds, int activeSites) {
        boolean maskFits = activeSites < 0 || f.op(activeSites) instanceof Op.Mask m && m.type().lattice().equals(f.op(operand).type().lattice());
        return maskFits ? splineType(f, operand, params, bins, bound, learnedEnds) : null;
    }

    /** The operand's own type, where it is a batched field of whole packed complex n×n matrices (a site-wise map of them). */
    private static IrType complexMatricesType(IrFunction f, int n, int operand) {
        IrType x = f.op(operand).type();
        return n >= 1 && x.batched() && x.rank() >= 1 && x.channels() % (2 * n * n) == 0 ? x : null;
    }

    private static List<Integer> concatDims(int channels, IrType like) {
        var dims = new ArrayList<>(like.dims());
        dims.set(0, channels);
        return dims;
    }

    private static IrType expectedType(IrFunction f, Op op) {
        return switch (op) {
            case Op.Input in -> in.type();
            case Op.Param p -> p.type();
            case Op.Const c -> IrType.SCALAR;
            case Op.Mask m -> m.type();
            case Op.Unary u -> f.op(u.operand()).type();
            case Op.Binary b -> IrType.broadcast(f.op(b.left()).type(), f.op(b.right()).type());
            case Op.Roll r -> {
                IrType t = f.op(r.operand()).type();
                yield r.axis() >= 0 && r.axis() < t.lattice().size() ? t : null;
            }
            case Op.SumSites s -> f.op(s.operand()).type().batched() ? IrType.PER_CONFIG : null;
            case Op.SliceChannels s -> {
                IrType t = f.op(s.operand()).type();
                if (s.from() < 0 || s.to() > t.channels() || s.from() >= s.to()) yield null;
                var dims = new ArrayList<>(t.dims());
                dims.set(0, s.to() - s.from());
                yield new IrType(t.batched(), dims);
            }
            case Op.ConcatChannels c -> {
                IrType first = f.op(c.parts().getFirst()).type();
                int channels = 0;
                for (int part : c.parts()) {
                    IrType t = f.op(part).type();
                    if (t.batched() != first.batched() || !t.lattice().equals(first.lattice()) || t.rank() < 2) { channels = -1; break; }
                    channels += t.channels();
                }
                yield channels < 0 ? null : new IrType(first.batched(), concatDims(channels, first));
            }
            case Op.Conv c -> convType(f, c.operand(), c.weight(), c.bias());
            case Op.ConvAct c -> c.activation() == Op.UnaryFn.LEAKY_RELU || c.activation() == Op.UnaryFn.TANH
                    ? convType(f, c.operand(), c.weight(), c.bias()) : null;
            case Op.Conditioner c -> conditionerType(f, c);
            case Op.AffineCoupling a -> {
                IrType x = f.op(a.x()).type();
                boolean fits = x.channels() == 1 && f.op(a.s()).type().equals(x) && f.op(a.t()).type().equals(x)
                        && f.op(a.active()) instanceof Op.Mask m && m.type().lattice().equals(x.lattice());
                yield fits ? x : null;
            }
            case Op.ComplexMatMul m -> {
                IrType l = f.op(m.left()).type(), r = f.op(m.right()).type();
                yield m.n() >= 1 && l.equals(r) && l.batched() && l.rank() >= 1 && l.channels() % (2 * m.n() * m.n()) == 0 ? l : null;
            }
            case Op.ComplexTrace t -> {
                IrType x = f.op(t.operand()).type();
                int block = 2 * t.n() * t.n();
                yield t.n() >= 1 && x.batched() && x.rank() >= 1 && x.channels() % block == 0
                        ? new IrType(true, concatDims(2 * (x.channels() / block), x)) : null;
            }
            case Op.AlgebraProjection p -> complexMatricesType(f, p.n(), p.operand());
            case Op.MatrixExponential e -> complexMatricesType(f, e.n(), e.operand());
            case Op.Checkpoint c -> f.op(c.operand()).type();
            case Op.SuThreeEigenphases e -> {
                IrType x = f.op(e.matrix()).type();
                yield x.batched() && x.rank() >= 1 && x.channels() == 18 ? new IrType(true, concatDims(3, x)) : null;
            }
            case Op.SplineTransform s -> maskedSplineType(f, s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(), s.activeSites());
            case Op.SplineLogDerivative s -> maskedSplineType(f, s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(), s.activeSites());
            case Op.SplineWithLogDerivative s -> {
                IrType x = maskedSplineType(f, s.x(), s.params(), s.bins(), s.bound(), s.learnedEnds(), s.activeSites());
                yield x == null ? null : new IrType(x.batched(), concatDims(2, x));
            }
            case Op.SplineInverse s -> splineType(f, s.y(), s.params(), s.bins(), s.bound(), s.learnedEnds());
        };
    }
}
