package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Tensor;

/**
 * A trainable tensor, read from the program's parameter store at every execution, so the same
 * tree serves training (the optimizer updates the store in place) and sampling.
 */
@NodeInfo(shortName = "Param")
public final class ParamNode extends OpNode {
    private final Parameters parameters;
    private final String name;

    public ParamNode(int slot, Parameters parameters, String name) {
        super(slot);
        this.parameters = parameters;
        this.name = name;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return parameters.get(name); }
}
