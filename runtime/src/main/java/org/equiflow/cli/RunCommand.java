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
    @Option(names = "--count", description = "Chain length (default: the script's `sample` block, else 4096).") Long count;
    @Mixin DiagnosticOptions diagnostics = new DiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        device.activate(err);
        Workspace ws = Workspace.open(file, training.flow, training.out, diagnostics, err);
        if (ws == null) return 1;
        int trained = TrainCommand.train(ws, training, out, err);
        if (trained != 0) return trained;
        var sampling = new SampleCommand.SamplingOptions();
        sampling.count = count;
        return SampleCommand.sample(ws, sampling, out, err);
    }
}
