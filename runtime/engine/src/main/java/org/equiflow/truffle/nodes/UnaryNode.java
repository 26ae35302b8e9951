package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/** An elementwise function of one tensor. */
@NodeInfo(shortName = "Unary")
public final class UnaryNode extends OpNode {
    private final Op.UnaryFn fn;
    private final double parameter;
    private final int operand;

    public UnaryNode(int slot, Op.UnaryFn fn, double parameter, int operand) {
        super(slot);
        this.fn = fn;
        this.parameter = parameter;
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return apply(fn, parameter, read(frame, operand)); }

    @TruffleBoundary
    static Tensor apply(Op.UnaryFn fn, double parameter, Tensor x) {
        return switch (fn) {
            case NEG -> Ops.neg(x);
            case EXP -> Ops.exp(x);
            case LOG -> Ops.log(x);
            case TANH -> Ops.tanh(x);
            case SIGMOID -> Ops.sigmoid(x);
            case ABS -> Ops.abs(x);
            case SIN -> Ops.sin(x);
            case COS -> Ops.cos(x);
            case SQUARE -> Ops.square(x);
            case POW_INT -> Ops.pow(x, (int) parameter);
            case LEAKY_RELU -> Ops.leakyRelu(x, parameter);
            case RELU -> Ops.leakyRelu(x, 0);
            case MUL_SCALAR -> Ops.mulScalar(x, parameter);
            case ADD_SCALAR -> Ops.addScalar(x, parameter);
            case IDENTITY -> x;
            case TAN -> Ops.tan(x);
            case ATAN -> Ops.atan(x);
            case WRAP_ANGLE -> Ops.wrapAngle(x);
            case SINH, COSH, SQRT, SOFTPLUS -> throw new IllegalStateException(
                    "internal error, please report: " + fn + " reached the runtime, but lowering never emits it");
        };
    }
}
