package org.equiflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow run FILE`: train, then sample, then write the report — the whole job in one command. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Train a flow, sample it exactly, measure, and write the report.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin TrainCommand.TrainingOptions training = new TrainCommand.TrainingOptions();
    @Option(names = "--count", description = "Chain length, 1 to " + OptionChecks.MAX_COUNT + " (default: the script's `sample` block, else 4096).") Long count;
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        device.activate(err);
        var checks = new OptionChecks(spec);
        training.validate(checks);
        var sampling = new SampleCommand.SamplingOptions();
        sampling.count = count;
        sampling.noProgress = training.noProgress;
        sampling.validate(checks);
        Workspace ws = Workspace.open(file, training.flow, training.out, diagnostics, training.resume, err);
        if (ws == null) return 1;
        // Sampling's memory is checked before training too, so that a run does not train for an hour and then fail.
        SampleCommand.Size.of(ws, sampling, checks).requireMemory(ws, "a smaller --count or the `batch` of the script's `sample` block");
        // One lock for both halves: no other command can slip in between training and sampling.
        try (RunDirectory directory = RunDirectory.open(ws.directory())) {
            int trained = TrainCommand.train(ws, directory, training, checks, out, err);
            if (trained != 0) return trained;
            return SampleCommand.sample(ws, directory, sampling, checks, out, err);
        }
    }
}
