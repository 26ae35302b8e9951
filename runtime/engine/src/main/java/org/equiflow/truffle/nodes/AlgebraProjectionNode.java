package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.AlgebraProjection;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** The traceless anti-Hermitian part of each site's complex N×N matrices: a gradient flow's su(N) force. */
@NodeInfo(shortName = "AlgebraProjection")
public final class AlgebraProjectionNode extends OpNode {
    private final AlgebraProjection primitive;
    private final int operand;

    public AlgebraProjectionNode(int slot, int n, int operand) {
        super(slot);
        this.primitive = new AlgebraProjection(n);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return project(primitive, read(frame, operand)); }

    @TruffleBoundary
    private static Tensor project(AlgebraProjection primitive, Tensor a) { return Ops.apply(primitive, a); }
}
