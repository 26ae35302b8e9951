package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Spline;
import org.equiflow.tensor.SplineInverse;
import org.equiflow.tensor.Tensor;

/**
 * A rational-quadratic spline of a field, x and its raw parameters in: the transform itself
 * or its per-site log-derivative ({@link Spline}), or its
 * inverse ({@link SplineInverse}, y in).
 */
@NodeInfo(shortName = "Spline")
public final class SplineNode extends OpNode {
    private final Primitive primitive;
    private final int x, params, activeSites;

    /** {@code activeSites}: the slot of the spline's mask when the primitive is masked, −1 otherwise. */
    public SplineNode(int slot, Spline primitive, int x, int params, int activeSites) {
        this(slot, (Primitive) primitive, x, params, activeSites);
    }

    public SplineNode(int slot, SplineInverse primitive, int y, int params) {
        this(slot, (Primitive) primitive, y, params, -1);
    }

    private SplineNode(int slot, Primitive primitive, int x, int params, int activeSites) {
        super(slot);
        this.primitive = primitive;
        this.x = x;
        this.params = params;
        this.activeSites = activeSites;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) {
        return launch(primitive, read(frame, x), read(frame, params), activeSites < 0 ? null : read(frame, activeSites));
    }

    @TruffleBoundary
    private static Tensor launch(Primitive primitive, Tensor x, Tensor params, Tensor mask) {
        return mask == null ? Ops.apply(primitive, x, params) : Ops.apply(primitive, x, params, mask);
    }
}
