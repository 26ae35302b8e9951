package org.equiflow.compiler.model;

import java.util.List;
import java.util.Optional;

/**
 * Everything the checker established about one script, ready for lowering; {@code names} tells
 * what each name in the theories' actions and observables refers to.
 */
public record CheckedProgram(String file, List<TheoryInstance> theories, List<FlowModel> flows, List<RunSpec> runs,
                             org.equiflow.compiler.check.Resolution names) {
    public CheckedProgram {
        theories = List.copyOf(theories);
        flows = List.copyOf(flows);
        runs = List.copyOf(runs);
    }

    public Optional<FlowModel> flow(String name) {
        return flows.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
