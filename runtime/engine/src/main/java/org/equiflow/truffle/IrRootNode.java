package org.equiflow.truffle;

import com.oracle.truffle.api.CompilerDirectives.CompilationFinal;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.FrameDescriptor;
import com.oracle.truffle.api.frame.FrameSlotKind;
import com.oracle.truffle.api.frame.MaterializedFrame;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.RootNode;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.OpNode;

/**
 * One IR function as a Truffle root: its ops run in order, each into its frame slot; the call
 * returns the output tensors in the function's output order. Arguments are the input tensors.
 * After its last reader has run, a value's slot is cleared: the frame then holds only live
 * values, so a long function (a gradient flow's unrolled integration) run without a tape needs
 * the memory of its widest point, not of all its intermediates (a tape keeps what it needs itself).
 * Under a tape, the segments between checkpoints ({@link CheckpointedSegment}) run as one
 * recorded entry each, so the tape keeps the checkpoints, not the segments' intermediates.
 */
public final class IrRootNode extends RootNode {
    @Children private final OpNode[] ops;
    private final int[] outputSlots;
    /** Per op, the slots whose last reader it is (outputs never). */
    @CompilationFinal(dimensions = 2) private final int[][] deadAfter;
    private final String name;
    /** Per op, the checkpointed segment starting there; null when the function has no checkpoints. */
    @CompilationFinal(dimensions = 1) private final CheckpointedSegment[] segments;

    IrRootNode(FlowLanguage language, FrameDescriptor frame, OpNode[] ops, int[] outputSlots, int[][] deadAfter, String name,
            CheckpointedSegment[] segments) {
        super(language, frame);
        this.ops = ops;
        this.segments = segments;
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
        if (segments != null && Tape.isRecording()) return executeSegmented(frame.materialize());
        for (int i = 0; i < ops.length; i++) {
            ops[i].execute(frame);
            for (int slot : deadAfter[i]) frame.setObject(slot, null);
        }
        return outputs(frame);
    }

    @TruffleBoundary
    private Object executeSegmented(MaterializedFrame frame) {
        int i = 0;
        while (i < ops.length) {
            CheckpointedSegment segment = segments[i];
            if (segment != null) {
                segment.run(frame, this);
                i = segment.last + 1;
            } else {
                run(frame, i, i);
                i++;
            }
        }
        return outputs(frame);
    }

    /** Ops {@code first..last} into {@code frame}, each value's slot cleared after its last reader: a segment's stretch, run or recomputed. */
    void run(VirtualFrame frame, int first, int last) {
        for (int i = first; i <= last; i++) {
            ops[i].execute(frame);
            for (int slot : deadAfter[i]) frame.setObject(slot, null);
        }
    }

    private Tensor[] outputs(VirtualFrame frame) {
        Tensor[] outputs = new Tensor[outputSlots.length];
        for (int i = 0; i < outputSlots.length; i++) outputs[i] = (Tensor) frame.getObject(outputSlots[i]);
        return outputs;
    }

    @Override
    public String getName() { return name; }

    @Override
    public String toString() { return "equiflow:" + name; }
}
