package org.equiflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.DiagnosticRenderer;
import picocli.CommandLine.Option;

/** How diagnostics are shown; shared by every command that compiles a script. */
final class DiagnosticOptions {
    @Option(names = "--color", description = "Colour diagnostics: auto, always or never (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String color;

    boolean useColor() {
        return switch (color) {
            case "always" -> true;
            case "never" -> false;
            default -> System.console() != null && System.getenv("NO_COLOR") == null && System.console().isTerminal();
        };
    }

    /** Compiles one file and prints its diagnostics to err; returns the result. */
    Compiler.Result compile(String argument, PrintWriter err) {
        Compiler.Result result = Compiler.check(Path.of(argument), argument);
        var renderer = new DiagnosticRenderer(useColor());
        for (Diagnostic d : result.diagnostics().sorted()) err.print(renderer.render(d));
        err.flush();
        return result;
    }
}
