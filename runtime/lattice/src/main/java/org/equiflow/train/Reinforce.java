package org.equiflow.train;

import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * The score-function (REINFORCE) estimator: the configurations x = f(z) are taken as given
 * (no gradient through the sample path), and ∇θ KL = E_q[(log q(x) + S(x) − b)·∇θ log q_θ(x)]
 * with log q_θ(x) evaluated through the inverse flow. The baseline bᵢ is the mean of
 * log q + S over the other configurations of the block (leave one out), independent of xᵢ,
 * so it lowers the variance without biasing the estimate (E_q[∇θ log q] = 0). It needs no
 * gradient of the action: S may be any function the runtime can evaluate.
 */
public final class Reinforce implements Loss {
    @Override
    public String name() { return "reinforce"; }

    @Override
    public boolean needsInverse() { return true; }

    @Override
    public Evaluation evaluate(CompiledFlow flow, CompiledFlow frozen, Tensor z) {
        Tensor x = frozen.forward(z).x().copy().requiresGrad(false);
        Tensor logQ = flow.logDensityOf(x);
        Tensor action = frozen.action(x).copy().requiresGrad(false);
        int n = logQ.shape().batch();
        double[] signal = new double[n];
        double total = 0;
        for (int b = 0; b < n; b++) total += signal[b] = logQ.get(b) + action.get(b);
        Tensor advantage = Tensor.zeros(logQ.shape(), logQ.dtype());
        for (int b = 0; b < n; b++) advantage.set(b, n > 1 ? signal[b] - (total - signal[b]) / (n - 1) : 0);
        return new Evaluation(Ops.mul(advantage, logQ), logQ, action);
    }
}
