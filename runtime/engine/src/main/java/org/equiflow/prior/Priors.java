package org.equiflow.prior;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;

/**
 * The priors the runtime samples, by name, in one place: adding one is one file implementing
 * {@link Prior}, one entry here, its log-density in the compiler's {@code PriorDensities}, and
 * one row in the prior law test.
 */
public final class Priors {
    private Priors() {}

    private static final Map<String, BiFunction<PriorSpec, Lattice, Prior>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("normal", (spec, lattice) -> new NormalPrior(number(spec, "sigma")));
        ALL.put("free_field", (spec, lattice) -> new FreeFieldPrior(lattice, number(spec, "m2")));
        ALL.put("haar", (spec, lattice) -> new HaarPrior());
    }

    public static List<String> names() { return List.copyOf(ALL.keySet()); }

    /** The sampler of a checked flow's prior on its lattice. */
    public static Prior of(PriorSpec spec, Lattice lattice) {
        var factory = ALL.get(spec.name());
        if (factory == null) throw new IllegalStateException("internal error, please report: no sampler for prior " + spec.name());
        return factory.apply(spec, lattice);
    }

    private static double number(PriorSpec spec, String argument) {
        return ((Number) spec.arguments().get(argument)).doubleValue();
    }
}
