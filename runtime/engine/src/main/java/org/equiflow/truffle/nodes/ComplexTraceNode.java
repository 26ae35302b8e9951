package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.ComplexTrace;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** (Re tr, Im tr) of each site's complex N×N matrices: the gauge-invariant numbers of SU(N) loops. */
@NodeInfo(shortName = "ComplexTrace")
public final class ComplexTraceNode extends OpNode {
    private final ComplexTrace primitive;
    private final int operand;

    public ComplexTraceNode(int slot, int n, int operand) {
        super(slot);
        this.primitive = new ComplexTrace(n);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return trace(primitive, read(frame, operand)); }

    @TruffleBoundary
    private static Tensor trace(ComplexTrace primitive, Tensor a) { return Ops.apply(primitive, a); }
}
