package org.equiflow.truffle;

import com.oracle.truffle.api.CallTarget;
import java.util.List;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.nodes.Parameters;
import org.equiflow.prior.PriorSampler;

/**
 * A flow ready to run: the Truffle call targets of its IR functions sharing one parameter
 * store. The same trees serve training (with a tape open, gradients flow to the parameters),
 * sampling and HMC (the action's gradient gives the force).
 */
public final class CompiledFlow {
    private final IrProgram program;
    private final Parameters parameters;
    private final DType dtype;
    private final CallTarget flow, logPrior, action;
    /** The inverse flow, for `symmetrize z2` (null otherwise). */
    private final CallTarget inverse;
    private final PriorSampler prior;

    public CompiledFlow(IrProgram program, DType dtype, long seed) {
        this(program, dtype, Parameters.initialise(program.function(IrProgram.FLOW).orElseThrow().params(), dtype, seed));
    }

    private CompiledFlow(IrProgram program, DType dtype, Parameters parameters) {
        this.program = program;
        this.dtype = dtype;
        IrFunction flowFunction = program.function(IrProgram.FLOW).orElseThrow();
        this.parameters = parameters;
        this.flow = IrTranslator.translate(flowFunction, parameters, dtype);
        this.logPrior = IrTranslator.translate(program.function(IrProgram.LOG_PRIOR).orElseThrow(), parameters, dtype);
        this.action = IrTranslator.translate(program.function(IrProgram.ACTION).orElseThrow(), parameters, dtype);
        this.inverse = program.function(IrProgram.INVERSE).map(f -> IrTranslator.translate(f, parameters, dtype)).orElse(null);
        this.prior = new PriorSampler(program.model().prior(), program.model().theory().lattice(), program.model().theory().field());
    }

    /** A batch of latent configurations drawn exactly from the flow's prior. */
    public Tensor samplePrior(int batch, java.util.SplittableRandom random) {
        return prior.sample(fieldShape(batch), dtype, random);
    }

    public IrProgram program() { return program; }

    public Parameters parameters() { return parameters; }

    public DType dtype() { return dtype; }

    /** The latent/field shape for a batch: [B, C, L…]. */
    public Shape fieldShape(int batch) {
        return Parameters.shapeOfBatched(program.function(IrProgram.FLOW).orElseThrow().inputs().get(0).type(), batch);
    }

    /** The flow's forward map: z ↦ (x, log|det ∂x/∂z|). */
    public record Forward(Tensor x, Tensor logDet) {}

    public Forward forward(Tensor z) {
        Tensor[] out = (Tensor[]) flow.call(z);
        return new Forward(out[0], out[1]);
    }

    public Tensor logPrior(Tensor z) { return ((Tensor[]) logPrior.call(z))[0]; }

    /** Whether the flow is the Z2 self-mixture ½(q_f(φ) + q_f(−φ)) of its layers ({@code symmetrize z2}). */
    public boolean symmetrized() { return program.model().symmetrize().contains("z2"); }

    /** Whether the inverse flow was lowered (every layer has one): log q of any configuration can be evaluated. */
    public boolean hasInverse() { return inverse != null; }

    /**
     * The same flow with {@link Parameters#frozenCopy frozen copies} of the parameters, for densities
     * whose parameter dependence must not be differentiated; {@link #refreshFrozen} updates them.
     */
    public CompiledFlow withFrozenParameters() { return new CompiledFlow(program, dtype, parameters.frozenCopy()); }

    /** Copies this flow's current parameter values into {@code frozen}, a {@link #withFrozenParameters} of it. */
    public void refreshFrozen(CompiledFlow frozen) { frozen.parameters.copyValuesFrom(parameters); }

    /** The inverse flow x ↦ (z, log|det ∂z/∂x|); for flows whose every layer is invertible. */
    public Forward inverse(Tensor x) {
        if (inverse == null) throw new IllegalStateException("the inverse flow is lowered only for flows whose every layer is invertible");
        Tensor[] out = (Tensor[]) inverse.call(x);
        return new Forward(out[0], out[1]);
    }

    /**
     * log q of the field x = f(z) the forward pass produced from z: log r(z) − log|det ∂f/∂z|, or
     * for a symmetrized flow the mixture log ½(q_f(x) + q_f(−x)), with q_f(−x) from the inverse
     * flow. Recorded on an open tape like every other op, so the reverse-KL gradient includes the
     * mixture. The mixture density is even, so it is also log q of −x.
     */
    public Tensor logDensity(Tensor z, Forward out) {
        Tensor direct = org.equiflow.tensor.Ops.sub(logPrior(z), out.logDet());
        if (!symmetrized()) return direct;
        return mixture(direct, out.x());
    }

    /**
     * log q(x) of given configurations through the inverse flow: log r(f⁻¹(x)) + log|det ∂f⁻¹/∂x|
     * (the self-mixture for symmetrized flows), on the tape — differentiable in x and in the
     * parameters this flow was built with.
     */
    public Tensor logDensityOf(Tensor x) {
        Forward back = inverse(x);
        Tensor direct = org.equiflow.tensor.Ops.add(logPrior(back.x()), back.logDet());
        return symmetrized() ? mixture(direct, x) : direct;
    }

    /** log ½(q_f(x) + q_f(−x)) from log q_f(x) and the inverse at −x. */
    private Tensor mixture(Tensor direct, Tensor x) {
        Forward mirrored = inverse(org.equiflow.tensor.Ops.neg(x));
        Tensor reflected = org.equiflow.tensor.Ops.add(logPrior(mirrored.x()), mirrored.logDet());
        // log(e^a + e^b) = m + log(e^(a−m) + e^(b−m)) for any constant m; the larger of the two keeps it finite.
        Tensor m = Tensor.zeros(direct.shape(), direct.dtype());
        for (int i = 0; i < m.size(); i++) m.set(i, Math.max(direct.get(i), reflected.get(i)));
        Tensor sum = org.equiflow.tensor.Ops.add(org.equiflow.tensor.Ops.exp(org.equiflow.tensor.Ops.sub(direct, m)),
                org.equiflow.tensor.Ops.exp(org.equiflow.tensor.Ops.sub(reflected, m)));
        return org.equiflow.tensor.Ops.addScalar(org.equiflow.tensor.Ops.add(m, org.equiflow.tensor.Ops.log(sum)), -Math.log(2));
    }

    /**
     * For a draw from the self-mixture: which configurations of a batch get their sign flipped,
     * each with probability ½; null (none) for flows that are not symmetrized.
     */
    public boolean[] randomSignFlips(int batch, java.util.SplittableRandom random) {
        if (!symmetrized()) return null;
        boolean[] flips = new boolean[batch];
        for (int b = 0; b < batch; b++) flips[b] = random.nextBoolean();
        return flips;
    }

    /**
     * x with configuration b's sign flipped where {@code flips[offset + b]} (x itself when
     * {@code flips} is null). The self-mixture's density is {@link #logDensity} either way.
     */
    public Tensor withSignFlips(Tensor x, boolean[] flips, int offset) {
        if (flips == null) return x;
        int batch = x.shape().batch(), per = x.size() / batch;
        Tensor out = x.copy();
        for (int b = 0; b < batch; b++) {
            if (flips[offset + b]) for (int i = b * per; i < (b + 1) * per; i++) out.set(i, -x.get(i));
        }
        return out;
    }

    public Tensor action(Tensor field) { return ((Tensor[]) action.call(field))[0]; }

    public List<String> parameterNames() { return List.copyOf(parameters.asMap().keySet()); }
}
