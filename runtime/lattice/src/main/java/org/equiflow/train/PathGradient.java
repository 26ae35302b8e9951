package org.equiflow.train;

import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * The path gradient ("sticking the landing", Roeder et al.; for lattice flows Vaitl et al.,
 * arXiv:2207.08219): x = f_θ(z) as for reverse KL, but log q evaluated at x with the parameters
 * frozen, log q_θ̄(x) = log r(f_θ̄⁻¹(x)) + log|det ∂f_θ̄⁻¹/∂x|, so the gradient flows only through
 * the sample path: ∇θ = E[(∇ₓ log q(x) + ∇ₓ S(x))·∂x/∂θ]. The dropped term, the score
 * E_q[∇θ log q_θ(x)], vanishes in expectation, so the estimator is unbiased, and its variance
 * vanishes as q → p (both ∇ₓ terms cancel). Needs the inverse flow.
 */
public final class PathGradient implements Loss {
    @Override
    public String name() { return "path_gradient"; }

    @Override
    public boolean needsInverse() { return true; }

    @Override
    public Evaluation evaluate(CompiledFlow flow, CompiledFlow frozen, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        Tensor logQ = frozen.logDensityOf(out.x());
        Tensor action = flow.action(out.x());
        return new Evaluation(Ops.add(logQ, action), logQ, action);
    }
}
