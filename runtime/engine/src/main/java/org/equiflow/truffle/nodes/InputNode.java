package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Tensor;

/** A function argument: the call's argument at {@code position}. */
@NodeInfo(shortName = "Input")
public final class InputNode extends OpNode {
    private final int position;

    public InputNode(int slot, int position) {
        super(slot);
        this.position = position;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return (Tensor) frame.getArguments()[position]; }
}
