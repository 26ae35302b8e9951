package org.equiflow.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.equiflow.api.Flow;
import org.equiflow.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow run FILE`: train, then sample, then write the report — the whole job in one command. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Train a flow, sample it exactly, measure, and write the report.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") String file;
    @Mixin TrainCommand.TrainingFlags training = new TrainCommand.TrainingFlags();
    @Option(names = "--count", description = "Chain length, 1 to " + OptionChecks.MAX_COUNT + " (default: the script's `sample` block, else 4096).") Long count;
    @Mixin FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();
    @Mixin DeviceOptions device = new DeviceOptions();
    @Mixin DistributedOptions distributed = new DistributedOptions();
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var checks = new OptionChecks(spec);
        training.validate(checks);
        var sampling = new SampleCommand.SamplingFlags();
        sampling.count = count;
        sampling.noProgress = training.noProgress;
        sampling.validate(checks);
        Trainer.Reduction reduction = training.reduction();
        // Rank 0 speaks for the job; the others train and sample silently beside it.
        return distributed.runAsRank(out, err, device,
                description -> "training and sampling on " + description + ", gradients added in " + reduction.label().replace('-', ' '),
                (job, rankOut, rankErr) -> {
            Flow flow = diagnostics.openFlow(file, training.flow, training.out, training.resume, rankErr);
            if (flow == null) return 1;
            boolean quiet = job.rank() != 0;
            var run = flow.trainAndSample(training.options(), sampling.options(), new TrainCommand.Printer(rankOut, rankErr, training.noProgress || quiet),
                    new SampleCommand.Printer(rankOut, rankErr, sampling.noProgress || quiet), job, reduction);
            if (run.training().diverged()) return TrainCommand.exitCode(run.training());
            return SampleCommand.report(run.sampling(), rankOut);
        });
    }
}
