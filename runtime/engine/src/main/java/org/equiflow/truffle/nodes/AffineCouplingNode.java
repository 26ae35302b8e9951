package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.AffineCoupling;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** The affine coupling update x·exp(s) + t on the active sites, x elsewhere, in one kernel. */
@NodeInfo(shortName = "AffineCoupling")
public final class AffineCouplingNode extends OpNode {
    private static final AffineCoupling PRIMITIVE = new AffineCoupling();
    private final int x, s, t, active;

    public AffineCouplingNode(int slot, int x, int s, int t, int active) {
        super(slot);
        this.x = x;
        this.s = s;
        this.t = t;
        this.active = active;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) {
        return launch(read(frame, x), read(frame, s), read(frame, t), read(frame, active));
    }

    @TruffleBoundary
    private static Tensor launch(Tensor x, Tensor s, Tensor t, Tensor active) { return Ops.apply(PRIMITIVE, x, s, t, active); }
}
