package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.Node;
import org.equiflow.tensor.Tensor;

/**
 * One IR op as a Truffle node: it reads its operands' tensors from their frame slots, launches
 * its kernel, and stores its result in its own slot (slot = the op's id). Subclasses are named
 * after the IR op they execute.
 */
public abstract class OpNode extends Node {
    protected final int slot;

    protected OpNode(int slot) { this.slot = slot; }

    public final void execute(VirtualFrame frame) {
        frame.setObject(slot, compute(frame));
    }

    protected abstract Tensor compute(VirtualFrame frame);

    protected static Tensor read(VirtualFrame frame, int slot) {
        return (Tensor) frame.getObject(slot);
    }
}
