package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.MatrixExponential;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** exp(X) of each site's complex N×N matrices: the group step U ← exp(εZ)·U of a gradient flow. */
@NodeInfo(shortName = "MatrixExponential")
public final class MatrixExponentialNode extends OpNode {
    private final MatrixExponential primitive;
    private final int operand;

    public MatrixExponentialNode(int slot, int n, int operand) {
        super(slot);
        this.primitive = new MatrixExponential(n);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return exponential(primitive, read(frame, operand)); }

    @TruffleBoundary
    private static Tensor exponential(MatrixExponential primitive, Tensor a) { return Ops.apply(primitive, a); }
}
