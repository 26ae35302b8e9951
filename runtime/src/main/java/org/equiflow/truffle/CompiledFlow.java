package org.equiflow.truffle;

import com.oracle.truffle.api.CallTarget;
import java.util.List;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

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
    private final org.equiflow.sample.PriorSampler prior;

    public CompiledFlow(IrProgram program, DType dtype, long seed) {
        this.program = program;
        this.dtype = dtype;
        IrFunction flowFunction = program.function(IrProgram.FLOW).orElseThrow();
        this.parameters = Parameters.initialise(flowFunction.params(), dtype, seed);
        this.flow = IrTranslator.translate(flowFunction, parameters, dtype);
        this.logPrior = IrTranslator.translate(program.function(IrProgram.LOG_PRIOR).orElseThrow(), parameters, dtype);
        this.action = IrTranslator.translate(program.function(IrProgram.ACTION).orElseThrow(), parameters, dtype);
        this.prior = new org.equiflow.sample.PriorSampler(program.model().prior(), program.model().theory().lattice());
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

    public Tensor action(Tensor field) { return ((Tensor[]) action.call(field))[0]; }

    public List<String> parameterNames() { return List.copyOf(parameters.asMap().keySet()); }
}
