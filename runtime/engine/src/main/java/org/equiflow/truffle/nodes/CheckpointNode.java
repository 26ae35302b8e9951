package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Tensor;

/**
 * A checkpoint: the operand's value itself. What a checkpoint does for reverse mode (the
 * segments between checkpoints recomputed instead of kept) is the root node's.
 */
@NodeInfo(shortName = "Checkpoint")
public final class CheckpointNode extends OpNode {
    private final int operand;

    public CheckpointNode(int slot, int operand) {
        super(slot);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return read(frame, operand); }
}
