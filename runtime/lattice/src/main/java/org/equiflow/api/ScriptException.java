package org.equiflow.api;

import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.DiagnosticRenderer;

/** A script that does not compile: {@link #compiled()} holds its diagnostics, {@link #rendered()} shows them as {@code check} does. */
public final class ScriptException extends Exception {
    private final transient Compiler.Result compiled;

    ScriptException(String script, Compiler.Result compiled) {
        super(script + " does not compile: " + compiled.diagnostics().errorCount() + " error"
                + (compiled.diagnostics().errorCount() == 1 ? "" : "s") + "\n" + render(compiled));
        this.compiled = compiled;
    }

    /** The compiler's result, with every diagnostic (warnings too). */
    public Compiler.Result compiled() { return compiled; }

    /** The diagnostics as {@code equiflow check} prints them, without colour, in source order. */
    public String rendered() { return render(compiled); }

    private static String render(Compiler.Result compiled) {
        var renderer = new DiagnosticRenderer(false);
        StringBuilder text = new StringBuilder();
        for (Diagnostic d : compiled.diagnostics().sorted()) text.append(renderer.render(d));
        return text.toString();
    }
}
