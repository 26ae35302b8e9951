package org.equiflow.truffle.nodes;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.frame.VirtualFrame;
import com.oracle.truffle.api.nodes.NodeInfo;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.UnaryOp;

/** An elementwise function of one tensor. */
@NodeInfo(shortName = "Unary")
public final class UnaryNode extends OpNode {
    /** The tensor primitive; null for IDENTITY, which passes its operand on. */
    private final UnaryOp primitive;
    private final int operand;

    public UnaryNode(int slot, Op.UnaryFn fn, double parameter, int operand) {
        super(slot);
        this.primitive = fn == Op.UnaryFn.IDENTITY ? null : primitive(fn, parameter);
        this.operand = operand;
    }

    @Override
    protected Tensor compute(VirtualFrame frame) { return apply(primitive, read(frame, operand)); }

    @TruffleBoundary
    private static Tensor apply(UnaryOp primitive, Tensor x) { return primitive == null ? x : Ops.apply(primitive, x); }

    /**
     * The runtime primitive of each elementwise op of the IR, with the op's parameter: the one
     * map from the IR's functions to the tensor's, whose records carry kernel and gradient.
     */
    public static UnaryOp primitive(Op.UnaryFn fn, double parameter) {
        return switch (fn) {
            case NEG -> new UnaryOp.Neg();
            case EXP -> new UnaryOp.Exp();
            case LOG -> new UnaryOp.Log();
            case TANH -> new UnaryOp.Tanh();
            case SIGMOID -> new UnaryOp.Sigmoid();
            case ABS -> new UnaryOp.Abs();
            case SIN -> new UnaryOp.Sin();
            case COS -> new UnaryOp.Cos();
            case SQUARE -> new UnaryOp.Square();
            case POW_INT -> new UnaryOp.PowInt((int) parameter);
            case LEAKY_RELU -> new UnaryOp.LeakyRelu(parameter);
            case MUL_SCALAR -> new UnaryOp.MulScalar(parameter);
            case ADD_SCALAR -> new UnaryOp.AddScalar(parameter);
            case TAN -> new UnaryOp.Tan();
            case ATAN -> new UnaryOp.Atan();
            case WRAP_ANGLE -> new UnaryOp.WrapAngle();
            case IDENTITY -> throw new IllegalArgumentException("identity is no primitive: the node passes its operand on");
        };
    }
}
