package org.equiflow.train;

import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;

/**
 * Reverse-KL self-training: E_q[log q(x) + S(x)] = KL(q‖p) − log Z, so minimising it over the
 * flow's parameters brings q to p = e^{−S}/Z without any sample of p.
 */
public final class ReverseKl implements Loss {
    @Override
    public String name() { return "reverse_kl"; }

    @Override
    public Tensor perConfiguration(Tensor logQ, Tensor action) {
        return Ops.add(logQ, action);
    }
}
