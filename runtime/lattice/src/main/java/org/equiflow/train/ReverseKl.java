package org.equiflow.train;

import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * Reverse-KL self-training with the reparametrised gradient: x = f_θ(z), objective
 * log q_θ(x) + S(x) differentiated through both the sample path and the density's explicit
 * dependence on θ. E_q[log q + S] = KL(q‖p) − ln Z, so minimising it brings q to p = e^{−S}/Z
 * without any sample of p.
 */
public final class ReverseKl implements Loss {
    @Override
    public String name() { return "reverse_kl"; }

    @Override
    public Evaluation evaluate(CompiledFlow flow, CompiledFlow frozen, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        // For a symmetrized flow this is the mixture density. Training needs no sign flip: the
        // mixture density and the (Z2-invariant, checked) action are even, so the loss and its
        // gradient are the same at f(z) and −f(z).
        Tensor logQ = flow.logDensity(z, out);
        Tensor action = flow.action(out.x());
        return new Evaluation(Ops.add(logQ, action), logQ, action);
    }
}
