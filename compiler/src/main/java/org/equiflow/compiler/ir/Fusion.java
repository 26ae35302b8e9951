package org.equiflow.compiler.ir;

import java.util.HashMap;
import java.util.Map;

/**
 * Fuses the hot paths into single kernels: a convolution whose only use is a LeakyReLU or tanh
 * becomes {@link Op.ConvAct}; the coupling update {@code x·m + a·(x·exp(s) + t)}, with masks
 * m and a = 1 − m, becomes {@link Op.AffineCoupling}. The replaced ops stay in place for
 * {@link DeadCode} to drop once nothing uses them.
 *
 * Postcondition: no Conv feeds exactly one LeakyReLU/tanh, and no coupling update of the
 * lowered form remains where both masks are complementary.
 */
public final class Fusion {
    private Fusion() {}

    public static IrFunction run(IrFunction f) {
        int[] uses = new int[f.ops().size()];
        for (Op op : f.ops()) for (int operand : op.operands()) uses[operand]++;
        for (int id : f.outputs().values()) uses[id]++;
        Map<Integer, Op> replaced = new HashMap<>();
        for (Op op : f.ops()) {
            Op fused = switch (op) {
                case Op.Unary u when (u.fn() == Op.UnaryFn.LEAKY_RELU || u.fn() == Op.UnaryFn.TANH)
                        && f.op(u.operand()) instanceof Op.Conv c && uses[c.id()] == 1 ->
                        new Op.ConvAct(u.id(), c.operand(), c.weight(), c.bias(), u.fn(), u.parameter(), u.type());
                case Op.Binary b when b.fn() == Op.BinaryFn.ADD -> coupling(f, b);
                default -> null;
            };
            if (fused != null) replaced.put(op.id(), fused);
        }
        if (replaced.isEmpty()) return f;
        return new IrFunction(f.name(), f.ops().stream().map(op -> replaced.getOrDefault(op.id(), op)).toList(), f.outputs());
    }

    /** add(mul(x, frozen), mul(active, add(mul(x, exp(s)), t))) with frozen = 1 − active. */
    private static Op coupling(IrFunction f, Op.Binary add) {
        if (!(f.op(add.left()) instanceof Op.Binary frozenPart) || frozenPart.fn() != Op.BinaryFn.MUL) return null;
        if (!(f.op(add.right()) instanceof Op.Binary activePart) || activePart.fn() != Op.BinaryFn.MUL) return null;
        if (!(f.op(frozenPart.right()) instanceof Op.Mask frozen) || !(f.op(activePart.left()) instanceof Op.Mask active)) return null;
        if (!complementary(frozen.pattern(), active.pattern())) return null;
        int x = frozenPart.left();
        if (!(f.op(activePart.right()) instanceof Op.Binary update) || update.fn() != Op.BinaryFn.ADD) return null;
        if (!(f.op(update.left()) instanceof Op.Binary scaled) || scaled.fn() != Op.BinaryFn.MUL || scaled.left() != x) return null;
        if (!(f.op(scaled.right()) instanceof Op.Unary exp) || exp.fn() != Op.UnaryFn.EXP) return null;
        IrType type = f.op(x).type();
        if (type.channels() != 1 || !f.op(exp.operand()).type().equals(type) || !f.op(update.right()).type().equals(type)) return null;
        return new Op.AffineCoupling(add.id(), x, exp.operand(), update.right(), active.id(), add.type());
    }

    private static boolean complementary(boolean[] a, boolean[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) return false;
        return true;
    }
}
