package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** A periodic lattice shift: out[x] = in[x − shift·ê_axis]. */
@NodeInfo(shortName = "Roll")
public final class RollNode extends OpNode {
    private final int operand, axis, shift;

    public RollNode(int slot, int operand, int axis, int shift) {
        super(slot);
        this.operand = operand;
        this.axis = axis;
        this.shift = shift;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return roll(read(frame, operand), axis, shift); }

    @TruffleBoundary
    private static Tensor roll(Tensor x, int axis, int shift) { return Ops.roll(x, axis, shift); }
}
