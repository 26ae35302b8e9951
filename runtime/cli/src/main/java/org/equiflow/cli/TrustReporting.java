package org.equiflow.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.ActionBounds;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.Proposals;
import org.equiflow.truffle.CompiledFlow;

/** How `train` and `hmc` report an action unbounded below (kept here so the commands only call it). */
final class TrustReporting {
    /** Samples of the trained flow the action is probed along; a handful suffices, since a runaway flow points there with all of them. */
    private static final int PROBED_SAMPLES = 16;

    private TrustReporting() {}

    /**
     * An action unbounded below has no distribution to sample: training or HMC would only run off
     * to −∞. Probes the theory's action and, when it is unbounded, says so and returns true.
     */
    static boolean refusesUnboundedAction(TheoryInstance theory, Resolution names, PrintWriter err) {
        var unbounded = ActionBounds.unboundedBelow(theory, names);
        if (unbounded.isEmpty()) return false;
        String why = unbounded.get();
        err.println("error: the action of `" + theory.name() + "` is unbounded below: " + why
                + "; e^(-S) cannot be normalised, so there is nothing to sample (the loss would fall to -infinity and HMC would run away)");
        err.println("   help: " + TrustChecks.UNBOUNDED_ACTION_HELP);
        err.flush();
        return true;
    }

    /** Probes the action along a few of the flow's samples: a flow trained on an action unbounded below points where it falls. */
    static Optional<String> runawayAlongSamples(TheoryInstance theory, Resolution names, CompiledFlow flow, long seed) {
        var batch = new Proposals(flow, seed).next(PROBED_SAMPLES);
        return ActionBounds.unboundedAlong(theory, names, batch.configs(), PROBED_SAMPLES);
    }

    static void warnIfRunawayAlongSamples(TheoryInstance theory, Resolution names, CompiledFlow flow, long seed, PrintWriter err) {
        runawayAlongSamples(theory, names, flow, seed).ifPresent(why -> TrustChecks.print(List.of(TrustChecks.unboundedAction(theory, why)), err));
    }
}
