package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.equiflow.compiler.ast.Item;
import org.equiflow.io.Checkpoint;
import org.equiflow.physics.Measurements;
import org.equiflow.physics.TrustChecks;
import org.equiflow.sample.FlowSamplers;
import org.equiflow.sample.Proposals;
import org.equiflow.sample.Samples;
import org.equiflow.stats.Reweighting;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;

/** Sampling a run directory's flow: size and memory, the registered sampler, measurements, one committed result. */
final class Sampling {
    private Sampling() {}

    static SamplingResult sample(Workspace ws, RunDirectory directory, SamplingOptions o, SamplingListener listener) throws IOException {
        var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
        var size = Size.of(ws, o);
        int count = size.count(), batch = size.batch();
        long seed = settings.integer("seed", o.seed(), 1);
        String method = settings.choice("method", FlowSamplers.DEFAULT);
        int thermalize = Limits.intRange(Limits.source(null, "--thermalize", "sample", "thermalize"),
                settings.integer("thermalize", null, 0), 0, Limits.MAX_COUNT - count);
        List<String> measure = new ArrayList<>(settings.names("measure"));
        if (measure.isEmpty()) measure.addAll(List.of("acceptance", "ess"));
        // A trained flow is there: `sample` checked before locking the directory, `run` has just trained it.
        Checkpoint.Contents checkpoint = o.untrained() ? null : Artifacts.readCheckpoint(ws);
        size.requireMemory(ws, "a smaller --count or --sample-batch");
        var trainSettings = RunSettings.of(ws.program(), Item.RunKind.TRAIN, ws.flow().name());
        Precision precision = checkpoint != null ? Training.trainedPrecision(checkpoint, o.precision(), "sampling runs")
                : o.precision() != null ? o.precision() : Precision.named(trainSettings.choice("precision", Precision.DEFAULT.label()));
        var flow = new CompiledFlow(ws.ir(), precision.dtypeOnCurrentBackend(), 0);
        List<Trainer.Step> history = checkpoint != null ? Artifacts.restore(ws, checkpoint, flow, null).history() : List.of();
        var sampler = FlowSamplers.named(method);
        listener.started(new SamplingListener.Start(ws.flow().name(), count, thermalize, method, seed));
        var proposals = new Proposals(flow, seed);
        Samples samples;
        long start = System.nanoTime();
        try {
            samples = sampler.draw(proposals, count, thermalize, batch, seed, listener::progress);
        } finally {
            listener.ended();
        }
        double samplingSeconds = (System.nanoTime() - start) / 1e9;
        double ess = Reweighting.ess(samples.proposalLogWeights());
        var report = Measurements.measure(ws.flow().theory(), ws.program().names(), samples.configs(), samples.count(), measure,
                samples.weighted() ? samples.proposalLogWeights() : null);
        var warnings = TrustChecks.forFlowSamples(ws.flow().theory(), ws.program().names(),
                report, samples.acceptance(), ess, samples.count(), samples.weighted());
        long trainingStep = checkpoint == null ? -1 : checkpoint.trainingStep();
        Path current = ws.directory().resolve(RunDirectory.CURRENT);
        var result = new SamplingResult(ws.flow().name(), method, seed, samples, ess, report, warnings, trainingStep,
                current.resolve("ensemble.npy"), current.resolve("report"));
        listener.measured(result);
        // Ensemble, metadata, weights and report are one result: staged completely, then made current in one rename.
        Path staged = directory.stage();
        Artifacts.writeEnsemble(ws, staged, samples, method, seed, ess, report, trainingStep, samplingSeconds);
        var description = RunDescriptions.flow(ws, checkpoint, history,
                new RunDescriptions.FlowSampling(method, samples.weighted(), seed, count, batch, thermalize, precision, samplingSeconds));
        Artifacts.writeReport(ws, staged, samples, ess, report, description);
        directory.commit(staged);
        return result;
    }

    /** How much a sampling run draws: the chain length and the proposals per batch, from the options or the script's `sample` block. */
    record Size(int count, int batch) {
        static Size of(Workspace ws, SamplingOptions o) {
            var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
            int count = Limits.intRange(Limits.source(o.count(), "--count", "sample", "count"), settings.integer("count", o.count(), 4096),
                    1, Limits.MAX_COUNT);
            int batch = (int) Math.min(count, Limits.range(Limits.source(o.batch(), "--sample-batch", "sample", "batch"),
                    o.batch() != null ? o.batch() : settings.integer("batch", null, 1024), 1, Limits.MAX_BATCH));
            return new Size(count, batch);
        }

        /** Refuses a sampling run the heap cannot hold; {@code smaller} names what the user can shrink. */
        void requireMemory(Workspace ws, String smaller) {
            MemoryEstimate.require(MemoryEstimate.sampling(ws.flow(), count, batch), "sampling " + count + " configurations of "
                    + ws.flow().name(), smaller);
        }
    }

    /** There is nothing to sample: which run to train, and which runs trained with overrides are there instead. */
    static RunFailure noTrainedFlow(Workspace ws) throws IOException {
        StringBuilder message = new StringBuilder("no trained flow at " + ws.checkpoint());
        message.append("\n   help: train it first (`equiflow train ").append(ws.script())
                .append("`), or pass --untrained to sample the initial flow");
        // Without overrides the default directory is the parent of every scan point's: say which points were trained.
        try (var entries = Files.isDirectory(ws.directory()) ? Files.list(ws.directory()) : Stream.<Path>empty()) {
            message.append(entries.filter(d -> Files.isRegularFile(d.resolve("checkpoint.eqf"))).sorted()
                    .map(d -> "\n   note: a run trained with --set is at " + d + "; sample it with the same --set values")
                    .collect(Collectors.joining()));
        }
        return new RunFailure(message.toString());
    }
}
