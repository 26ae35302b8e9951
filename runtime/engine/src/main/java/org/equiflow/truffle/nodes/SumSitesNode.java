package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** The sum over channels and sites: one number per configuration (an action, a log-density). */
@NodeInfo(shortName = "SumSites")
public final class SumSitesNode extends OpNode {
    private final int operand;

    public SumSitesNode(int slot, int operand) {
        super(slot);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return sum(read(frame, operand)); }

    @TruffleBoundary
    private static Tensor sum(Tensor x) { return Ops.sumPerConfiguration(x); }
}
