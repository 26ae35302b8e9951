package org.equiflow.compiler.check;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.equiflow.compiler.model.ElementwiseFunction;

/**
 * The closed set of primitives the language defines, by kind. An {@code extern} declaration in a
 * .flow module must name one of these; its signature and properties (parity, sites or links)
 * are declared in the .flow file, its semantics and gradient live in the runtime. Which of
 * them the runtime executes today is {@link RuntimeSupport}; `check` refuses the others with E0800.
 */
public final class Primitives {
    private Primitives() {}

    private static final Map<String, List<String>> IMPLEMENTED = Map.of(
            "activation", ElementwiseFunction.languageNames(),
            "function", List.of("re", "im", "arg", "conj", "adj", "tr", "plaquette", "wilson_loop"),
            "net", List.of("conv", "dense"),
            "mask", List.of("checkerboard", "stripes", "link_mask"),
            "prior", List.of("normal", "free_field", "haar"),
            "layer", List.of("affine", "spline", "plaquette_coupling", "spectral_coupling", "gradient_flow"),
            "transform", List.of("ncp_mixture", "circular_spline"),
            "loop", List.of("rectangle", "path", "trace_product"),
            "integrator", List.of("euler", "cg2", "cg3"));

    public static boolean isImplemented(String kind, String name) {
        return IMPLEMENTED.getOrDefault(kind, List.of()).contains(name);
    }

    public static List<String> names(String kind) {
        return List.copyOf(new TreeSet<>(IMPLEMENTED.getOrDefault(kind, List.of())));
    }

    public static Map<String, List<String>> all() { return IMPLEMENTED; }
}
