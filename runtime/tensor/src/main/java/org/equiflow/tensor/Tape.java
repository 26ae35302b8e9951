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
 *
 * <p><b>Checkpointed segments.</b> A long computation (a gradient flow's integration) may run a
 * stretch of primitives {@linkplain #withoutRecording unrecorded} and {@linkplain #recordSegment
 * record it as one entry} that keeps only what enters it: its VJP recomputes the stretch under a
 * nested tape and back-propagates through that. Memory then holds the checkpoints and one
 * stretch's intermediates instead of every intermediate, for one more forward pass per stretch.
 */
public final class Tape implements AutoCloseable {

    private sealed interface Entry {
    }

    /** One primitive applied. */
    private record Application(Primitive primitive, List<Tensor> inputs, Tensor output) implements Entry {
    }

    /** A stretch run unrecorded, with the VJP that recomputes it. */
    private record Segment(List<Tensor> inputs, List<Tensor> outputs, SegmentGradient gradient) implements Entry {
    }

    /**
     * The VJP of a checkpointed segment: given the cotangents of its outputs (null where none
     * reached it), the contributions to its inputs (null where none, or for an input that needs
     * no gradient), in input order.
     */
    @FunctionalInterface
    public interface SegmentGradient {
        Tensor[] vjp(List<Tensor> inputs, Tensor[] cotangents);
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
                tape.entries.add(new Application(primitive, List.copyOf(inputs), output));
                tape.produced.add(output);
                return;
            }
        }
    }

    /** Whether a tape is open on this thread. */
    public static boolean isRecording() {
        return ACTIVE.get() != null;
    }

    /** Runs {@code body} with recording paused on this thread (the stretch of a checkpointed segment). */
    public static void withoutRecording(Runnable body) {
        paused(() -> {
            body.run();
            return null;
        });
    }

    /** {@code body}'s value, computed with recording paused on this thread: VJPs and unrecorded stretches. */
    private static <T> T paused(java.util.function.Supplier<T> body) {
        Tape recording = ACTIVE.get();
        ACTIVE.set(null);
        try {
            return body.get();
        } finally {
            ACTIVE.set(recording);
        }
    }

    /**
     * Records a stretch that ran {@linkplain #withoutRecording unrecorded} as one entry, when a
     * tape is open and an input needs a gradient: the outputs are then marked as needing one, and
     * the backward pass calls {@code gradient} once with all their cotangents. The outputs must
     * be tensors the stretch made (none of them an input).
     */
    public static void recordSegment(List<Tensor> inputs, List<Tensor> outputs, SegmentGradient gradient) {
        Tape tape = ACTIVE.get();
        if (tape == null || inputs.stream().noneMatch(Tensor::requiresGrad)) return;
        for (Tensor output : outputs) {
            for (Tensor input : inputs) {
                if (output == input) throw new IllegalArgumentException("internal error, please report: a segment's output is one of its inputs");
            }
            output.requiresGrad(true);
            tape.produced.add(output);
        }
        tape.entries.add(new Segment(List.copyOf(inputs), List.copyOf(outputs), gradient));
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
        return paused(() -> {
            Map<Tensor, Tensor> leaves = new IdentityHashMap<>();
            propagate(List.of(output), new Tensor[] {seed}).forEach((t, g) -> {
                if (t.requiresGrad() && !produced.contains(t)) leaves.put(t, g);
            });
            // The copies read every gradient on the host: a device brings them in one batch.
            Backends.current().syncToHost(leaves.values());
            leaves.replaceAll((t, g) -> g.copy());
            return leaves;
        });
    }

    /**
     * The gradients of {@code of} for the cotangents {@code seeds} of {@code outputs} (null: none),
     * as raw tensors (no copies: for a segment's VJP, inside the step), with recording paused; null
     * for a tensor no output depends on.
     */
    public Tensor[] gradients(List<Tensor> outputs, Tensor[] seeds, List<Tensor> of) {
        return paused(() -> {
            Map<Tensor, Tensor> grads = propagate(outputs, seeds);
            return of.stream().map(grads::get).toArray(Tensor[]::new);
        });
    }

    /** The backward walk: every entry's VJP in reverse order, from the seeds; what is left are the gradients of tensors no entry made. */
    private Map<Tensor, Tensor> propagate(List<Tensor> outputs, Tensor[] seeds) {
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        for (int i = 0; i < outputs.size(); i++) if (seeds[i] != null) grads.merge(outputs.get(i), seeds[i], Ops::add);
        for (int i = entries.size() - 1; i >= 0; i--) {
            switch (entries.get(i)) {
                case Application e -> {
                    Tensor g = grads.remove(e.output);
                    if (g == null) continue;
                    for (int k = 0; k < e.inputs.size(); k++) {
                        Tensor input = e.inputs.get(k);
                        if (!input.requiresGrad() || !e.primitive.differentiable(k)) continue;
                        Tensor contribution = e.primitive.vjp(k, e.inputs, e.output, g);
                        checkContribution(e.primitive + " for operand " + k, contribution, input);
                        grads.merge(input, contribution, Ops::add);
                    }
                }
                case Segment e -> {
                    Tensor[] cotangents = new Tensor[e.outputs.size()];
                    boolean any = false;
                    for (int k = 0; k < cotangents.length; k++) {
                        cotangents[k] = grads.remove(e.outputs.get(k));
                        any |= cotangents[k] != null;
                    }
                    if (!any) continue;
                    Tensor[] contributions = e.gradient.vjp(e.inputs, cotangents);
                    for (int k = 0; k < e.inputs.size(); k++) {
                        Tensor input = e.inputs.get(k);
                        if (contributions[k] == null || !input.requiresGrad()) continue;
                        checkContribution("a checkpointed segment for input " + k, contributions[k], input);
                        grads.merge(input, contributions[k], Ops::add);
                    }
                }
            }
        }
        return grads;
    }

    private static void checkContribution(String source, Tensor contribution, Tensor input) {
        if (!contribution.shape().equals(input.shape()) || contribution.dtype() != input.dtype()) {
            throw new IllegalStateException("internal error, please report: VJP of " + source
                    + " has shape " + contribution.shape() + " " + contribution.dtype()
                    + ", operand is " + input.shape() + " " + input.dtype());
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
