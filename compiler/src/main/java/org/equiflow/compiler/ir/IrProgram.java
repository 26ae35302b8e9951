package org.equiflow.compiler.ir;

import java.util.List;
import java.util.Optional;
import org.equiflow.compiler.model.FlowModel;

/**
 * What the runtime executes for one flow: {@code flow} maps the latent z to the field and
 * log|det J|, {@code log_prior} is the prior's log-density of z, {@code action} is the
 * theory's action S of a field; {@code inverse} (symmetrized flows only) maps a field back to
 * its latent. Parameters are shared by name across functions.
 */
public record IrProgram(FlowModel model, List<IrFunction> functions) {
    public IrProgram { functions = List.copyOf(functions); }

    public static final String FLOW = "flow", LOG_PRIOR = "log_prior", ACTION = "action";

    /** For flows with {@code symmetrize z2}: the inverse map x ↦ (z, log|det ∂z/∂x|). */
    public static final String INVERSE = "inverse";

    public Optional<IrFunction> function(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst();
    }
}
