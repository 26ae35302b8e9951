package org.equiflow.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.RunDescription;
import org.equiflow.train.Trainer;

/**
 * The report's account of what was run, from what a run has at hand: every theory parameter as bound, the --set
 * values, every seed, the sampler's and the training's settings, and the wall times.
 */
final class RunDescriptions {
    private RunDescriptions() {}

    /** How a flow's chain or reweighted sample was drawn, as `sample` resolved it. */
    record FlowSampling(String method, boolean weighted, long seed, int count, int batch, int thermalize, Precision precision,
                        double seconds, Map<String, String> trajectory) {
        FlowSampling(String method, boolean weighted, long seed, int count, int batch, int thermalize, Precision precision, double seconds) {
            this(method, weighted, seed, count, batch, thermalize, precision, seconds, Map.of());
        }
    }

    /**
     * A flow run: {@code checkpoint} is the trained flow's (null for an untrained flow), {@code history} its training
     * steps, whose times add up to the training's wall time.
     */
    static RunDescription flow(Workspace ws, Checkpoint.Contents checkpoint, List<Trainer.Step> history, FlowSampling sampling) {
        var theory = ws.flow().theory();
        String title = ws.flow().name() + " for " + theory.name() + " on " + theory.lattice();
        Map<String, String> seeds = new LinkedHashMap<>();
        Map<String, String> training = new LinkedHashMap<>();
        if (checkpoint == null) {
            training.put("trained", "no: the untrained flow was sampled (--untrained)");
        } else {
            seeds.put("training", Long.toString(checkpoint.seed()));
            training.put("flow", ws.flow().name());
            training.put("steps trained", Long.toString(checkpoint.trainingStep()));
            var provenance = checkpoint.provenance();
            if (provenance != null && provenance.training() != null) {
                provenance.training().forEach((key, value) -> {
                    if (!key.equals("seed") && !key.startsWith(Transfer.PREFIX)) training.put(key.equals("steps") ? "steps planned" : key, value);
                });
                // A run that started from another's parameters (--from) says which, at what step and couplings.
                String origin = Transfer.describe(Transfer.originIn(provenance.training()), Workspace.theoryParameters(ws.flow()));
                if (origin != null) training.put("started from", origin);
            } else {
                // A checkpoint older than the recorded settings still has the optimizer's.
                training.put("lr", Double.toString(checkpoint.adam().learningRate()));
                training.put("beta1", Double.toString(checkpoint.adam().beta1()));
                training.put("beta2", Double.toString(checkpoint.adam().beta2()));
                training.put("eps", Double.toString(checkpoint.adam().eps()));
            }
            training.put("precision", checkpoint.dtype());
        }
        seeds.put("sampling", Long.toString(sampling.seed()));
        Map<String, String> sampler = new LinkedHashMap<>();
        sampler.put("method", sampling.method());
        sampler.put("count", Integer.toString(sampling.count()));
        sampler.put("proposals per batch", Integer.toString(sampling.batch()));
        sampler.put("thermalize", Integer.toString(sampling.thermalize()));
        sampler.put("precision", sampling.precision().label());
        // flow_hmc's trajectories: integrator, step size, md steps
        sampler.putAll(sampling.trajectory());
        if (sampling.weighted()) sampler.put(RunDescription.WEIGHTS, "w = e^{−S}/q per configuration, in ensemble_log_weights.npy");
        Map<String, String> wallTimes = new LinkedHashMap<>();
        double trainingSeconds = history.stream().mapToDouble(Trainer.Step::seconds).sum();
        if (!history.isEmpty()) wallTimes.put("training (" + history.size() + " steps)", seconds(trainingSeconds));
        wallTimes.put("sampling", seconds(sampling.seconds()));
        return new RunDescription(title, RunDescription.FLOW, ws.script().toString(), ws.scriptText(), Workspace.theoryParameters(ws.flow()),
                ws.overrides(), seeds, sampler, training, wallTimes);
    }

    /** An HMC run of {@code plan}, whose trajectories took {@code seconds}. */
    static RunDescription hmc(Session session, HmcRun.Plan plan, double seconds) {
        var theory = plan.theory();
        Map<String, String> sampler = new LinkedHashMap<>();
        sampler.put("method", "hmc");
        sampler.put("integrator", plan.integrator().name().toLowerCase(Locale.ROOT));
        sampler.put("step size", Double.toString(plan.stepSize()));
        sampler.put("md steps", Integer.toString(plan.mdSteps()));
        sampler.put(RunDescription.CHAINS, Integer.toString(plan.chains()));
        sampler.put("trajectories per chain (measured)", Long.toString(plan.trajectories()));
        sampler.put("thermalize (per chain)", Long.toString(plan.thermalize()));
        sampler.put("precision", Precision.F64.label());
        sampler.put("measure", String.join(", ", plan.measure()));
        return new RunDescription("HMC for " + theory.name() + " on " + theory.lattice(), RunDescription.HMC, session.scriptName(),
                session.scriptText(), Workspace.theoryParameters(theory), session.overrides(), Map.of("hmc", Long.toString(plan.seed())),
                sampler, Map.of(), Map.of("trajectories (thermalization included)", seconds(seconds)));
    }

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, seconds < 1 ? "%.3f s" : "%.1f s", seconds);
    }
}
