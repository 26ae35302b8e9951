package org.equiflow.compiler.symmetry;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The registered layers' symmetry rules by spec class, loaded once from the {@link LayerSymmetry.Registry} provider. */
final class LayerSymmetries {
    private LayerSymmetries() {}

    private static final LayerSymmetry.Registry REGISTRY = ServiceLoader.load(LayerSymmetry.Registry.class, LayerSymmetry.class.getClassLoader()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no " + LayerSymmetry.Registry.class.getName() + " on the class path"));
    static final Map<Class<?>, LayerSymmetry<?>> BY_SPEC = new IdentityHashMap<>();

    static {
        for (LayerSymmetry<?> l : REGISTRY.symmetries()) BY_SPEC.put(l.spec(), l);
    }
}
