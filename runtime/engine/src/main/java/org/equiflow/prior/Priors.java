package org.equiflow.prior;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;

/**
 * The priors the runtime samples, by name, in one place: adding one is one file implementing
 * {@link Prior}, one entry here, its log-density in the compiler's {@code PriorDensities}, and
 * one row in the prior law test.
 */
public final class Priors {
    private Priors() {}

    /** A prior's sampler for the field it draws, on its lattice. */
    private interface Factory {
        Prior create(PriorSpec spec, Lattice lattice, FieldSpec field);
    }

    private static final Map<String, Factory> ALL = new LinkedHashMap<>();

    static {
        ALL.put("normal", (spec, lattice, field) -> new NormalPrior(number(spec, "sigma")));
        ALL.put("free_field", (spec, lattice, field) -> new FreeFieldPrior(lattice, number(spec, "m2")));
        // Haar on the field's group: uniform angles for U(1), SU(N) matrices in the packed layout.
        ALL.put("haar", (spec, lattice, field) -> field.kind() == FieldSpec.Kind.SUN ? new SuNHaarPrior(field.n()) : new HaarPrior());
    }

    public static List<String> names() { return List.copyOf(ALL.keySet()); }

    /** The sampler of a checked flow's prior for its theory's field, on its lattice. */
    public static Prior of(PriorSpec spec, Lattice lattice, FieldSpec field) {
        var factory = ALL.get(spec.name());
        if (factory == null) throw new IllegalStateException("internal error, please report: no sampler for prior " + spec.name());
        return factory.create(spec, lattice, field);
    }

    private static double number(PriorSpec spec, String argument) {
        return ((Number) spec.arguments().get(argument)).doubleValue();
    }
}
