package org.equiflow.compiler;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.check.ActionSymmetry;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.check.DefinitionCycles;
import org.equiflow.compiler.check.Elaborator;
import org.equiflow.compiler.check.PreludeShadowing;
import org.equiflow.compiler.check.Resolver;
import org.equiflow.compiler.check.ScopeBuilder;
import org.equiflow.compiler.check.TheoryChecker;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.LoweringException;
import org.equiflow.compiler.ir.RuntimeCheck;
import org.equiflow.compiler.modules.ModuleLoader;
import org.equiflow.compiler.symmetry.SymmetryChecker;

/**
 * The front end, top to bottom. Each phase is one pure step with a postcondition stated on its
 * class; the pipeline stops after the first phase that reports an error, so users see every
 * error of that phase and none of the noise later phases would make of broken input.
 */
public final class Compiler {
    private Compiler() {}

    /** The diagnostics of one file and, when it checked without errors, what it declares. */
    public record Result(Diagnostics diagnostics, Optional<CheckedProgram> program) {
        public boolean ok() { return !diagnostics.hasErrors(); }
    }

    public static Result check(Path file, String displayName) {
        return check(file, displayName, Map.of());
    }

    /**
     * Checks a script with command-line overrides of theory arguments, e.g.
     * {@code T.lattice → [16, 16]} or {@code T.m2 → -3.5} (values are literals).
     */
    public static Result check(Path file, String displayName, Map<String, String> overrides) {
        return check(file, displayName, overrides, false);
    }

    /**
     * As {@link #check(Path, String, Map)}; with {@code strict}, a flow that breaks a symmetry its
     * theory declares (without claiming it) is an error instead of a warning.
     */
    public static Result check(Path file, String displayName, Map<String, String> overrides, boolean strict) {
        var diagnostics = new Diagnostics();
        try {
            return new Result(diagnostics, run(file, displayName, overrides, strict, diagnostics));
        } catch (StackOverflowError e) {
            // Last resort: an expression tree deeper than the stack (a generated sum of thousands
            // of terms). Brackets are bounded by the parser (E0106) and definition cycles by
            // DefinitionCycles (E0311), so this is rare; the file is the best position known.
            var fileStart = new Span(SourceFile.of(displayName, ""), 0, 0);
            diagnostics.add(new Diagnostic(ErrorCode.E0106, Severity.ERROR, fileStart,
                    "`" + displayName + "` nests expressions too deeply to compile", List.of(),
                    List.of("split long generated expressions into several `let`s")));
            return new Result(diagnostics, Optional.empty());
        }
    }

    /**
     * Lowers one checked flow to IR and runs the IR passes up to {@code lastPass} (null: all).
     * What the runtime cannot execute yet was already refused by {@link #check} (E0800, phase 7).
     */
    public static Optional<IrProgram> lower(Result checked, String flow, String lastPass) {
        var program = checked.program().orElseThrow();
        var model = program.flow(flow).orElseThrow(() -> new IllegalArgumentException("no flow " + flow));
        try {
            return Optional.of(IrPasses.compile(model, program.names(), lastPass));
        } catch (LoweringException e) {
            // Unreachable for a program that checked (RuntimeCheck lowered it already); kept so that
            // callers holding a Result get a diagnostic rather than an exception if the two drift.
            checked.diagnostics().add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, e.span(), e.getMessage(), List.of(),
                    e.help() == null ? List.of() : List.of(e.help())));
            return Optional.empty();
        }
    }

    private static Optional<CheckedProgram> run(Path file, String displayName, Map<String, String> overrides,
                                                boolean strict, Diagnostics diagnostics) {
        // 1. read, parse and load every imported module (syntax, imports, cycles)
        var loader = new ModuleLoader(diagnostics);
        var root = loader.loadRoot(file, displayName);
        if (root.isEmpty() || diagnostics.hasErrors()) return Optional.empty();

        // 2. top-level scopes: definitions and imports of each module
        var scopes = ScopeBuilder.build(loader, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();
        // 2b. warn where the user's names hide the prelude's (warnings only: the pipeline goes on)
        PreludeShadowing.check(scopes, diagnostics);

        // 3. bind every name to its declaration
        var resolution = Resolver.resolve(scopes, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 3b. no top-level constant or theory instance is defined in terms of itself (evaluation would not end)
        DefinitionCycles.check(scopes, resolution, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 4. type-check theories: fields, actions, observables, symmetry declarations
        TheoryChecker.check(scopes, resolution, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 4b. every declared symmetry leaves its theory's action invariant
        ActionSymmetry.check(scopes, resolution, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 5. instantiate theories and flows: lattices, masks, unrolled layers, net channels, run blocks
        CheckedProgram program = Elaborator.elaborate(root.get(), scopes, resolution, overrides, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 6. every flow against its theory's symmetries: claims are errors, the rest warnings (errors if strict)
        SymmetryChecker.check(program, strict, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();

        // 7. everything a run can execute lowers, as train/sample/hmc lower it: the rest is E0800 at its source
        RuntimeCheck.check(program, diagnostics);
        if (diagnostics.hasErrors()) return Optional.empty();
        return Optional.of(program);
    }
}
