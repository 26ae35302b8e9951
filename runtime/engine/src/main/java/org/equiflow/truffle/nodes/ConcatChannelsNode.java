package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.NodeInfo;
import java.util.List;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** Fields stacked along the channel axis: a conditioner's (cos P, sin P), the link directions after an update. */
@NodeInfo(shortName = "ConcatChannels")
public final class ConcatChannelsNode extends OpNode {
    @CompilerDirectives.CompilationFinal(dimensions = 1) private final int[] parts;

    public ConcatChannelsNode(int slot, int[] parts) {
        super(slot);
        this.parts = parts;
    }

    @Override
    @ExplodeLoop
    protected Tensor compute(VirtualFrame frame) {
        Tensor[] tensors = new Tensor[parts.length];
        for (int k = 0; k < parts.length; k++) tensors[k] = read(frame, parts[k]);
        return concat(tensors);
    }

    @TruffleBoundary
    private static Tensor concat(Tensor[] tensors) { return Ops.concatChannels(List.of(tensors)); }
}
