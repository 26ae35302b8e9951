package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.SuThreeEigenphases;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** The alcove eigenphases of SU(3) matrices: what the SU(3) spectral coupling transforms. */
@NodeInfo(shortName = "SuThreeEigenphases")
public final class SuThreeEigenphasesNode extends OpNode {
    private static final SuThreeEigenphases PRIMITIVE = new SuThreeEigenphases();
    private final int matrix;

    public SuThreeEigenphasesNode(int slot, int matrix) {
        super(slot);
        this.matrix = matrix;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return eigenphases(read(frame, matrix)); }

    @TruffleBoundary
    private static Tensor eigenphases(Tensor m) { return Ops.apply(PRIMITIVE, m); }
}
