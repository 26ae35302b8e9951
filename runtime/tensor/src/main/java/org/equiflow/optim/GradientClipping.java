package org.equiflow.optim;

import org.equiflow.tensor.Tensor;

/**
 * Gradient-norm clipping, the script's {@code clip_grad_norm}: when the global L2 norm of all
 * parameter gradients together exceeds {@code maxNorm}, every gradient is scaled by
 * maxNorm / norm, so the step keeps its direction and its size is bounded. One rare batch with a
 * huge gradient (a configuration deep in the tail of q, where log q + S is large) then cannot
 * throw the flow's weights far off. Unlike PyTorch's {@code clip_grad_norm_} no 1e-6 is added to
 * the norm: the clipped norm is the maximum itself. A pure function of the gradients, so a
 * resumed run needs nothing beyond the setting.
 */
public record GradientClipping(double maxNorm) {
    /** No clipping: the norm is measured and reported, the gradients are left alone. */
    public static final GradientClipping NONE = new GradientClipping(Double.POSITIVE_INFINITY);

    public GradientClipping {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("the maximum gradient norm must be positive, got " + maxNorm);
    }

    public boolean enabled() { return maxNorm != Double.POSITIVE_INFINITY; }

    /** The global norm before clipping and whether the gradients were scaled down. */
    public record Result(double norm, boolean clipped) {}

    /** The global L2 norm of the gradients of {@code parameters} (those without a gradient count as zero). */
    public static double globalNorm(Iterable<Tensor> parameters) {
        double sum = 0;
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.size(); i++) {
                double v = g.get(i);
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }

    /** Measures the global norm and, above the maximum, scales every gradient in place to that norm. */
    public Result clip(Iterable<Tensor> parameters) {
        double norm = globalNorm(parameters);
        if (!(norm > maxNorm)) return new Result(norm, false);
        double scale = maxNorm / norm;
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g == null) continue;
            for (int i = 0; i < g.size(); i++) g.set(i, g.get(i) * scale);
        }
        return new Result(norm, true);
    }
}
