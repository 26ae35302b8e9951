package org.equiflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.equiflow.api.Flow;
import org.equiflow.api.ScriptException;
import org.equiflow.api.Session;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.DiagnosticRenderer;
import picocli.CommandLine.Option;

/** How diagnostics are shown; shared by every command that compiles a script. */
class DiagnosticOptions {
    @Option(names = "--color", description = "Colour diagnostics: auto, always or never (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String color;

    @Option(names = "--set", paramLabel = "THEORY.PARAM=VALUE", mapFallbackValue = "",
            description = "Override a theory argument of the script, e.g. --set T.m2=-3.5 --set T.lattice=[16,16].")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Whether a flow that breaks a declared symmetry is an error; only commands that use flows offer `--strict`. */
    boolean strict() { return false; }

    boolean useColor() {
        return switch (color) {
            case "always" -> true;
            case "never" -> false;
            default -> System.console() != null && System.getenv("NO_COLOR") == null && System.console().isTerminal();
        };
    }

    /** Compiles one file and prints its diagnostics to err; returns the result. */
    Compiler.Result compile(String argument, PrintWriter err) {
        Compiler.Result result = check(argument, overrides);
        print(result, err, d -> true);
        return result;
    }

    /** Compiles without printing, with the given overrides. */
    Compiler.Result check(String argument, Map<String, String> withOverrides) {
        return Compiler.check(Path.of(argument), argument, withOverrides, strict());
    }

    /**
     * Opens the script for a command that trains or samples {@code flowName} (null: the first) in
     * {@code out} (null: the default directory), printing its diagnostics once; null when it does
     * not compile. With {@code resume}, a run's own --set values apply when none are given.
     */
    Flow openFlow(String argument, String flowName, Path out, boolean resume, PrintWriter err) throws IOException {
        Session session;
        try {
            session = resume ? Session.openToResume(Path.of(argument), overrides, strict(), flowName, out)
                    : Session.open(Path.of(argument), overrides, strict());
        } catch (ScriptException e) {
            print(e.compiled(), err, d -> true);
            return null;
        }
        print(session.compiled(), err, d -> true);
        try {
            return session.flow(flowName, out);
        } catch (ScriptException e) {
            print(e.compiled(), err, Diagnostic::isError);
            return null;
        }
    }

    /** Prints the diagnostics that {@code shown} accepts, once, in source order. */
    void print(Compiler.Result result, PrintWriter err, Predicate<Diagnostic> shown) {
        var renderer = new DiagnosticRenderer(useColor());
        for (Diagnostic d : result.diagnostics().sorted()) if (shown.test(d)) err.print(renderer.render(d));
        err.flush();
    }
}
