package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** Channels [from, to) of a field: the scale and shift outputs of a conditioner, one link direction. */
@NodeInfo(shortName = "SliceChannels")
public final class SliceChannelsNode extends OpNode {
    private final int operand, from, to;

    public SliceChannelsNode(int slot, int operand, int from, int to) {
        super(slot);
        this.operand = operand;
        this.from = from;
        this.to = to;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return slice(read(frame, operand), from, to); }

    @TruffleBoundary
    private static Tensor slice(Tensor x, int from, int to) { return Ops.sliceChannels(x, from, to); }
}
