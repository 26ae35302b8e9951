package org.equiflow.api;

import java.util.Map;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.model.RunSpec;

/** A run block's settings with defaults, overridden by the API's options (the command line's flags) where given. */
final class RunSettings {
    private final Map<String, RunSpec.Setting> settings;

    private RunSettings(Map<String, RunSpec.Setting> settings) { this.settings = settings; }

    static RunSettings of(CheckedProgram program, Item.RunKind kind, String target) {
        return new RunSettings(program.runs().stream().filter(r -> r.kind() == kind && r.target().equals(target))
                .findFirst().map(RunSpec::settings).orElse(Map.of()));
    }

    long integer(String name, Long override, long fallback) {
        if (override != null) return override;
        return settings.get(name) instanceof RunSpec.Number n ? (long) n.value() : fallback;
    }

    double real(String name, Double override, double fallback) {
        if (override != null) return override;
        return settings.get(name) instanceof RunSpec.Number n ? n.value() : fallback;
    }

    String choice(String name, String fallback) {
        return settings.get(name) instanceof RunSpec.Choice c ? c.name() : fallback;
    }

    double choiceArgument(String name, String argument, double fallback) {
        return settings.get(name) instanceof RunSpec.Choice c && c.arguments().get(argument) instanceof Number n ? n.doubleValue() : fallback;
    }

    java.util.List<String> names(String name) {
        return settings.get(name) instanceof RunSpec.Names n ? n.names() : java.util.List.of();
    }
}
