package org.equiflow.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.model.FlowModel;

/**
 * The IR pipeline after lowering, one named pass at a time; `equiflow ir --after PASS` stops
 * after the named one. Each pass maps every function of the program and keeps the
 * {@link Verifier}'s invariants.
 */
public final class IrPasses {
    private IrPasses() {}

    public record Pass(String name, String purpose, UnaryOperator<IrFunction> apply) {}

    public static final List<Pass> PASSES = List.of(
            new Pass("cse", "merge ops computing the same value", CommonSubexpressions::run),
            new Pass("fuse", "fuse conv + activation and the coupling update into single kernels", Fusion::run),
            new Pass("conditioner", "make each chain of fused convolutions one conditioner-network op, computed only where its coupling reads it",
                    ConditionerFusion::run),
            new Pass("dce", "drop ops no output depends on", DeadCode::run));

    /** "lower" and every pass name, in order. */
    public static List<String> names() {
        var names = new ArrayList<String>();
        names.add("lower");
        PASSES.forEach(p -> names.add(p.name()));
        return names;
    }

    /** Runs every pass over one function (an action lowered on its own, for HMC). */
    public static IrFunction optimize(IrFunction function) {
        for (Pass pass : PASSES) function = pass.apply().apply(function);
        return function;
    }

    /** Lowers a flow and runs the passes up to and including {@code lastPass} (null: all). */
    public static IrProgram compile(FlowModel model, Resolution names, String lastPass) {
        IrProgram program = Lowering.lower(model, names);
        if ("lower".equals(lastPass)) return program;
        for (Pass pass : PASSES) {
            program = new IrProgram(program.model(), program.functions().stream().map(pass.apply()).toList());
            if (pass.name().equals(lastPass)) break;
        }
        return program;
    }
}
