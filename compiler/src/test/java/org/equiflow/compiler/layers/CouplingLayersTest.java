package org.equiflow.compiler.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.model.LayerSpec;
import org.junit.jupiter.api.Test;

/**
 * The registry is complete: one coupling layer per {@link LayerSpec} record, each under the name
 * {@link RuntimeSupport#LAYERS} gives it. (Their laws are checked in the runtime's
 * {@code CouplingLayerLawTest}, one row per registered layer.)
 */
class CouplingLayersTest {

    @Test
    void everyLayerSpecRecordHasExactlyOneCouplingLayer() {
        Set<Class<?>> registered = new HashSet<>();
        for (CouplingLayer<?> layer : CouplingLayers.ALL) {
            assertEquals(true, registered.add(layer.spec()), "registered twice: " + layer.spec());
        }
        assertEquals(Set.of(LayerSpec.class.getPermittedSubclasses()), registered);
    }

    @Test
    void theRegisteredNamesAreTheLayersThatRun() {
        assertEquals(RuntimeSupport.LAYERS, List.copyOf(CouplingLayers.ALL.stream().map(CouplingLayer::name).toList()));
    }
}
