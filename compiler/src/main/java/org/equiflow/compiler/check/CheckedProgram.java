package org.equiflow.compiler.check;

import java.util.List;
import java.util.Optional;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.Program;
import org.equiflow.compiler.model.RunSpec;
import org.equiflow.compiler.model.TheoryInstance;

/**
 * Everything the checker established about one script, ready for lowering; {@code names} tells
 * what each name in the theories' actions and observables refers to.
 */
public record CheckedProgram(String file, List<TheoryInstance> theories, List<FlowModel> flows, List<RunSpec> runs,
                             Resolution names) implements Program {
    public CheckedProgram {
        theories = List.copyOf(theories);
        flows = List.copyOf(flows);
        runs = List.copyOf(runs);
    }

    public Optional<FlowModel> flow(String name) {
        return flows.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
