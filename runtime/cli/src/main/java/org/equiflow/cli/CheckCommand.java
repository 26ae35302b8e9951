package org.equiflow.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.equiflow.compiler.Compiler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `equiflow check FILE…`: diagnostics for each file; exit 1 if any has an error. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check .flow scripts: syntax, imports, names, types, lattice shapes, net channels and symmetries.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The .flow scripts to check.")
    List<String> files;

    @Mixin
    FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();

    @picocli.CommandLine.Option(names = "--explain",
            description = "For every flow, print per layer which of its theory's symmetries hold and why.")
    boolean explain;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        long warnings = 0;
        for (String file : files) {
            Compiler.Result result = diagnostics.compile(file, err);
            warnings += result.diagnostics().warningCount();
            if (result.ok()) {
                out.println("ok: " + file + summary(result));
                if (explain) {
                    for (var flow : result.program().orElseThrow().flows()) out.print(org.equiflow.compiler.symmetry.Explanation.explain(flow));
                }
            } else {
                failed++;
                err.println("failed: " + file + " (" + result.diagnostics().errorCount() + " error"
                        + (result.diagnostics().errorCount() == 1 ? "" : "s") + ")");
            }
        }
        out.println(files.size() - failed + " passed, " + failed + " failed" + (warnings > 0 ? ", " + warnings + " warnings" : ""));
        out.flush();
        err.flush();
        return failed == 0 ? 0 : 1;
    }

    private static String summary(Compiler.Result result) {
        var program = result.program().orElseThrow();
        return " (" + program.theories().size() + " theor" + (program.theories().size() == 1 ? "y" : "ies") + ", "
                + program.flows().size() + " flow" + (program.flows().size() == 1 ? "" : "s") + ", "
                + program.runs().size() + " run block" + (program.runs().size() == 1 ? "" : "s") + ")";
    }
}
