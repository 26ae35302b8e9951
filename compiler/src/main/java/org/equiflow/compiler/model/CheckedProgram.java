package org.equiflow.compiler.model;

import java.util.List;
import java.util.Optional;

/** Everything the checker established about one script, ready for lowering. */
public record CheckedProgram(String file, List<TheoryInstance> theories, List<FlowModel> flows, List<RunSpec> runs) {
    public CheckedProgram {
        theories = List.copyOf(theories);
        flows = List.copyOf(flows);
        runs = List.copyOf(runs);
    }

    public Optional<FlowModel> flow(String name) {
        return flows.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
