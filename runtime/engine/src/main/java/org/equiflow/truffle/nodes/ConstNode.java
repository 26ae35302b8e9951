package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Tensor;

/** A constant tensor built once at translation: a scalar, or a mask (see {@link MaskNode}). */
@NodeInfo(shortName = "Const")
public class ConstNode extends OpNode {
    private final Tensor value;

    public ConstNode(int slot, Tensor value) {
        super(slot);
        this.value = value;
    }

    @Override
    protected final Tensor compute(VirtualFrame frame) { return value; }
}
