package org.equiflow.truffle;

import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
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
 * After its last reader has run, a value's slot is cleared: the frame then holds only live
 * values, so a long function (a gradient flow's unrolled integration) run without a tape needs
 * the memory of its widest point, not of all its intermediates (a tape keeps what it needs itself).
 */
public final class IrRootNode extends RootNode {
    @Children private final OpNode[] ops;
    private final int[] outputSlots;
    /** Per op, the slots whose last reader it is (outputs never). */
    @CompilationFinal(dimensions = 2) private final int[][] deadAfter;
    private final String name;

    IrRootNode(FlowLanguage language, FrameDescriptor frame, OpNode[] ops, int[] outputSlots, int[][] deadAfter, String name) {
        super(language, frame);
        this.ops = ops;
        this.outputSlots = outputSlots;
        this.deadAfter = deadAfter;
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
        for (int i = 0; i < ops.length; i++) {
            ops[i].execute(frame);
            for (int slot : deadAfter[i]) frame.setObject(slot, null);
        }
        Tensor[] outputs = new Tensor[outputSlots.length];
        for (int i = 0; i < outputSlots.length; i++) outputs[i] = (Tensor) frame.getObject(outputSlots[i]);
        return outputs;
    }

    @Override
    public String getName() { return name; }

    @Override
    public String toString() { return "equiflow:" + name; }
}
