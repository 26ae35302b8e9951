package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Activation;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** A convolution, its bias and its activation in one kernel launch. */
@NodeInfo(shortName = "ConvAct")
public final class ConvActNode extends OpNode {
    private final int operand, weight, bias;
    private final ConvAct primitive;

    public ConvActNode(int slot, int operand, int weight, int bias, Activation activation, double slope) {
        super(slot);
        this.operand = operand;
        this.weight = weight;
        this.bias = bias;
        this.primitive = new ConvAct(activation, slope);
    }

    @Override
    protected Tensor compute(VirtualFrame frame) {
        return bias < 0 ? launch(primitive, read(frame, operand), read(frame, weight), null)
                : launch(primitive, read(frame, operand), read(frame, weight), read(frame, bias));
    }

    @TruffleBoundary
    private static Tensor launch(ConvAct p, Tensor x, Tensor w, Tensor b) {
        return b == null ? Ops.apply(p, x, w) : Ops.apply(p, x, w, b);
    }
}
