package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** A periodic convolution of a conditioner net, with its bias when it has one. */
@NodeInfo(shortName = "Conv")
public final class ConvNode extends OpNode {
    private final int operand, weight, bias;

    public ConvNode(int slot, int operand, int weight, int bias) {
        super(slot);
        this.operand = operand;
        this.weight = weight;
        this.bias = bias;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) {
        return bias < 0 ? conv(read(frame, operand), read(frame, weight), null)
                : conv(read(frame, operand), read(frame, weight), read(frame, bias));
    }

    @TruffleBoundary
    private static Tensor conv(Tensor x, Tensor w, Tensor b) { return b == null ? Ops.conv(x, w) : Ops.conv(x, w, b); }
}
