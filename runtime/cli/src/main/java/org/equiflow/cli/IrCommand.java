package org.equiflow.cli;

import java.util.concurrent.Callable;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.DiagnosticRenderer;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.IrPrinter;
import org.equiflow.compiler.model.Printer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow ir FILE [--after PASS]`: the checked program, or a flow's IR after a pass. */
@Command(name = "ir", mixinStandardHelpOptions = true,
        description = {"Print the checked program: theory instances, flows with every layer and net shaped, run settings.",
                "With --after, print a flow's IR (its forward map, its inverse for `symmetrize z2`, prior log-density and action) after that pass."})
final class IrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The .flow script.")
    String file;

    @Option(names = "--after", paramLabel = "PASS", description = "Print the IR after this pass: ${COMPLETION-CANDIDATES}.",
            completionCandidates = PassNames.class)
    String after;

    @Option(names = "--flow", paramLabel = "NAME", description = "The flow to lower (default: the first one).")
    String flow;

    @Mixin
    FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static final class PassNames extends java.util.ArrayList<String> {
        PassNames() { super(IrPasses.names()); }
    }

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        if (after != null && !IrPasses.names().contains(after)) {
            err.println("equiflow ir: unknown pass `" + after + "`; passes: " + String.join(", ", IrPasses.names()));
            return 2;
        }
        Compiler.Result result = diagnostics.compile(file, err);
        if (!result.ok()) return 1;
        var program = result.program().orElseThrow();
        if (after == null) {
            out.print(Printer.print(program));
            out.flush();
            return 0;
        }
        if (program.flows().isEmpty()) {
            err.println("equiflow ir: " + file + " defines no flow to lower");
            return 1;
        }
        String name = flow != null ? flow : program.flows().get(0).name();
        if (program.flow(name).isEmpty()) {
            err.println("equiflow ir: no flow `" + name + "` in " + file + "; flows: "
                    + String.join(", ", program.flows().stream().map(f -> f.name()).toList()));
            return 1;
        }
        var ir = Compiler.lower(result, name, after);
        if (ir.isEmpty()) {
            var renderer = new DiagnosticRenderer(diagnostics.useColor());
            result.diagnostics().all().stream().filter(d -> d.isError()).forEach(d -> err.print(renderer.render(d)));
            err.flush();
            return 1;
        }
        out.print(IrPrinter.print(ir.get()));
        out.flush();
        return 0;
    }
}
