package org.equiflow.cli;

import java.util.concurrent.Callable;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.Printer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow ir FILE`: the checked program — theories with their lattices, flows unrolled and shaped. */
@Command(name = "ir", mixinStandardHelpOptions = true,
        description = "Print the checked program: theory instances, flows with every layer and net shaped, run settings.")
final class IrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The .flow script.")
    String file;

    @Mixin
    DiagnosticOptions diagnostics = new DiagnosticOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Compiler.Result result = diagnostics.compile(file, spec.commandLine().getErr());
        if (!result.ok()) return 1;
        spec.commandLine().getOut().print(Printer.print(result.program().orElseThrow()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
