package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.equiflow.tensor.Backends;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Primitive;
import org.equiflow.tensor.Tensor;

/**
 * Reverse-mode differentiation: the one mechanism. While a tape is open on a thread, every
 * primitive applied to an operand that requires a gradient is appended to it (a Wengert list),
 * and its result is marked as requiring a gradient. {@link #backward} walks the list backwards,
 * applying each primitive's VJP, and adds the gradients of leaves (tensors that require a
 * gradient but were not produced on this tape: the parameters) into {@link Tensor#grad()}.
 *
 * <pre>{@code
 * try (Tape tape = Tape.open()) {
 *     Tensor loss = model.loss(batch);
 *     tape.backward(loss);
 * }
 * }</pre>
 *
 * Without an open tape nothing is recorded (sampling, evaluation). VJPs run with recording
 * paused, so there are no second derivatives through the tape.
 */
public final class Tape implements AutoCloseable {

    private record Entry(Primitive primitive, List<Tensor> inputs, Tensor output) {
    }

    private static final ThreadLocal<Tape> ACTIVE = new ThreadLocal<>();

    private final Tape enclosing;
    private final List<Entry> entries = new ArrayList<>();
    private final Set<Tensor> produced = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean open = true;

    private Tape(Tape enclosing) {
        this.enclosing = enclosing;
    }

    /** Opens a tape on this thread; it records until {@link #close()}. */
    public static Tape open() {
        Tape tape = new Tape(ACTIVE.get());
        ACTIVE.set(tape);
        return tape;
    }

    /**
     * Whether an application to these operands on this thread will be recorded (a tape is open
     * and an operand needs a gradient): a primitive may then keep what its VJP would otherwise
     * recompute.
     */
    public static boolean records(List<Tensor> inputs) {
        if (ACTIVE.get() == null) return false;
        for (Tensor input : inputs) if (input.requiresGrad()) return true;
        return false;
    }

    /** Called by {@link Ops#apply}: records when a tape is open and an operand needs a gradient. */
    public static void recordIfActive(Primitive primitive, List<Tensor> inputs, Tensor output) {
        Tape tape = ACTIVE.get();
        if (tape == null) return;
        for (Tensor input : inputs) {
            if (input.requiresGrad()) {
                output.requiresGrad(true);
                tape.entries.add(new Entry(primitive, List.copyOf(inputs), output));
                tape.produced.add(output);
                return;
            }
        }
    }

    /** Number of recorded primitive applications. */
    public int size() {
        return entries.size();
    }

    /** Back-propagates from a tensor with a single element (a loss). */
    public void backward(Tensor loss) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("backward(loss) needs a single number, got shape " + loss.shape()
                    + "; reduce it first (e.g. Ops.meanOverBatch) or pass a seed");
        }
        backward(loss, Tensor.full(loss.shape(), loss.dtype(), 1.0));
    }

    /** Back-propagates the cotangent {@code seed} of {@code output}, adding into the leaves' gradients. */
    public void backward(Tensor output, Tensor seed) {
        gradientsOfLeaves(output, seed).forEach(Tensor::accumulateGrad);
    }

    /**
     * The gradients of a loss (a tensor with a single element) with respect to the leaves,
     * without touching the leaves: for several tapes run at once on slices of a batch, whose
     * gradients the caller adds in a fixed order.
     */
    public Map<Tensor, Tensor> gradientsOfLeaves(Tensor loss) {
        if (loss.size() != 1) {
            throw new IllegalArgumentException("gradientsOfLeaves(loss) needs a single number, got shape " + loss.shape());
        }
        return gradientsOfLeaves(loss, Tensor.full(loss.shape(), loss.dtype(), 1.0));
    }

    /** Leaf → gradient (a copy: it outlives the step, and so any buffer arena round), in no particular order. */
    private Map<Tensor, Tensor> gradientsOfLeaves(Tensor output, Tensor seed) {
        if (!output.shape().equals(seed.shape()) || output.dtype() != seed.dtype()) {
            throw new IllegalArgumentException("seed " + seed.shape() + " " + seed.dtype()
                    + " does not match output " + output.shape() + " " + output.dtype());
        }
        Tape recording = ACTIVE.get();
        ACTIVE.set(null);
        try {
            Map<Tensor, Tensor> grads = new IdentityHashMap<>();
            grads.put(output, seed);
            for (int i = entries.size() - 1; i >= 0; i--) {
                Entry e = entries.get(i);
                Tensor g = grads.remove(e.output);
                if (g == null) continue;
                for (int k = 0; k < e.inputs.size(); k++) {
                    Tensor input = e.inputs.get(k);
                    if (!input.requiresGrad() || !e.primitive.differentiable(k)) continue;
                    Tensor contribution = e.primitive.vjp(k, e.inputs, e.output, g);
                    if (!contribution.shape().equals(input.shape()) || contribution.dtype() != input.dtype()) {
                        throw new IllegalStateException("internal error, please report: VJP of " + e.primitive
                                + " for operand " + k + " has shape " + contribution.shape() + " " + contribution.dtype()
                                + ", operand is " + input.shape() + " " + input.dtype());
                    }
                    grads.merge(input, contribution, Ops::add);
                }
            }
            Map<Tensor, Tensor> leaves = new IdentityHashMap<>();
            grads.forEach((t, g) -> {
                if (t.requiresGrad() && !produced.contains(t)) leaves.put(t, g);
            });
            // The copies read every gradient on the host: a device brings them in one batch.
            Backends.current().syncToHost(leaves.values());
            leaves.replaceAll((t, g) -> g.copy());
            return leaves;
        } finally {
            ACTIVE.set(recording);
        }
    }

    /** Stops recording on this thread and forgets the list (and the activations it holds). */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        if (ACTIVE.get() == this) ACTIVE.set(enclosing);
        entries.clear();
        produced.clear();
    }
}
