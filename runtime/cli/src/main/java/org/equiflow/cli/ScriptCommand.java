package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.equiflow.api.RunFailure;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.CheckpointException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `equiflow script DIR`: the script a run was trained from, as stored in its checkpoint, with the
 * --set values and training settings as comments on top — so `equiflow script DIR > old.flow`
 * gives a script that runs again (comments do not change a run's identity).
 */
@Command(name = "script", mixinStandardHelpOptions = true,
        description = "Print the script a run was trained from (stored in its checkpoint), headed by the theory overrides and settings it was trained with.")
final class ScriptCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "A run directory, or a checkpoint file.") Path run;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path checkpoint = Files.isDirectory(run) ? run.resolve("checkpoint.eqf") : run;
        Checkpoint.Contents contents;
        try {
            contents = Checkpoint.load(checkpoint);
        } catch (CheckpointException e) {
            throw new RunFailure(e.getMessage());
        }
        out.println("// the script of " + checkpoint + ": flow " + contents.flowName() + ", step " + contents.trainingStep());
        var provenance = contents.provenance();
        if (provenance == null) {
            out.println("// (a format " + contents.formatVersion() + " checkpoint: its --set values were not recorded; seed "
                    + contents.seed() + ", lr " + contents.adam().learningRate() + ")");
        } else {
            out.println("// trained with: " + (provenance.overrides().isEmpty() ? "no --set" : TrainCommand.setFlags(provenance.overrides())));
            if (!provenance.training().isEmpty()) {
                out.println("// settings: " + String.join(", ", provenance.training().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).toList()));
            }
        }
        out.print(contents.scriptText());
        if (!contents.scriptText().endsWith("\n")) out.println();
        out.flush();
        return 0;
    }
}
