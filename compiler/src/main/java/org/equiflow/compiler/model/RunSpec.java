package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Span;

/** A {@code train}, {@code sample} or {@code hmc} block with its checked settings. */
public record RunSpec(Item.RunKind kind, String target, Map<String, Setting> settings, Span span) {

    /** A setting's value: a number, a named choice with arguments (adam(lr = 1e-3)), or a list of names. */
    public sealed interface Setting permits Number, Choice, Names {}

    public record Number(double value, boolean integral) implements Setting {
        @Override
        public String toString() { return integral ? String.valueOf((long) value) : String.valueOf(value); }
    }

    public record Choice(String name, Map<String, Object> arguments) implements Setting {
        @Override
        public String toString() { return arguments.isEmpty() ? name : Printer.call(name, arguments); }
    }

    public record Names(List<String> names) implements Setting {
        @Override
        public String toString() { return String.join(", ", names); }
    }
}
