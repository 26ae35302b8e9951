package org.equiflow.compiler.ir;

import java.util.List;
import java.util.Optional;

/**
 * The priors whose log-density lowers to IR, in one place: adding a prior is one file
 * implementing {@link PriorDensity}, one entry here, and its sampler in the runtime's registry
 * under the same name; a law test holds both registries to {@code RuntimeSupport.PRIORS}.
 */
public final class PriorDensities {
    private PriorDensities() {}

    private static final List<PriorDensity> ALL = List.of(new NormalDensity(), new FreeFieldDensity(), new HaarDensity());

    public static List<String> names() { return ALL.stream().map(PriorDensity::name).toList(); }

    static Optional<PriorDensity> named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
