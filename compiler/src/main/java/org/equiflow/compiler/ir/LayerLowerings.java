package org.equiflow.compiler.ir;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/** The registered layers' lowerings by spec class, loaded once from the {@link LayerLowering.Registry} provider. */
final class LayerLowerings {
    private LayerLowerings() {}

    private static final LayerLowering.Registry REGISTRY = ServiceLoader.load(LayerLowering.Registry.class, LayerLowering.class.getClassLoader()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no " + LayerLowering.Registry.class.getName() + " on the class path"));
    static final Map<Class<?>, LayerLowering<?>> BY_SPEC = new IdentityHashMap<>();

    static {
        for (LayerLowering<?> l : REGISTRY.lowerings()) BY_SPEC.put(l.spec(), l);
    }
}
