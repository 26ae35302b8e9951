package org.equiflow.truffle;

import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.FrameSlotKind;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.RootNode;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.OpNode;

/**
 * One IR function as a Truffle root: its ops run in order, each into its frame slot; the call
 * returns the output tensors in the function's output order. Arguments are the input tensors.
 */
public final class IrRootNode extends RootNode {
    @Children private final OpNode[] ops;
    private final int[] outputSlots;
    private final String name;

    IrRootNode(FlowLanguage language, FrameDescriptor frame, OpNode[] ops, int[] outputSlots, String name) {
        super(language, frame);
        this.ops = ops;
        this.outputSlots = outputSlots;
        this.name = name;
    }

    static FrameDescriptor frameFor(int slots) {
        var builder = FrameDescriptor.newBuilder();
        builder.addSlots(slots, FrameSlotKind.Object);
        return builder.build();
    }

    @Override
    @ExplodeLoop
    public Object execute(VirtualFrame frame) {
        for (OpNode op : ops) op.execute(frame);
        Tensor[] outputs = new Tensor[outputSlots.length];
        for (int i = 0; i < outputSlots.length; i++) outputs[i] = (Tensor) frame.getObject(outputSlots[i]);
        return outputs;
    }

    @Override
    public String getName() { return name; }

    @Override
    public String toString() { return "equiflow:" + name; }
}
