package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes each chain of convolutions — a coupling's conditioner network, {@link Op.ConvAct}s (and
 * plain {@link Op.Conv}s, a stage without activation) each the only use of the one before — one
 * {@link Op.Conditioner}, so the runtime can keep the
 * hidden activations in its own layout for the whole network. When every use of the network's
 * output is masked by one mask (the coupling's updated sites: the scale and shift of
 * {@link Op.AffineCoupling}, a masked spline's parameters, the log-det's {@code mul(active, s)},
 * through channel slices and site-wise arithmetic), the
 * op records that mask, and its last convolution need only be computed there — half the sites
 * for a checkerboard. The replaced ops stay in place for {@link DeadCode}.
 *
 * <p>Postcondition: no convolution is the only use of another; every Conditioner with a mask
 * has only uses masked by it.
 */
public final class ConditionerFusion {
    private ConditionerFusion() {}

    public static IrFunction run(IrFunction f) {
        Map<Integer, List<Op>> users = users(f);
        Map<Integer, Op> replaced = new HashMap<>();
        for (Op last : f.ops()) {
            if (stage(last) == null || feedsOneConvolution(f, users, last.id())) continue;
            List<Op> chain = new ArrayList<>();
            chain.addFirst(last);
            while (f.op(operandOf(chain.getFirst())) instanceof Op before && stage(before) != null && feedsOneConvolution(f, users, before.id())) {
                chain.addFirst(before);
            }
            if (chain.size() < 2) continue;
            List<Op.Conditioner.Stage> stages = chain.stream().map(ConditionerFusion::stage).toList();
            int mask = isOutput(f, last.id()) ? -1 : maskOfEveryUse(f, users, last.id());
            replaced.put(last.id(), new Op.Conditioner(last.id(), operandOf(chain.getFirst()), stages, mask, last.type()));
        }
        if (replaced.isEmpty()) return f;
        return new IrFunction(f.name(), f.ops().stream().map(op -> replaced.getOrDefault(op.id(), op)).toList(), f.outputs());
    }

    /** The live uses of each value: ops an earlier fusion replaced still name their operands, but nothing reads them. */
    private static Map<Integer, List<Op>> users(IrFunction f) {
        boolean[] live = new boolean[f.ops().size()];
        f.outputs().values().forEach(id -> live[id] = true);
        for (int i = f.ops().size() - 1; i >= 0; i--) {
            if (live[i]) for (int operand : f.ops().get(i).operands()) live[operand] = true;
        }
        Map<Integer, List<Op>> users = new HashMap<>();
        for (Op op : f.ops()) {
            if (!live[op.id()]) continue;
            for (int operand : op.operands()) users.computeIfAbsent(operand, k -> new ArrayList<>()).add(op);
        }
        return users;
    }

    private static boolean isOutput(IrFunction f, int id) {
        return f.outputs().containsValue(id);
    }

    /** Unary ops whose value at a site is finite wherever their operand is: 0 off a mask stays harmless. */
    private static final java.util.Set<Op.UnaryFn> FINITE_TO_FINITE = java.util.EnumSet.of(Op.UnaryFn.NEG, Op.UnaryFn.MUL_SCALAR,
            Op.UnaryFn.ADD_SCALAR, Op.UnaryFn.WRAP_ANGLE, Op.UnaryFn.IDENTITY);

    /** Whether {@code use} reads {@code id} site by site: not an output, and on the same lattice (no broadcast across sites). */
    private static boolean sitewise(IrFunction f, int id, Op use) {
        return !isOutput(f, use.id()) && use.type().lattice().equals(f.op(id).type().lattice());
    }

    /** A convolution as a stage of a chain: a ConvAct with its activation, a plain Conv with none; null for other ops. */
    private static Op.Conditioner.Stage stage(Op op) {
        return switch (op) {
            case Op.ConvAct c -> new Op.Conditioner.Stage(c.weight(), c.bias(), c.activation(), c.slope());
            case Op.Conv c -> new Op.Conditioner.Stage(c.weight(), c.bias(), Op.UnaryFn.IDENTITY, 0.0);
            default -> null;
        };
    }

    private static int operandOf(Op convolution) {
        return switch (convolution) {
            case Op.ConvAct c -> c.operand();
            case Op.Conv c -> c.operand();
            default -> throw new IllegalArgumentException("not a convolution: " + convolution);
        };
    }

    /** Whether the value's one and only use is the input of a convolution (so it is a hidden layer of a chain). */
    private static boolean feedsOneConvolution(IrFunction f, Map<Integer, List<Op>> users, int id) {
        List<Op> uses = users.getOrDefault(id, List.of());
        return !isOutput(f, id) && uses.size() == 1 && stage(uses.getFirst()) != null && operandOf(uses.getFirst()) == id;
    }

    /**
     * The one mask every use of {@code id} is multiplied by, or −1: directly, as the parameters of a
     * masked spline or affine coupling, or through channel slices and site-wise arithmetic that
     * maps the zeros a masked conditioner leaves off its mask to finite values (sums, differences,
     * products, scalings, wrapped angles) — whose results are in turn masked.
     */
    private static int maskOfEveryUse(IrFunction f, Map<Integer, List<Op>> users, int id) {
        List<Op> uses = users.getOrDefault(id, List.of());
        if (uses.isEmpty()) return -1;
        int mask = -1;
        for (Op use : uses) {
            int m = switch (use) {
                case Op.AffineCoupling a when a.x() != id -> a.active();
                case Op.SplineTransform s when s.x() != id -> s.activeSites();
                case Op.SplineLogDerivative s when s.x() != id -> s.activeSites();
                case Op.SplineWithLogDerivative s when s.x() != id -> s.activeSites();
                case Op.Binary b when b.fn() == Op.BinaryFn.MUL && b.left() != b.right()
                        && f.op(b.left() == id ? b.right() : b.left()) instanceof Op.Mask -> b.left() == id ? b.right() : b.left();
                case Op.Binary b when b.fn() != Op.BinaryFn.DIV && sitewise(f, id, b) -> maskOfEveryUse(f, users, b.id());
                case Op.Unary u when FINITE_TO_FINITE.contains(u.fn()) && sitewise(f, id, u) -> maskOfEveryUse(f, users, u.id());
                case Op.SliceChannels s when !isOutput(f, s.id()) -> maskOfEveryUse(f, users, s.id());
                default -> -1;
            };
            if (m < 0 || (mask >= 0 && m != mask)) return -1;
            mask = m;
        }
        return mask;
    }
}
