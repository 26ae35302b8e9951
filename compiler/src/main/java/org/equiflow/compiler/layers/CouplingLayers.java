package org.equiflow.compiler.layers;

import java.util.List;
import org.equiflow.compiler.ir.LayerLowering;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.symmetry.LayerSymmetry;

/**
 * The one registry of coupling layers: one entry per {@link LayerSpec} record. {@code ir.Lowering}
 * and {@code symmetry.FlowSymmetry} find it through {@link java.util.ServiceLoader}
 * ({@code META-INF/services}), since this package builds on theirs; the runtime's
 * {@code CouplingLayerLawTest} enumerates {@link #ALL} and fails for a layer without a row.
 */
public final class CouplingLayers implements LayerLowering.Registry, LayerSymmetry.Registry {

    public static final List<CouplingLayer<?>> ALL = List.of(new AffineLayer(), new SplineLayer(), new PlaquetteCouplingLayer(),
            new SpectralCouplingLayer(), new GradientFlowLayer());

    /** For {@link java.util.ServiceLoader}; the list is {@link #ALL}. */
    public CouplingLayers() {}

    @Override
    public List<CouplingLayer<?>> lowerings() { return ALL; }

    @Override
    public List<CouplingLayer<?>> symmetries() { return ALL; }

    /** The implementation of {@code layer}'s kind. */
    @SuppressWarnings("unchecked")
    public static <S extends LayerSpec> CouplingLayer<S> of(S layer) {
        for (CouplingLayer<?> c : ALL) if (c.spec() == layer.getClass()) return (CouplingLayer<S>) c;
        throw new IllegalStateException("no coupling layer is registered for " + layer.getClass().getName());
    }
}
