package org.equiflow.truffle;

import com.oracle.truffle.api.CallTarget;
import java.util.ArrayList;
import java.util.List;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.Activation;
import org.equiflow.tensor.Conditioner;
import org.equiflow.tensor.ConvAct;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Spline;
import org.equiflow.tensor.SplineGradient;
import org.equiflow.tensor.SplineInverse;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.AffineCouplingNode;
import org.equiflow.truffle.nodes.SplineNode;
import org.equiflow.truffle.nodes.BinaryNode;
import org.equiflow.truffle.nodes.ComplexMatMulNode;
import org.equiflow.truffle.nodes.ComplexTraceNode;
import org.equiflow.truffle.nodes.SuThreeEigenphasesNode;
import org.equiflow.truffle.nodes.AlgebraProjectionNode;
import org.equiflow.truffle.nodes.MatrixExponentialNode;
import org.equiflow.truffle.nodes.ConcatChannelsNode;
import org.equiflow.truffle.nodes.ConditionerNode;
import org.equiflow.truffle.nodes.ConvActNode;
import org.equiflow.truffle.nodes.ConstNode;
import org.equiflow.truffle.nodes.ConvNode;
import org.equiflow.truffle.nodes.InputNode;
import org.equiflow.truffle.nodes.MaskNode;
import org.equiflow.truffle.nodes.OpNode;
import org.equiflow.truffle.nodes.ParamNode;
import org.equiflow.truffle.nodes.RollNode;
import org.equiflow.truffle.nodes.SliceChannelsNode;
import org.equiflow.truffle.nodes.SumSitesNode;
import org.equiflow.truffle.nodes.UnaryNode;
import org.equiflow.truffle.nodes.Parameters;

/** The one place where IR becomes Truffle nodes: each op to the node of the same name. */
public final class IrTranslator {
    private IrTranslator() {}

    public static CallTarget translate(IrFunction function, Parameters parameters, DType dtype) {
        List<OpNode> nodes = new ArrayList<>();
        int inputPosition = 0;
        for (Op op : function.ops()) {
            nodes.add(switch (op) {
                case Op.Input in -> new InputNode(in.id(), inputPosition++);
                case Op.Param p -> new ParamNode(p.id(), parameters, p.name());
                case Op.Const c -> new ConstNode(c.id(), Tensor.full(Shape.scalar(), dtype, c.value()));
                case Op.Mask m -> new MaskNode(m.id(), mask(m, dtype));
                case Op.Unary u -> new UnaryNode(u.id(), u.fn(), u.parameter(), u.operand());
                case Op.Binary b -> new BinaryNode(b.id(), b.fn(), b.left(), b.right());
                case Op.Roll r -> new RollNode(r.id(), r.operand(), r.axis(), r.shift());
                case Op.SumSites s -> new SumSitesNode(s.id(), s.operand());
                case Op.SliceChannels s -> new SliceChannelsNode(s.id(), s.operand(), s.from(), s.to());
                case Op.ConcatChannels c -> new ConcatChannelsNode(c.id(), c.parts().stream().mapToInt(Integer::intValue).toArray());
                case Op.Conv c -> new ConvNode(c.id(), c.operand(), c.weight(), c.bias());
                case Op.ConvAct c -> new ConvActNode(c.id(), c.operand(), c.weight(), c.bias(), activation(c.activation()), c.slope());
                case Op.Conditioner c -> new ConditionerNode(c.id(), c.operands().stream().mapToInt(Integer::intValue).toArray(),
                        new Conditioner(c.stages().stream().map(st -> new Conditioner.Stage(
                                new ConvAct(activation(st.activation()), st.slope()), st.bias() >= 0)).toList(), c.activeSites() >= 0));
                case Op.AffineCoupling a -> new AffineCouplingNode(a.id(), a.x(), a.s(), a.t(), a.active());
                case Op.ComplexMatMul m -> new ComplexMatMulNode(m.id(), m.n(), m.left(), m.right(), m.adjointLeft(), m.adjointRight());
                case Op.ComplexTrace t -> new ComplexTraceNode(t.id(), t.n(), t.operand());
                case Op.SuThreeEigenphases e -> new SuThreeEigenphasesNode(e.id(), e.matrix());
                case Op.Checkpoint c -> new org.equiflow.truffle.nodes.CheckpointNode(c.id(), c.operand());
                case Op.AlgebraProjection a -> new AlgebraProjectionNode(a.id(), a.n(), a.operand());
                case Op.MatrixExponential e -> new MatrixExponentialNode(e.id(), e.n(), e.operand());
                case Op.SplineTransform s -> new SplineNode(s.id(), new Spline(s.bins(), s.bound(), SplineGradient.Quantity.TRANSFORM, s.learnedEnds(),
                        s.activeSites() >= 0), s.x(), s.params(), s.activeSites());
                case Op.SplineLogDerivative s -> new SplineNode(s.id(), new Spline(s.bins(), s.bound(), SplineGradient.Quantity.LOG_DERIVATIVE,
                        s.learnedEnds(), s.activeSites() >= 0), s.x(), s.params(), s.activeSites());
                case Op.SplineWithLogDerivative s -> new SplineNode(s.id(), new Spline(s.bins(), s.bound(),
                        SplineGradient.Quantity.TRANSFORM_AND_LOG_DERIVATIVE, s.learnedEnds(), s.activeSites() >= 0), s.x(), s.params(), s.activeSites());
                case Op.SplineInverse s -> new SplineNode(s.id(), new SplineInverse(s.bins(), s.bound(), s.learnedEnds()), s.y(), s.params());
            });
        }
        int[] outputs = function.outputs().values().stream().mapToInt(Integer::intValue).toArray();
        var root = new IrRootNode(null, IrRootNode.frameFor(function.ops().size()), nodes.toArray(OpNode[]::new), outputs,
                deadAfter(function), function.name(), CheckpointedSegment.of(function));
        return root.getCallTarget();
    }

    /** Per op (in order, op i in slot i), the values whose last reader it is; a value no op reads dies after its own op. Outputs live on. */
    static int[][] deadAfter(IrFunction function) {
        int n = function.ops().size();
        int[] lastReader = new int[n];
        for (int v = 0; v < n; v++) lastReader[v] = v;
        for (Op op : function.ops()) for (int operand : op.operands()) lastReader[operand] = Math.max(lastReader[operand], op.id());
        java.util.Set<Integer> outputs = new java.util.HashSet<>(function.outputs().values());
        List<List<Integer>> dead = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) dead.add(new java.util.ArrayList<>());
        for (int v = 0; v < n; v++) if (!outputs.contains(v)) dead.get(lastReader[v]).add(v);
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) out[i] = dead.get(i).stream().mapToInt(Integer::intValue).toArray();
        return out;
    }

    /** The activations the fusion passes put after a convolution (IDENTITY: a conditioner's plain conv). */
    private static Activation activation(Op.UnaryFn fn) {
        return switch (fn) {
            case TANH -> Activation.TANH;
            case LEAKY_RELU -> Activation.LEAKY_RELU;
            case IDENTITY -> Activation.IDENTITY;
            default -> throw new IllegalStateException("internal error, please report: no fused convolution ends in " + fn);
        };
    }

    private static Tensor mask(Op.Mask m, DType dtype) {
        int[] lattice = m.type().lattice().stream().mapToInt(Integer::intValue).toArray();
        Tensor t = Tensor.zeros(new Shape(1, 1, lattice), dtype);
        for (int i = 0; i < m.pattern().length; i++) t.set(i, m.pattern()[i] ? 1 : 0);
        return t;
    }
}
