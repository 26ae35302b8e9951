package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.equiflow.tensor.cpu.LaneConvNet;
import org.equiflow.tensor.cpu.LaneConvNetGradient;

/**
 * A coupling's conditioner network in one primitive: the chain of {@link ConvAct}s
 * {@code stages} over operands {@code x, w₁, [b₁], w₂, [b₂], …} and, when {@code masked}, last
 * the 0/1 mask [1, 1, L…] of the sites anything reads: the result is the chain's value there and
 * 0 elsewhere.
 *
 * <p>In float32 on a machine with wide vectors: forward by {@link LaneConvNet} —
 * configurations in the vector lanes, the hidden activations never written back to tensors, the
 * last convolution only on the masked sites — and every operand's gradient at once by
 * {@link LaneConvNetGradient}, from the layer outputs the forward pass kept when a tape records
 * it (a copy of each lane group's buffers, far cheaper than computing them again).
 * Otherwise the chain stage by stage, and its gradient by recomputing the chain and
 * differentiating it stage by stage.
 */
public record Conditioner(List<Stage> stages, boolean masked) implements Primitive {

    /** One convolution of the chain: its activation and whether a bias operand follows its weight. */
    public record Stage(ConvAct convAct, boolean hasBias) {
    }

    public Conditioner {
        stages = List.copyOf(stages);
        if (stages.isEmpty()) throw new IllegalArgumentException("a conditioner needs at least one convolution");
    }

    /** Short, for profiles and messages: the stages' activations and whether the output is masked. */
    @Override
    public String toString() {
        var names = stages.stream().map(s -> "conv+" + s.convAct.activation().name().toLowerCase(java.util.Locale.ROOT)
                + (s.hasBias ? "+bias" : "")).toList();
        return "Conditioner" + names + (masked ? " on masked sites" : "");
    }

    /** Operand positions: x at 0, then each stage's weight and bias, then the mask. */
    private int weightIndex(int stage) {
        int index = 1;
        for (int i = 0; i < stage; i++) index += stages.get(i).hasBias ? 2 : 1;
        return index;
    }

    private int operandCount() {
        return weightIndex(stages.size()) + (masked ? 1 : 0);
    }

    /** The operands of stage {@code stage} when its input is {@code x}: x, its weight, its bias if any. */
    public List<Tensor> stageOperands(List<Tensor> inputs, int stage, Tensor x) {
        int w = weightIndex(stage);
        return stages.get(stage).hasBias ? List.of(x, inputs.get(w), inputs.get(w + 1)) : List.of(x, inputs.get(w));
    }

    private List<Shape> stageShapes(List<Shape> inputs, int stage, Shape x) {
        int w = weightIndex(stage);
        return stages.get(stage).hasBias ? List.of(x, inputs.get(w), inputs.get(w + 1)) : List.of(x, inputs.get(w));
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, operandCount());
        Shape x = inputs.getFirst();
        for (int i = 0; i < stages.size(); i++) x = stages.get(i).convAct.outputShape(stageShapes(inputs, i, x));
        if (masked) {
            Shape mask = inputs.getLast();
            if (mask.batch() != 1 || mask.channels() != 1 || !mask.sameLattice(x)) {
                throw new IllegalArgumentException("a conditioner's mask must be [1, 1, L…] on the field's lattice, got " + mask);
            }
        }
        return x;
    }

    @Override
    public boolean overwritesOutput() { return true; }

    /**
     * The convolutions' multiply-adds, twice: each stage's output channels × input channels ×
     * taps × sites × configurations, the last stage at the mask's sites only when masked (where
     * the lane kernel computes it). Bias and activations are not counted.
     */
    @Override
    public long flops(List<Tensor> inputs) {
        Shape x = inputs.getFirst().shape();
        long sites = x.sites(), lastSites = sites;
        if (masked) {
            Tensor mask = inputs.getLast();
            lastSites = 0;
            for (int s = 0; s < mask.size(); s++) if (mask.get(s) != 0) lastSites++;
        }
        long total = 0;
        Shape stageInput = x;
        for (int i = 0; i < stages.size(); i++) {
            Shape w = inputs.get(weightIndex(i)).shape();
            long everySite = Conv.multiplyAdds(stageInput, w);
            total += 2 * (i == stages.size() - 1 ? everySite / sites * lastSites : everySite);
            stageInput = stageInput.withChannels(w.batch());
        }
        return total;
    }

    /**
     * What a backward pass needs: the weight gradients' and the inputs' gradients' multiply-adds,
     * each as many as the forward pass's ({@link #flops}). Where no tape kept the forward pass's
     * layer outputs, the lane kernel also recomputes them, which is not counted.
     */
    public long gradientFlops(List<Tensor> inputs) {
        return 2 * flops(inputs);
    }

    /** Whether {@link #forward} takes the float32 lane kernel for these operands. */
    public static boolean lanesApply(Tensor x) {
        return x.dtype() == DType.F32 && LaneConvNet.supported() && x.shape().latticeRank() > 0;
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        if (inLanes(inputs)) {
            forwardInLanes(inputs, out);
            return;
        }
        chain(inputs, out, ConvAct::forward);
        if (masked) zeroOffMask(out, inputs.getLast());
    }

    /** Whether these operands take the lane kernels: float32 on wide vectors, one kernel extent for every stage. */
    private boolean inLanes(List<Tensor> inputs) {
        return lanesApply(inputs.getFirst()) && sameKernelExtent(inputs);
    }

    private boolean sameKernelExtent(List<Tensor> inputs) {
        int k = inputs.get(weightIndex(0)).shape().latticeExtent(0);
        for (int i = 1; i < stages.size(); i++) if (inputs.get(weightIndex(i)).shape().latticeExtent(0) != k) return false;
        return true;
    }

    /** A lattice, a kernel extent and the masked sites (null: all), compared by value. */
    private record PlanKey(List<Integer> extents, int kernel, BitSet sites) {
    }

    private static final Map<PlanKey, LaneConvNet.Plan> PLANS = new ConcurrentHashMap<>();

    private void forwardInLanes(List<Tensor> inputs, Tensor out) {
        Tensor x = inputs.getFirst();
        LaneConvNet.Plan plan = planFor(inputs);
        List<LaneConvNet.Layer> layers = lanesLayers(inputs);
        Kept store = Tape.records(inputs) ? KEPT.get() : null;
        float[][] kept = store == null ? null : store.take(LaneConvNet.keptLayout(x.shape().batch(), plan, layers));
        LaneConvNet.forward(x.f32(), x.shape().batch(), plan, layers, out.f32(), kept);
        if (store != null) store.byOutput.put(out, kept);
    }

    /**
     * The layer outputs forward passes on this thread kept for their backward passes, by result
     * (weakly: a tape closed before its backward pass lets them go), and the arrays backward
     * passes gave back, by layout, for the next forward passes (a training step's forward
     * passes take what the previous step's backward passes gave back: nothing is allocated).
     */
    private static final class Kept {
        final Map<Tensor, float[][]> byOutput = new java.util.WeakHashMap<>();
        private final Map<List<Integer>, java.util.ArrayDeque<float[][]>> free = new java.util.HashMap<>();

        float[][] take(int[] lengths) {
            var arrays = free.get(key(lengths));
            float[][] a = arrays == null ? null : arrays.poll();
            if (a != null) return a;
            a = new float[lengths.length][];
            for (int i = 0; i < lengths.length; i++) a[i] = new float[lengths[i]];
            return a;
        }

        void giveBack(float[][] a) {
            int[] lengths = new int[a.length];
            for (int i = 0; i < a.length; i++) lengths[i] = a[i].length;
            free.computeIfAbsent(key(lengths), k -> new java.util.ArrayDeque<>()).push(a);
        }

        private static List<Integer> key(int[] lengths) {
            return Arrays.stream(lengths).boxed().toList();
        }
    }

    private static final ThreadLocal<Kept> KEPT = ThreadLocal.withInitial(Kept::new);

    /** Forward passes on this thread whose kept layer outputs wait for their backward pass (a diagnostic: 0 between training steps). */
    public static int keptForwardPassesWaiting() {
        return KEPT.get().byOutput.size();
    }

    private LaneConvNet.Plan planFor(List<Tensor> inputs) {
        int[] extents = inputs.getFirst().shape().lattice();
        int k = inputs.get(weightIndex(0)).shape().latticeExtent(0);
        BitSet sites = null;
        if (masked) {
            Tensor mask = inputs.getLast();
            sites = new BitSet(mask.size());
            for (int s = 0; s < mask.size(); s++) if (mask.get(s) != 0) sites.set(s);
        }
        var key = new PlanKey(Arrays.stream(extents).boxed().toList(), k, sites);
        return PLANS.computeIfAbsent(key, key2 ->
                LaneConvNet.plan(extents, k, key2.sites() == null ? null : key2.sites().stream().toArray()));
    }

    private List<LaneConvNet.Layer> lanesLayers(List<Tensor> inputs) {
        List<LaneConvNet.Layer> layers = new ArrayList<>(stages.size());
        int channels = inputs.getFirst().shape().channels();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            Tensor w = inputs.get(weightIndex(i));
            int cout = w.shape().batch();
            layers.add(new LaneConvNet.Layer(channels, cout, w.f32(), stage.hasBias ? inputs.get(weightIndex(i) + 1).f32() : null,
                    switch (stage.convAct.activation()) {
                        case IDENTITY -> LaneConvNet.Kind.IDENTITY;
                        case LEAKY_RELU -> LaneConvNet.Kind.LEAKY_RELU;
                        case TANH -> LaneConvNet.Kind.TANH;
                    }, (float) stage.convAct.slope()));
            channels = cout;
        }
        return layers;
    }

    /** Every operand's gradient (null for the mask) by {@link LaneConvNetGradient}, in operand order. */
    private List<Tensor> gradientsInLanes(List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor x = inputs.getFirst();
        Kept store = KEPT.get();
        float[][] kept = store.byOutput.remove(output);
        var g = LaneConvNetGradient.backward(x.f32(), x.shape().batch(), planFor(inputs), lanesLayers(inputs), outputGrad.f32(), true, kept);
        if (kept != null) store.giveBack(kept);
        List<Tensor> gradients = new ArrayList<>(inputs.size());
        gradients.add(Tensor.wrap(x.shape(), g.input()));
        for (int i = 0; i < stages.size(); i++) {
            gradients.add(Tensor.wrap(inputs.get(weightIndex(i)).shape(), g.weights().get(i)));
            if (stages.get(i).hasBias) gradients.add(Tensor.wrap(inputs.get(weightIndex(i) + 1).shape(), g.biases().get(i)));
        }
        if (masked) gradients.add(null);
        return gradients;
    }

    /** Computes one stage of the chain into {@code out}: on host arrays, or a backend's own kernels. */
    @FunctionalInterface
    public interface StageKernel {
        void run(ConvAct stage, List<Tensor> operands, Tensor out);
    }

    /** The chain's value after each stage, each computed by {@code kernel}, the last written into {@code last} when given. */
    public List<Tensor> chain(List<Tensor> inputs, Tensor last, StageKernel kernel) {
        List<Tensor> values = new ArrayList<>(stages.size());
        Tensor h = inputs.getFirst();
        for (int i = 0; i < stages.size(); i++) {
            List<Tensor> operands = stageOperands(inputs, i, h);
            ConvAct convAct = stages.get(i).convAct;
            Tensor next = i == stages.size() - 1 && last != null ? last
                    : Tensor.zeros(convAct.outputShape(operands.stream().map(Tensor::shape).toList()), h.dtype());
            kernel.run(convAct, operands, next);
            values.add(next);
            h = next;
        }
        return values;
    }

    /** {@code t} with every configuration and channel set to 0 where the mask is 0. */
    private static void zeroOffMask(Tensor t, Tensor mask) {
        int sites = mask.size();
        for (int i = 0; i < t.size(); i++) if (mask.get(i % sites) == 0) t.set(i, 0.0);
    }

    /** The mask is data. */
    @Override
    public boolean differentiable(int index) { return !(masked && index == operandCount() - 1); }

    /**
     * The gradients of every operand from the last backward step on this thread, with the output
     * and output gradient they came from: a backward pass asks for each operand's VJP in turn
     * with the same two tensors, and the lane kernel computes them all at once.
     */
    private record Memo(Conditioner primitive, Tensor output, Tensor outputGrad, List<Tensor> gradients) {
    }

    private static final ThreadLocal<Memo> LAST = new ThreadLocal<>();

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Backend backend = Backends.current();
        if (backend.computesOnHostThreads() && inLanes(inputs)) {
            Memo memo = LAST.get();
            if (memo == null || memo.output != output || memo.outputGrad != outputGrad || !memo.primitive.equals(this)) {
                List<List<Tensor>> result = new ArrayList<>(1);
                backend.runHostKernel(this + " gradient (" + inputs.getFirst().shape() + ")",
                        gradientFlops(inputs), () -> result.add(gradientsInLanes(inputs, output, outputGrad)));
                memo = new Memo(this, output, outputGrad, result.getFirst());
                LAST.set(memo);
            }
            return memo.gradients.get(index);
        }
        List<Tensor> values = chain(inputs, null, ConvAct::forward);
        // Off the mask the result is the constant 0: no gradient flows back from there.
        Tensor grad = masked ? Ops.mul(outputGrad, inputs.getLast()) : outputGrad;
        for (int i = stages.size() - 1; i >= 0; i--) {
            Tensor in = i == 0 ? inputs.getFirst() : values.get(i - 1);
            List<Tensor> operands = stageOperands(inputs, i, in);
            ConvAct convAct = stages.get(i).convAct;
            int w = weightIndex(i);
            if (index == w) return convAct.vjp(1, operands, values.get(i), grad);
            if (stages.get(i).hasBias && index == w + 1) return convAct.vjp(2, operands, values.get(i), grad);
            grad = convAct.vjp(0, operands, values.get(i), grad);
        }
        if (index == 0) return grad;
        throw new IndexOutOfBoundsException(index);
    }
}
