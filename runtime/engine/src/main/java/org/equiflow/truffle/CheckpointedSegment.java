package org.equiflow.truffle;

import com.oracle.truffle.api.Truffle;
import com.oracle.truffle.api.frame.MaterializedFrame;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;

/**
 * The ops from just after a checkpoint that opens a segment up to and including the next
 * checkpoint ({@link Op.Checkpoint}), run under a tape as one recorded entry: the ops run
 * unrecorded, the tape keeps only the values entering the segment (the checkpoint before it, the
 * parameters) and the values leaving it, and the backward pass recomputes the segment under a
 * nested tape and back-propagates through it. Reverse mode through an unrolled gradient flow
 * then holds one integration step's intermediates instead of every step's, for one more forward
 * evaluation of each step.
 */
final class CheckpointedSegment {
    final int first, last;
    /** Slots read in the segment and written before it; slots written in it and read after it (or returned). */
    private final int[] entering, leaving;

    private CheckpointedSegment(int first, int last, int[] entering, int[] leaving) {
        this.first = first;
        this.last = last;
        this.entering = entering;
        this.leaving = leaving;
    }

    /** Per op index, the segment starting there (null elsewhere); null when the function has none. */
    static CheckpointedSegment[] of(IrFunction function) {
        List<Op> ops = function.ops();
        CheckpointedSegment[] starts = new CheckpointedSegment[ops.size()];
        boolean any = false;
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof Op.Checkpoint c) || !c.opensSegment()) continue;
            int end = -1;
            for (int j = i + 1; j < ops.size() && end < 0; j++) if (ops.get(j) instanceof Op.Checkpoint) end = j;
            if (end < 0) continue;
            starts[i + 1] = between(function, i + 1, end);
            any = true;
        }
        return any ? starts : null;
    }

    private static CheckpointedSegment between(IrFunction function, int first, int last) {
        List<Op> ops = function.ops();
        BitSet entering = new BitSet(), leaving = new BitSet();
        for (int i = first; i <= last; i++) for (int operand : ops.get(i).operands()) if (operand < first) entering.set(operand);
        for (int i = last + 1; i < ops.size(); i++) for (int operand : ops.get(i).operands()) if (operand >= first && operand <= last) leaving.set(operand);
        for (int output : function.outputs().values()) if (output >= first && output <= last) leaving.set(output);
        return new CheckpointedSegment(first, last, entering.stream().toArray(), leaving.stream().toArray());
    }

    /**
     * Runs the segment of {@code root} into {@code frame} unrecorded, and records it as one
     * checkpointed entry (which the tape skips when no input needs a gradient).
     */
    void run(MaterializedFrame frame, IrRootNode root) {
        List<Tensor> inputs = read(frame, entering);
        Tape.withoutRecording(() -> root.run(frame, first, last));
        List<Tensor> outputs = read(frame, leaving);
        for (int k = 0; k < outputs.size(); k++) {
            Tensor output = outputs.get(k);
            // an op that handed an operand back unchanged: the tape needs the output as a tensor of its own
            if (inputs.stream().anyMatch(in -> in == output)) {
                outputs.set(k, output.copy());
                frame.setObject(leaving[k], outputs.get(k));
            }
        }
        Tape.recordSegment(inputs, outputs, (in, cotangents) -> recompute(in, cotangents, root));
    }

    /** The segment's VJP: the ops again on stand-ins for the inputs, under a nested tape, and back from the cotangents. */
    private Tensor[] recompute(List<Tensor> inputs, Tensor[] cotangents, IrRootNode root) {
        MaterializedFrame frame = Truffle.getRuntime().createMaterializedFrame(new Object[0], root.getFrameDescriptor());
        List<Tensor> standIns = new ArrayList<>();
        for (int k = 0; k < entering.length; k++) {
            Tensor input = inputs.get(k);
            // the same storage under a fresh identity: the nested tape's own leaf
            Tensor standIn = input.requiresGrad() ? input.reshape(input.shape()).requiresGrad(true) : input;
            standIns.add(standIn);
            frame.setObject(entering[k], standIn);
        }
        try (Tape nested = Tape.open()) {
            root.run(frame, first, last);
            return nested.gradients(read(frame, leaving), cotangents, standIns);
        }
    }

    private static List<Tensor> read(MaterializedFrame frame, int[] slots) {
        List<Tensor> out = new ArrayList<>(slots.length);
        for (int slot : slots) out.add((Tensor) frame.getObject(slot));
        return out;
    }
}
