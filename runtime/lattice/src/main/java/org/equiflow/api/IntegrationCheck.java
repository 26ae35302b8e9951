package org.equiflow.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.physics.TrustChecks;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;

/**
 * A gradient flow's log-density is the integral of div Z by the integrator's weights, so it is the
 * discrete map's log-density only up to the integrator's error, and training can drive the
 * coefficients where that error is large (the reverse KL then rewards the error itself). Before
 * its samples are trusted, the flow is evaluated again on fresh proposals with twice as many
 * steps: the change of log q bounds what the importance weights and the Metropolis ratios would
 * change with a finer integration.
 */
final class IntegrationCheck {
    private IntegrationCheck() {}

    /** Above this change of log q between ε and ε/2, the weights are off by more than about 5 %. */
    static final double TOLERANCE = 0.05;
    private static final int PROPOSALS = 64, CHUNK = 4;

    /** The largest |log q_ε − log q_{ε/2}| over {@code proposals} prior draws, for the flow's gradient-flow steps. */
    record Result(int proposals, int steps, double largestChange) {
        Optional<TrustChecks.Warning> warning() {
            if (largestChange <= TOLERANCE) return Optional.empty();
            return Optional.of(new TrustChecks.Warning(String.format(java.util.Locale.ROOT,
                    "the gradient flow's log-density changes by up to %.3g over %d proposals when its %d steps are doubled: the "
                            + "integrator's error, not the target, shapes the weights and the Metropolis ratios", largestChange, proposals, steps),
                    "raise `steps` of `gradient_flow` (or use `integrator = cg3`) until doubling them changes log q by less than "
                            + TOLERANCE + ", then train and sample again"));
        }
    }

    /** {@code warnings} with the check's warning added where it has one (train and sample report both alike). */
    static List<TrustChecks.Warning> addedTo(List<TrustChecks.Warning> warnings, Workspace ws, CompiledFlow flow, long seed) {
        var warning = run(ws, flow, seed).flatMap(Result::warning);
        if (warning.isEmpty()) return warnings;
        var out = new ArrayList<>(warnings);
        out.add(warning.get());
        return out;
    }

    /** Empty for flows without a gradient-flow layer. */
    static Optional<Result> run(Workspace ws, CompiledFlow flow, long seed) {
        FlowModel model = ws.flow();
        List<LayerSpec> refined = new ArrayList<>();
        int steps = 0;
        for (LayerSpec layer : model.layers()) {
            if (layer instanceof LayerSpec.GradientFlow g) steps = Math.max(steps, g.steps());
            refined.add(layer instanceof LayerSpec.GradientFlow g ? g.withSteps(2 * g.steps()) : layer);
        }
        if (steps == 0) return Optional.empty();
        FlowModel finer = new FlowModel(model.name(), model.theory(), model.prior(), refined, model.symmetrize(), model.claims(), model.span());
        var fine = new CompiledFlow(IrPasses.compile(finer, ws.program().names(), null), flow.dtype(), 0);
        // A knot no stage time of the coarse integration weighs was never lowered, so never trained: it keeps its initial value.
        var trained = flow.parameters().asMap();
        fine.parameters().asMap().forEach((name, t) -> {
            Tensor source = trained.get(name);
            if (source != null) for (int i = 0; i < t.size(); i++) t.set(i, source.get(i));
        });
        var random = new SplittableRandom(seed ^ 0x6a09e667f3bcc909L);
        double largest = 0;
        // A few configurations at a time: an unrolled integration keeps every stage's links until it returns.
        for (int done = 0; done < PROPOSALS; done += CHUNK) {
            Tensor z = flow.samplePrior(CHUNK, random);
            Tensor coarse = flow.logDensity(z, flow.forward(z)), refinedLogQ = fine.logDensity(z, fine.forward(z));
            for (int b = 0; b < CHUNK; b++) {
                double change = Math.abs(coarse.get(b) - refinedLogQ.get(b));
                // a NaN is the largest change there is (it warns), not one Math.max would keep or drop by order
                if (Double.isNaN(change)) return Optional.of(new Result(PROPOSALS, steps, change));
                largest = Math.max(largest, change);
            }
        }
        return Optional.of(new Result(PROPOSALS, steps, largest));
    }
}
