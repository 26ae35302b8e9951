package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.ComplexMatMul;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** Site-wise products op(A)·op(B) of complex N×N matrices (SU(N) links and loops), † where flagged. */
@NodeInfo(shortName = "ComplexMatMul")
public final class ComplexMatMulNode extends OpNode {
    private final ComplexMatMul primitive;
    private final int left, right;

    public ComplexMatMulNode(int slot, int n, int left, int right, boolean adjointLeft, boolean adjointRight) {
        super(slot);
        this.primitive = new ComplexMatMul(n, adjointLeft, adjointRight);
        this.left = left;
        this.right = right;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return multiply(primitive, read(frame, left), read(frame, right)); }

    @TruffleBoundary
    private static Tensor multiply(ComplexMatMul primitive, Tensor a, Tensor b) { return Ops.apply(primitive, a, b); }
}
