package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * The last phase of {@code check}: lowers what a run can execute, exactly as {@code train},
 * {@code sample}, {@code run} and {@code hmc} lower it, so that what {@code check} accepts the
 * runtime executes. Every theory instance's action and observables (HMC and the measurements
 * lower them on their own) and every flow (with its prior, inverse and action) are lowered;
 * a {@link LoweringException} becomes an E0800 at its source position.
 *
 * Postcondition: with no error reported, {@link IrPasses#compile} succeeds on every flow, and
 * {@link Lowering#lowerAction} and {@link Lowering#lowerObservable} (with {@link IrPasses#optimize})
 * on every theory instance of the program.
 *
 * A failure inside a standard-library module (a std theory's action, say) is reported at the
 * user's own position that makes it fail — the theory instance or the flow — with a note at the
 * library's line, because that is the line the user can change.
 */
public final class RuntimeCheck {
    private RuntimeCheck() {}

    public static void check(CheckedProgram program, Diagnostics diagnostics) {
        var reporter = new Reporter(program.file(), diagnostics);
        for (TheoryInstance theory : program.theories()) {
            // As Hmc and Measurements do: the lowered function, then every IR pass.
            reporter.attempt(theory.span(), () -> IrPasses.optimize(Lowering.lowerAction(theory, program.names())));
            for (TheoryInstance.Observable observable : theory.observables()) {
                reporter.attempt(theory.span(), () -> IrPasses.optimize(Lowering.lowerObservable(theory, program.names(), observable)));
            }
        }
        for (FlowModel flow : program.flows()) {
            // As `train` and `sample` do (Compiler.lower): the flow, its prior, inverse and action, then every IR pass.
            reporter.attempt(flow.span(), () -> IrPasses.compile(flow, program.names(), null));
        }
        for (org.equiflow.compiler.model.RunSpec run : program.runs()) requireInverse(program, run, diagnostics);
    }

    /**
     * A loss that evaluates log q of configurations it did not draw (path gradients, REINFORCE)
     * runs the flow backwards: every layer needs an inverse, refused at the train block otherwise.
     */
    private static void requireInverse(CheckedProgram program, org.equiflow.compiler.model.RunSpec run, Diagnostics diagnostics) {
        if (run.kind() != org.equiflow.compiler.ast.Item.RunKind.TRAIN
                || !(run.settings().get("loss") instanceof org.equiflow.compiler.model.RunSpec.Choice loss)
                || !org.equiflow.compiler.check.RuntimeSupport.LOSSES_THROUGH_THE_INVERSE.contains(loss.name())) return;
        FlowModel flow = program.flow(run.target()).orElse(null);
        if (flow == null) return;
        for (int i = 0; i < flow.layers().size(); i++) {
            var layer = flow.layers().get(i);
            String why = LayerLowering.of(layer).noInverse(layer);
            if (why == null) continue;
            diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, run.span(),
                    "`loss " + loss.name() + "` evaluates log q of given configurations through the inverse flow, and layer " + i
                            + " of `" + flow.name() + "` has no inverse: " + why,
                    List.of(new Diagnostic.Note("the layer", layer.span())),
                    List.of("use `loss reverse_kl`, or layers the runtime inverts ("
                            + org.equiflow.compiler.check.RuntimeSupport.list(org.equiflow.compiler.check.RuntimeSupport.INVERTIBLE_LAYERS) + ")")));
            return;
        }
    }

    /** Turns lowering failures into diagnostics, each distinct failure once (a flow lowers its theory's action again). */
    private static final class Reporter {
        private final String rootFile;
        private final Diagnostics diagnostics;
        private final Set<String> reported = new HashSet<>();

        Reporter(String rootFile, Diagnostics diagnostics) {
            this.rootFile = rootFile;
            this.diagnostics = diagnostics;
        }

        void attempt(Span userPosition, Supplier<?> lowering) {
            try {
                lowering.get();
            } catch (LoweringException e) {
                Span at = e.span() == null ? userPosition : e.span();
                List<Diagnostic.Note> notes = new ArrayList<>();
                if (at != null && userPosition != null && !at.file().displayName().equals(rootFile)) {
                    notes.add(new Diagnostic.Note("what the runtime cannot execute is here", at));
                    at = userPosition;
                }
                String key = (at == null ? "-" : at.location()) + " " + e.getMessage();
                if (!reported.add(key)) return;
                diagnostics.add(new Diagnostic(ErrorCode.E0800, Severity.ERROR, at, e.getMessage(), notes,
                        e.help() == null ? List.of() : List.of(e.help())));
            }
        }
    }
}
