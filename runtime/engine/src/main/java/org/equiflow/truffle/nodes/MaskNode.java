package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Tensor;

/** A 0/1 lattice pattern [1, 1, L…], broadcast over batch and channels by the ops that use it. */
@NodeInfo(shortName = "Mask")
public final class MaskNode extends ConstNode {
    public MaskNode(int slot, Tensor pattern) { super(slot, pattern); }
}
