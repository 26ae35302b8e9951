package org.equiflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.DiagnosticRenderer;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.model.CheckedProgram;
import org.equiflow.compiler.model.FlowModel;

/**
 * A script made ready to run: checked (with overrides), one flow chosen and lowered, and the
 * run directory where its checkpoint, metrics, ensembles and report live
 * ({@code runs/<script name>/<flow>} unless {@code --out} says otherwise).
 */
record Workspace(Path script, String scriptText, CheckedProgram program, FlowModel flow, IrProgram ir, Path directory) {

    /** Compiles and lowers; prints diagnostics and returns null when the script cannot run. */
    static Workspace open(String scriptArgument, String flowName, Path out, DiagnosticOptions options, PrintWriter err)
            throws IOException {
        Compiler.Result result = options.compile(scriptArgument, err);
        if (!result.ok()) return null;
        CheckedProgram program = result.program().orElseThrow();
        if (program.flows().isEmpty()) {
            err.println("error: " + scriptArgument + " defines no flow to train or sample");
            return null;
        }
        String name = flowName != null ? flowName : program.flows().get(0).name();
        var flow = program.flow(name);
        if (flow.isEmpty()) {
            err.println("error: no flow `" + name + "` in " + scriptArgument + "; flows: "
                    + String.join(", ", program.flows().stream().map(FlowModel::name).toList()));
            return null;
        }
        var ir = Compiler.lower(result, name, null);
        if (ir.isEmpty()) {
            var renderer = new DiagnosticRenderer(options.useColor());
            result.diagnostics().all().stream().filter(d -> d.isError()).forEach(d -> err.print(renderer.render(d)));
            err.flush();
            return null;
        }
        Path script = Path.of(scriptArgument);
        String stem = script.getFileName().toString().replaceFirst("\\.flow$", "");
        Path directory = out != null ? out : Path.of("runs", stem, name);
        Files.createDirectories(directory);
        return new Workspace(script, Files.readString(script), program, flow.get(), ir.get(), directory);
    }

    Path checkpoint() { return directory.resolve("checkpoint.eqf"); }
}
