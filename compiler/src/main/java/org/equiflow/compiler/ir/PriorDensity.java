package org.equiflow.compiler.ir;

import java.util.Map;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;

/**
 * The log-density of one prior, lowered into the flow's {@code log_prior} function. Each prior
 * is one file, listed in {@link PriorDensities}; the runtime's exact sampler of the same
 * distribution is one file in {@code org.equiflow.prior}, registered under the same name.
 */
interface PriorDensity {
    /** The prior's name in the language, e.g. {@code normal}. */
    String name();

    /**
     * Appends ops computing log q(z), one number per configuration, to {@code b}.
     *
     * @param degrees the real values of one configuration (sites, or links)
     */
    int lower(FunctionBuilder b, int z, Map<String, Object> arguments, FieldSpec field, Lattice lattice, long degrees);
}
