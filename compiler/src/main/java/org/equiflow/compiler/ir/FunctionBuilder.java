package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends ops to a function under construction, numbering them and inferring their types. Public
 * for the coupling layers ({@code org.equiflow.compiler.layers}), which lower themselves with it.
 */
public final class FunctionBuilder {
    private final String name;
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, Integer> outputs = new LinkedHashMap<>();

    /** An empty function; the lowering builds every function of a program this way, tests build pieces of layers with it. */
    public FunctionBuilder(String name) { this.name = name; }

    private int next() { return ops.size(); }

    private int add(Op op) {
        ops.add(op);
        return op.id();
    }

    public IrType type(int id) { return ops.get(id).type(); }

    public int input(String inputName, IrType type) { return add(new Op.Input(next(), inputName, type)); }

    public int param(String paramName, IrType type, double initBound) { return add(new Op.Param(next(), paramName, type, initBound)); }

    public int constant(double value) { return add(new Op.Const(next(), value, IrType.SCALAR)); }

    public int mask(String maskName, List<Integer> lattice, boolean[] pattern) {
        return add(new Op.Mask(next(), maskName, IrType.field(1, lattice).withBatched(false), pattern));
    }

    public int unary(Op.UnaryFn fn, int operand) { return unary(fn, 0, operand); }

    public int unary(Op.UnaryFn fn, double parameter, int operand) {
        return add(new Op.Unary(next(), fn, parameter, operand, type(operand)));
    }

    public int binary(Op.BinaryFn fn, int left, int right) {
        IrType t = IrType.broadcast(type(left), type(right));
        if (t == null) throw new IllegalStateException("cannot broadcast " + type(left) + " with " + type(right) + " in " + name);
        return add(new Op.Binary(next(), fn, left, right, t));
    }

    public int add(int a, int b) { return binary(Op.BinaryFn.ADD, a, b); }

    public int mul(int a, int b) { return binary(Op.BinaryFn.MUL, a, b); }

    public int sub(int a, int b) { return binary(Op.BinaryFn.SUB, a, b); }

    public int roll(int operand, int axis, int shift) { return add(new Op.Roll(next(), operand, axis, shift, type(operand))); }

    /** The field read at a displaced site, out[x] = in[x + shift]: a roll by −shift along every axis it moves. */
    public int shifted(int operand, int[] shift) {
        for (int axis = 0; axis < shift.length; axis++) if (shift[axis] != 0) operand = roll(operand, axis, -shift[axis]);
        return operand;
    }

    public int sumSites(int operand) { return add(new Op.SumSites(next(), operand, IrType.PER_CONFIG)); }

    public int slice(int operand, int from, int to) {
        IrType t = type(operand);
        var dims = new ArrayList<>(t.dims());
        dims.set(0, to - from);
        return add(new Op.SliceChannels(next(), operand, from, to, new IrType(t.batched(), dims)));
    }

    public int concat(List<Integer> parts) {
        IrType first = type(parts.getFirst());
        int channels = parts.stream().mapToInt(p -> type(p).channels()).sum();
        var dims = new ArrayList<>(first.dims());
        dims.set(0, channels);
        return add(new Op.ConcatChannels(next(), parts, new IrType(first.batched(), dims)));
    }

    public int div(int a, int b) { return binary(Op.BinaryFn.DIV, a, b); }

    public int conv(int operand, int weight, int bias) {
        IrType x = type(operand);
        int out = type(weight).dims().get(0);
        return add(new Op.Conv(next(), operand, weight, bias, IrType.field(out, x.lattice())));
    }

    /** op(left)·op(right) of the site-wise complex n×n matrices of two fields of one type, † where the flag is set. */
    public int complexMatMul(int n, int left, int right, boolean adjointLeft, boolean adjointRight) {
        if (!type(left).equals(type(right))) throw new IllegalStateException("complex matrix product of " + type(left) + " and " + type(right) + " in " + name);
        return add(new Op.ComplexMatMul(next(), n, left, right, adjointLeft, adjointRight, type(left)));
    }

    /** (Re tr, Im tr) of each site's complex n×n matrices. */
    public int complexTrace(int n, int operand) {
        IrType t = type(operand);
        var dims = new ArrayList<>(t.dims());
        dims.set(0, 2 * (t.channels() / (2 * n * n)));
        return add(new Op.ComplexTrace(next(), n, operand, new IrType(t.batched(), dims)));
    }

    /** The traceless anti-Hermitian part (for n = 1 the anti-Hermitian part) of each site's complex n×n matrices. */
    public int algebraProjection(int n, int operand) {
        return add(new Op.AlgebraProjection(next(), n, operand, type(operand)));
    }

    /** exp(X) of each site's complex n×n matrices. */
    public int matrixExponential(int n, int operand) {
        return add(new Op.MatrixExponential(next(), n, operand, type(operand)));
    }

    /** A checkpoint of {@code operand} ({@link Op.Checkpoint}): the same value; with {@code opensSegment} the ops up to the next checkpoint are recomputed in reverse mode. */
    public int checkpoint(int operand, boolean opensSegment) {
        return add(new Op.Checkpoint(next(), operand, opensSegment, type(operand)));
    }

    /** The alcove eigenphases (θ₁, θ₂, θ₃) of SU(3) matrices (18 channels → 3). */
    public int suThreeEigenphases(int matrix) {
        IrType t = type(matrix);
        var dims = new ArrayList<>(t.dims());
        dims.set(0, 3);
        return add(new Op.SuThreeEigenphases(next(), matrix, new IrType(t.batched(), dims)));
    }

    public int splineTransform(int x, int params, int bins, double bound) {
        return splineTransform(x, params, bins, bound, false);
    }

    public int splineLogDerivative(int x, int params, int bins, double bound) {
        return splineLogDerivative(x, params, bins, bound, false);
    }

    public int splineInverse(int y, int params, int bins, double bound) {
        return splineInverse(y, params, bins, bound, false);
    }

    /** {@code learnedEnds}: the last raw parameter is the slope shared by both end knots (3·bins in all). */
    public int splineTransform(int x, int params, int bins, double bound, boolean learnedEnds) {
        return splineTransform(x, params, bins, bound, learnedEnds, -1);
    }

    public int splineLogDerivative(int x, int params, int bins, double bound, boolean learnedEnds) {
        return splineLogDerivative(x, params, bins, bound, learnedEnds, -1);
    }

    /** {@code activeSites}: the mask off whose sites the spline is the identity (its log-derivative 0), −1 for none. */
    public int splineTransform(int x, int params, int bins, double bound, boolean learnedEnds, int activeSites) {
        return add(new Op.SplineTransform(next(), x, params, bins, bound, type(x), learnedEnds, activeSites));
    }

    public int splineLogDerivative(int x, int params, int bins, double bound, boolean learnedEnds, int activeSites) {
        return add(new Op.SplineLogDerivative(next(), x, params, bins, bound, type(x), learnedEnds, activeSites));
    }

    /** y and log dy/dx of the spline as two channels, in one op ({@link Op.SplineWithLogDerivative}). */
    public int splineWithLogDerivative(int x, int params, int bins, double bound, boolean learnedEnds, int activeSites) {
        IrType t = type(x);
        var dims = new ArrayList<>(t.dims());
        dims.set(0, 2);
        return add(new Op.SplineWithLogDerivative(next(), x, params, bins, bound, new IrType(t.batched(), dims), learnedEnds, activeSites));
    }

    public int splineInverse(int y, int params, int bins, double bound, boolean learnedEnds) {
        return add(new Op.SplineInverse(next(), y, params, bins, bound, type(y), learnedEnds));
    }

    public void output(String outputName, int id) { outputs.put(outputName, id); }

    public IrFunction build() { return new IrFunction(name, ops, outputs); }
}
