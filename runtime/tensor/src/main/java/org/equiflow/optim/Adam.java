package org.equiflow.optim;

import java.util.ArrayList;
import java.util.List;

import org.equiflow.tensor.Backends;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;

/**
 * Adam (Kingma &amp; Ba) with bias correction, step for step as PyTorch's {@code torch.optim.Adam}
 * without amsgrad, and with a weight decay as PyTorch's {@code torch.optim.AdamW} (Loshchilov &amp;
 * Hutter's decoupled decay, which shrinks the weights directly instead of adding wd · p to the
 * gradient, where Adam's normalisation would undo it):
 * <pre>
 * m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2
 * p -= lr_t · wd · p
 * p -= lr_t / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * where lr_t is the {@link LearningRateSchedule}'s rate at step t − 1 (0-based) and wd is 0 for
 * plain Adam ({@code optimizer adam}) and the script's {@code weight_decay} for {@code adamw}.
 * Moments are kept in the parameter's precision, as PyTorch does; arithmetic is in double.
 * Parameters are updated in place; those without a gradient are left alone.
 */
public final class Adam {

    private final List<Tensor> parameters;
    private final List<double[]> firstMoments = new ArrayList<>();
    private final List<double[]> secondMoments = new ArrayList<>();
    private final LearningRateSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private int step;

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public Adam(List<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, 0.9, 0.999, 1e-8);
    }

    public Adam(List<Tensor> parameters, double learningRate, double beta1, double beta2, double eps) {
        this(parameters, LearningRateSchedule.constant(learningRate), beta1, beta2, eps);
    }

    /** Adam whose step t (0-based) uses the rate {@code schedule.at(t)}; PyTorch's default betas and eps. */
    public Adam(List<Tensor> parameters, LearningRateSchedule schedule) {
        this(parameters, schedule, 0.9, 0.999, 1e-8);
    }

    public Adam(List<Tensor> parameters, LearningRateSchedule schedule, double beta1, double beta2, double eps) {
        this(parameters, schedule, beta1, beta2, eps, 0.0);
    }

    /** AdamW: Adam with the decoupled weight decay {@code weightDecay} (0 is Adam). */
    public Adam(List<Tensor> parameters, LearningRateSchedule schedule, double beta1, double beta2, double eps, double weightDecay) {
        double learningRate = schedule.initial();
        if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0)
                || !(weightDecay >= 0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("Adam needs lr > 0, 0 <= betas < 1, eps >= 0, weight decay >= 0; got lr=" + learningRate
                    + " betas=(" + beta1 + ", " + beta2 + ") eps=" + eps + " weight decay=" + weightDecay);
        }
        this.parameters = List.copyOf(parameters);
        for (Tensor p : this.parameters) {
            if (!p.requiresGrad()) throw new IllegalArgumentException("parameter " + p.shape() + " does not require a gradient");
            firstMoments.add(new double[p.size()]);
            secondMoments.add(new double[p.size()]);
        }
        this.schedule = schedule;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public int steps() {
        return step;
    }

    /**
     * Updates the parameters on the host. A device backend gets the gradients to the host and
     * the updated parameters back in a few batched copies rather than one copy per tensor.
     */
    public void step() {
        List<Tensor> gradients = new ArrayList<>(parameters.size());
        List<Tensor> updated = new ArrayList<>(parameters.size());
        for (Tensor p : parameters) {
            if (p.grad() == null) continue;
            gradients.add(p.grad());
            updated.add(p);
        }
        Backends.current().syncToHost(gradients);
        // The rate of this step is read before the count advances: step t (0-based) uses schedule.at(t).
        double learningRate = schedule.at(step);
        step++;
        double biasCorrection1 = 1.0 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, step));
        double stepSize = learningRate / biasCorrection1;
        // The decoupled decay multiplies the weight before the Adam step, as torch.optim.AdamW does;
        // the Adam step does not depend on p, so this is p − lr_t (wd p + Adam's direction) with the old p.
        double shrink = 1.0 - learningRate * weightDecay;
        for (int i = 0; i < parameters.size(); i++) {
            Tensor p = parameters.get(i);
            Tensor grad = p.grad();
            if (grad == null) continue;
            double[] m = firstMoments.get(i), v = secondMoments.get(i);
            boolean single = p.dtype() == DType.F32;
            for (int j = 0; j < m.length; j++) {
                double g = grad.get(j);
                m[j] = beta1 * m[j] + (1.0 - beta1) * g;
                v[j] = beta2 * v[j] + (1.0 - beta2) * g * g;
                if (single) {
                    // Round the moments as PyTorch's float32 state would be rounded.
                    m[j] = (float) m[j];
                    v[j] = (float) v[j];
                }
                p.set(j, p.get(j) * shrink - stepSize * m[j] / (Math.sqrt(v[j]) / biasCorrection2Sqrt + eps));
            }
        }
        Backends.current().sendToDevice(updated);
    }

    /** The initial learning rate (the schedule's rate at step 0). */
    public double learningRate() { return schedule.initial(); }

    public LearningRateSchedule schedule() { return schedule; }

    public double beta1() { return beta1; }

    public double beta2() { return beta2; }

    public double eps() { return eps; }

    /** The decoupled weight decay (0: plain Adam). */
    public double weightDecay() { return weightDecay; }

    /** The optimizer's state, for checkpoints: the step count and both moments of every parameter, in order. */
    public record State(int step, List<double[]> firstMoments, List<double[]> secondMoments) {}

    public State state() {
        return new State(step, firstMoments.stream().map(double[]::clone).toList(), secondMoments.stream().map(double[]::clone).toList());
    }

    /** Restores a saved state (resuming training reproduces the uninterrupted run's updates). */
    public void restore(State state) {
        if (state.firstMoments().size() != parameters.size() || state.secondMoments().size() != parameters.size()) {
            throw new IllegalArgumentException("optimizer state for " + state.firstMoments().size() + " parameters, this model has " + parameters.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (state.firstMoments().get(i).length != firstMoments.get(i).length || state.secondMoments().get(i).length != secondMoments.get(i).length) {
                throw new IllegalArgumentException("optimizer state of parameter " + i + " has the wrong size");
            }
            System.arraycopy(state.firstMoments().get(i), 0, firstMoments.get(i), 0, firstMoments.get(i).length);
            System.arraycopy(state.secondMoments().get(i), 0, secondMoments.get(i), 0, secondMoments.get(i).length);
        }
        this.step = state.step();
    }

    public void zeroGrad() {
        for (Tensor p : parameters) p.zeroGrad();
    }
}
