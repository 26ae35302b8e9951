package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives;
import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.ExplodeLoop;
import com.oracle.truffle.api.nodes.NodeInfo;
import java.util.List;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.Conditioner;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/**
 * A coupling's conditioner network. On the CPU in float32 it runs as one {@link Conditioner}
 * kernel, forward and (on a tape) backward, with configurations in the vector lanes; elsewhere
 * (float64, OpenCL, {@code -Dequiflow.conditioner.lanes=false}) as the chain of
 * {@link ConvAct}s, whose intermediates a backward pass reuses.
 */
@NodeInfo(shortName = "Conditioner")
public final class ConditionerNode extends OpNode {
    /** x, each stage's weight and bias (if any), then the mask (if any), as the primitive takes them. */
    @CompilerDirectives.CompilationFinal(dimensions = 1) private final int[] operands;
    private final Conditioner primitive;

    public ConditionerNode(int slot, int[] operands, Conditioner primitive) {
        super(slot);
        this.operands = operands;
        this.primitive = primitive;
    }

    @Override
    @ExplodeLoop
    protected Tensor compute(VirtualFrame frame) {
        Tensor[] tensors = new Tensor[operands.length];
        for (int k = 0; k < operands.length; k++) tensors[k] = read(frame, operands[k]);
        return launch(primitive, tensors);
    }

    @TruffleBoundary
    private static Tensor launch(Conditioner primitive, Tensor[] tensors) {
        if (inOneKernel(tensors)) return Ops.apply(primitive, List.of(tensors));
        List<Tensor> inputs = List.of(tensors);
        Tensor h = tensors[0];
        for (int i = 0; i < primitive.stages().size(); i++) {
            h = Ops.apply(primitive.stages().get(i).convAct(), primitive.stageOperands(inputs, i, h));
        }
        return h;
    }

    private static boolean inOneKernel(Tensor[] tensors) {
        return Backends.current().computesOnHostThreads() && Conditioner.lanesApply(tensors[0]);
    }
}
