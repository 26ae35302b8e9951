package org.equiflow.compiler.check;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.MaskSpec;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.compiler.model.TheoryInstance;

/** Compile-time values of the elaborator: everything outside actions is known before running. */
sealed interface Value {
    record Int(long value) implements Value {}

    record Real(double value) implements Value {}

    record Bool(boolean value) implements Value {}

    record ListOf(List<Value> elements) implements Value {}

    record Tuple(List<Value> elements) implements Value {}

    /** A definition referred to by name, not yet applied to arguments. */
    record Definition(Symbol.Global symbol) implements Value {}

    record Theory(TheoryInstance instance) implements Value {}

    /** A net whose last channel count may still be open ({@code channels == null}). */
    record Net(List<Stage> stages) implements Value {}

    sealed interface Stage {
        Span span();
    }

    record Conv(Integer channels, int kernel, boolean bias, Span span) implements Stage {}

    record Dense(Integer channels, boolean bias, Span span) implements Stage {}

    record Activation(Item.ExternDef definition, Map<String, Object> arguments, Parity parity, Span span)
            implements Value, Stage {
        String name() { return definition.name().name(); }
    }

    record Mask(MaskSpec spec, Span span) implements Value {}

    record Prior(PriorSpec spec, boolean onLinks, Span span) implements Value {}

    record Transform(LayerSpec.Transform spec, Span span) implements Value {}

    record Layer(LayerSpec spec) implements Value {}

    /** A term of a gradient-flow action: a loop, rectangle(…) or path(…), or a trace_product(…) of two. */
    record Loop(org.equiflow.compiler.model.FlowTerm shape, Span span) implements Value {}

    /** An integrator on the group for gradient flows: euler, cg2, cg3. */
    record Integrator(String name, Span span) implements Value {}

    static String describe(Value v) {
        return switch (v) {
            case Int i -> "integer";
            case Real r -> "real";
            case Bool b -> "bool";
            case ListOf l -> "list";
            case Tuple t -> "tuple";
            case Definition d -> TheoryChecker.describe(d.symbol().definition());
            case Theory t -> "theory";
            case Net n -> "net";
            case Activation a -> "activation";
            case Mask m -> "mask";
            case Prior p -> "prior";
            case Transform t -> "transform";
            case Layer l -> "coupling layer";
            case Loop l -> "loop";
            case Integrator i -> "integrator";
        };
    }
}
