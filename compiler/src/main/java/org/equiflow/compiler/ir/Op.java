package org.equiflow.compiler.ir;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.equiflow.compiler.model.ElementwiseFunction;

/**
 * One operation of the IR: a value in static single assignment form, numbered by {@code id}
 * within its function, whose operands are earlier ids. The set is closed and mirrors the
 * runtime's tensor primitives one to one (each has a Truffle node of the same name), plus the
 * leaves: inputs, parameters, constants and masks.
 */
public sealed interface Op {
    int id();

    IrType type();

    List<Integer> operands();

    /** A function argument, e.g. the latent z of a flow. */
    record Input(int id, String name, IrType type) implements Op {
        public List<Integer> operands() { return List.of(); }
    }

    /**
     * A trainable tensor with its initialisation: {@code uniform(±bound)}, PyTorch's default for
     * convolutions (bound = 1/√fan_in).
     */
    record Param(int id, String name, IrType type, double initBound) implements Op {
        public List<Integer> operands() { return List.of(); }
    }

    /** A scalar constant (a coupling such as m2, a number of the action). */
    record Const(int id, double value, IrType type) implements Op {
        public List<Integer> operands() { return List.of(); }
    }

    /** A 0/1 lattice pattern [1, L0, L1, …], e.g. the frozen sites of a checkerboard; row-major. */
    record Mask(int id, String name, IrType type, boolean[] pattern) implements Op {
        public List<Integer> operands() { return List.of(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Mask m && m.id == id && m.name.equals(name) && java.util.Arrays.equals(m.pattern, pattern);
        }

        @Override
        public int hashCode() { return id * 31 + java.util.Arrays.hashCode(pattern); }
    }

    /** An elementwise function; {@code parameter} is the slope, exponent or scalar where the function has one. */
    record Unary(int id, UnaryFn fn, double parameter, int operand, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /** Elementwise arithmetic with broadcasting. */
    record Binary(int id, BinaryFn fn, int left, int right, IrType type) implements Op {
        public List<Integer> operands() { return List.of(left, right); }
    }

    /** Periodic shift along lattice axis {@code axis}: out[x] = in[x − shift·ê]. */
    record Roll(int id, int operand, int axis, int shift, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /** Sum over channels and sites: one number per configuration. */
    record SumSites(int id, int operand, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /** Channels [from, to) of a field. */
    record SliceChannels(int id, int operand, int from, int to, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /** The fields {@code parts} stacked along the channel axis, in order (the conditioner input (cos P, sin P), updated links). */
    record ConcatChannels(int id, List<Integer> parts, IrType type) implements Op {
        public ConcatChannels { parts = List.copyOf(parts); }

        public List<Integer> operands() { return parts; }
    }

    /** Periodic convolution (circular padding, odd kernel, stride 1); bias is −1 when absent. */
    record Conv(int id, int operand, int weight, int bias, IrType type) implements Op {
        public List<Integer> operands() { return bias < 0 ? List.of(operand, weight) : List.of(operand, weight, bias); }
    }

    /**
     * A convolution with its activation fused in one kernel (produced by {@link Fusion});
     * {@code activation} is LEAKY_RELU (with {@code slope}) or TANH.
     */
    record ConvAct(int id, int operand, int weight, int bias, UnaryFn activation, double slope, IrType type) implements Op {
        public List<Integer> operands() { return bias < 0 ? List.of(operand, weight) : List.of(operand, weight, bias); }
    }

    /**
     * A coupling's conditioner network in one op (produced by {@link ConditionerFusion}): the
     * chain of convolutions with their activations {@code stages}, applied to {@code operand},
     * the same value as the chain of {@link ConvAct}s. With {@code activeSites} a mask op, nothing
     * reads the result off that mask's sites (every use is masked by it), so a kernel may compute
     * only those sites and leave any finite value elsewhere; −1: every site is read.
     */
    record Conditioner(int id, int operand, List<Stage> stages, int activeSites, IrType type) implements Op {
        /** One convolution of the chain and its activation, as in {@link ConvAct}, or IDENTITY for a plain {@link Conv}. */
        public record Stage(int weight, int bias, UnaryFn activation, double slope) {
        }

        public Conditioner {
            stages = List.copyOf(stages);
        }

        public List<Integer> operands() {
            var operands = new java.util.ArrayList<Integer>();
            operands.add(operand);
            for (Stage stage : stages) {
                operands.add(stage.weight());
                if (stage.bias() >= 0) operands.add(stage.bias());
            }
            if (activeSites >= 0) operands.add(activeSites);
            return operands;
        }
    }

    /**
     * The affine coupling update in one kernel (produced by {@link Fusion}): x on frozen sites,
     * x·exp(s) + t on the sites of the {@code active} mask.
     */
    record AffineCoupling(int id, int x, int s, int t, int active, IrType type) implements Op {
        public List<Integer> operands() { return List.of(x, s, t, active); }
    }

    /**
     * The rational-quadratic spline of every site of the one-channel field {@code x} on
     * [−bound, bound] (identity outside), with the 3·bins − 1 raw parameters per site of
     * {@code params}; the coupling keeps frozen sites itself. With {@code learnedEnds} the
     * slope at both end knots is learned and shared (the circular spline of arXiv:2002.02428):
     * one more raw parameter, 3·bins in all, the last. With {@code activeSites} a mask op the
     * sites off that mask are treated like the tails, identity (a coupling that updates only the
     * mask's sites reads nothing else, so the kernel evaluates the spline on those alone and the
     * parameters' gradient is 0 elsewhere); −1: every site.
     */
    record SplineTransform(int id, int x, int params, int bins, double bound, IrType type, boolean learnedEnds, int activeSites) implements Op {
        /** The spline with unit end slopes. */
        public SplineTransform(int id, int x, int params, int bins, double bound, IrType type) { this(id, x, params, bins, bound, type, false, -1); }
        public List<Integer> operands() { return splineOperands(x, params, activeSites); }
    }

    /**
     * log dy/dx of the {@link SplineTransform} with the same operands, at every site (0 outside
     * [−bound, bound] and off {@code activeSites}).
     */
    record SplineLogDerivative(int id, int x, int params, int bins, double bound, IrType type, boolean learnedEnds, int activeSites) implements Op {
        /** The spline with unit end slopes. */
        public SplineLogDerivative(int id, int x, int params, int bins, double bound, IrType type) { this(id, x, params, bins, bound, type, false, -1); }
        public List<Integer> operands() { return splineOperands(x, params, activeSites); }
    }

    /**
     * A coupling's {@link SplineTransform} and {@link SplineLogDerivative} with the same operands in
     * one op, y and log dy/dx as the two channels of its result [B, 2, L…]: one pass forward and
     * one backward for both.
     */
    record SplineWithLogDerivative(int id, int x, int params, int bins, double bound, IrType type, boolean learnedEnds, int activeSites)
            implements Op {
        public List<Integer> operands() { return splineOperands(x, params, activeSites); }
    }

    private static List<Integer> splineOperands(int x, int params, int activeSites) {
        return activeSites < 0 ? List.of(x, params) : List.of(x, params, activeSites);
    }

    /**
     * The inverse of the {@link SplineTransform} with raw parameters {@code params}: the x with
     * spline(x) = y at every site of the one-channel field {@code y} (identity outside
     * [−bound, bound], which the spline maps onto itself).
     */
    record SplineInverse(int id, int y, int params, int bins, double bound, IrType type, boolean learnedEnds) implements Op {
        /** The spline with unit end slopes. */
        public SplineInverse(int id, int y, int params, int bins, double bound, IrType type) { this(id, y, params, bins, bound, type, false); }
        public List<Integer> operands() { return List.of(y, params); }
    }

    /**
     * Site-wise products of complex N×N matrices (SU(N) links and their loops), in the packed layout
     * [B, M·2N², L…] of the runtime's {@code ComplexMatMul}: channel m·2N² + 2(iN + j) + part, part 0
     * the real and 1 the imaginary part of entry (i, j) of matrix m. The result is
     * op(left)·op(right), op the conjugate transpose (†) where the flag is set.
     */
    record ComplexMatMul(int id, int n, int left, int right, boolean adjointLeft, boolean adjointRight, IrType type) implements Op {
        public List<Integer> operands() { return List.of(left, right); }
    }

    /** The trace of each site's complex N×N matrices: [B, M·2N², L…] → [B, M·2, L…], (Re tr, Im tr) per matrix. */
    record ComplexTrace(int id, int n, int operand, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /**
     * The traceless anti-Hermitian part of each site's complex N×N matrices, in the packed layout
     * of {@link ComplexMatMul} (type unchanged): TA(M) = ½(M − M†) − (1/2N)·tr(M − M†)·1, the
     * projection onto su(N) a gradient flow's Lie-algebra force is made of. For N = 1 the
     * traceless part would be zero, so there it is the anti-Hermitian part ½(M − M†) = i·Im M.
     */
    record AlgebraProjection(int id, int n, int operand, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /**
     * exp(X) of each site's complex N×N matrices, packed as {@link ComplexMatMul} (type unchanged):
     * with X in su(N) a group element, the step U ← exp(εZ)·U of a flow integrated on SU(N).
     */
    record MatrixExponential(int id, int n, int operand, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /**
     * The eigenphases of SU(3) matrices: [B, 18, L…] (packed complex 3×3) →
     * [B, 3, L…] (θ₁ ≥ θ₂ ≥ θ₃, sum 0, θ₁ − θ₃ ≤ 2π: the class's point on the Weyl alcove).
     */
    record SuThreeEigenphases(int id, int matrix, IrType type) implements Op {
        public List<Integer> operands() { return List.of(matrix); }
    }

    /**
     * The value of {@code operand} (identity), marking a point of a long computation where reverse
     * mode may drop what came before: the state of a gradient flow between integration steps. The
     * ops after a checkpoint that {@code opensSegment}, up to and including the next checkpoint,
     * form a segment that the runtime, under a tape, runs unrecorded and recomputes in its backward
     * pass (keeping only what enters it), so memory holds one segment's intermediates, not all.
     */
    record Checkpoint(int id, int operand, boolean opensSegment, IrType type) implements Op {
        public List<Integer> operands() { return List.of(operand); }
    }

    /**
     * The elementwise ops of the IR. One that computes a function of the language names its row
     * of {@link ElementwiseFunction}, and lowering emits it for that row (relu is leaky_relu with
     * slope 0, identity emits nothing); the rest are the IR's own (negation, scalar arithmetic,
     * the angles of U(1) couplings). The runtime maps each to its primitive once, in the engine.
     */
    enum UnaryFn {
        NEG, EXP(ElementwiseFunction.EXP), LOG(ElementwiseFunction.LOG), TANH(ElementwiseFunction.TANH),
        SIGMOID(ElementwiseFunction.SIGMOID), ABS(ElementwiseFunction.ABS), SIN(ElementwiseFunction.SIN),
        COS(ElementwiseFunction.COS), SQUARE(ElementwiseFunction.SQUARE), POW_INT,
        LEAKY_RELU(ElementwiseFunction.LEAKY_RELU), MUL_SCALAR, ADD_SCALAR,
        /** A fused convolution's stage without an activation. */
        IDENTITY,
        /** tan and atan: the non-compact projection of a circle, 2·atan(e^s·tan(θ/2)). */
        TAN, ATAN,
        /** The principal value of an angle, in [−π, π): arg of a U(1) phase. */
        WRAP_ANGLE;

        private final ElementwiseFunction computes;

        UnaryFn() { this(null); }

        UnaryFn(ElementwiseFunction computes) { this.computes = computes; }

        /** The function of the language this op computes; empty for the IR's own ops. */
        public Optional<ElementwiseFunction> computes() { return Optional.ofNullable(computes); }

        /** The op lowering emits for a function of the language; empty where none computes it. */
        public static Optional<UnaryFn> computing(ElementwiseFunction function) {
            return Arrays.stream(values()).filter(fn -> fn.computes == function).findFirst();
        }

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    enum BinaryFn {
        ADD, SUB, MUL, DIV;

        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }
}
