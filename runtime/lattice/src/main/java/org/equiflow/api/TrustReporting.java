package org.equiflow.api;

import java.util.List;
import java.util.Optional;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.ActionBounds;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Proposals;
import org.equiflow.truffle.CompiledFlow;

/** How training and HMC meet an action unbounded below: refused before the work, or reported along a trained flow's samples. */
final class TrustReporting {
    /** Samples of the trained flow the action is probed along; a handful suffices, since a runaway flow points there with all of them. */
    private static final int PROBED_SAMPLES = 16;

    private TrustReporting() {}

    /**
     * An action unbounded below has no distribution to sample: training or HMC would only run off
     * to −∞. Probes the theory's action and, when it is unbounded, refuses the job saying why.
     */
    static void refuseUnboundedAction(TheoryInstance theory, Resolution names) {
        var unbounded = ActionBounds.unboundedBelow(theory, names);
        if (unbounded.isEmpty()) return;
        throw new RunFailure("the action of `" + theory.name() + "` is unbounded below: " + unbounded.get()
                + "; e^(-S) cannot be normalised, so there is nothing to sample (the loss would fall to -infinity and HMC would run away)"
                + "\n   help: " + TrustChecks.UNBOUNDED_ACTION_HELP);
    }

    /** Probes the action along a few of the flow's samples: a flow trained on an action unbounded below points where it falls. */
    static Optional<String> runawayAlongSamples(TheoryInstance theory, Resolution names, CompiledFlow flow, long seed) {
        var batch = new Proposals(flow, seed).next(PROBED_SAMPLES);
        return ActionBounds.unboundedAlong(theory, names, batch.configs(), PROBED_SAMPLES);
    }

    static List<TrustChecks.Warning> runawayWarnings(TheoryInstance theory, Resolution names, CompiledFlow flow, long seed) {
        return runawayAlongSamples(theory, names, flow, seed).map(why -> List.of(TrustChecks.unboundedAction(theory, why))).orElse(List.of());
    }
}
