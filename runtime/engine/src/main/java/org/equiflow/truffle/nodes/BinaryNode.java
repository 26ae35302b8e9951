package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** Elementwise arithmetic with broadcasting (masks over batches, per-configuration sums). */
@NodeInfo(shortName = "Binary")
public final class BinaryNode extends OpNode {
    private final Op.BinaryFn fn;
    private final int left, right;

    public BinaryNode(int slot, Op.BinaryFn fn, int left, int right) {
        super(slot);
        this.fn = fn;
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return apply(fn, read(frame, left), read(frame, right)); }

    @TruffleBoundary
    static Tensor apply(Op.BinaryFn fn, Tensor a, Tensor b) {
        return switch (fn) {
            case ADD -> Ops.add(a, b);
            case SUB -> Ops.sub(a, b);
            case MUL -> Ops.mul(a, b);
            case DIV -> Ops.div(a, b);
        };
    }
}
