package org.equiflow.compiler.symmetry;

import java.util.List;
import java.util.ServiceLoader;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.NetSpec;

/**
 * The symmetry rules of one kind of coupling layer: whether it commutes with each group a theory
 * may declare (with an invariant log-det), with the reasons and fixes {@link FlowSymmetry}
 * reports. The implementations, one file per layer kind next to the layer's lowering, live in
 * {@code org.equiflow.compiler.layers} and are listed in one place, its {@code CouplingLayers},
 * found through {@link ServiceLoader} (this package does not depend on that one, which builds
 * on it). The rules, each with its reason, are listed in docs/symmetry.md.
 */
public interface LayerSymmetry<S extends LayerSpec> {

    /** The layer spec record these rules are for. */
    Class<S> spec();

    /** One line for {@code --explain}, e.g. "affine mask=checkerboard(parity = 0)". */
    String describe(S layer);

    /** The conditioner nets the layer reads, in argument order. */
    List<NetSpec> nets(S layer);

    /** The verdict for the sign flip φ → −φ of a real field. */
    Judgement z2(S layer);

    /** The verdict for lattice shifts on a lattice of {@code dimensions} axes. */
    Judgement translation(S layer, Lattice lattice);

    /** The verdict for U(1) gauge transformations of a link field. */
    Judgement gauge(S layer);

    /**
     * Why the runtime cannot invert this layer, or null when it can; `symmetrize z2` needs an
     * inverse of every layer, so the checker suggests it only for flows of invertible layers.
     */
    String noInverse(S layer);

    /** The one list of layers, provided by {@code org.equiflow.compiler.layers.CouplingLayers}. */
    interface Registry {
        List<? extends LayerSymmetry<?>> symmetries();
    }

    /** The rules of {@code layer}'s kind. */
    @SuppressWarnings("unchecked")
    static <S extends LayerSpec> LayerSymmetry<S> of(S layer) {
        LayerSymmetry<?> rules = LayerSymmetries.BY_SPEC.get(layer.getClass());
        if (rules == null) throw new IllegalStateException("no coupling layer is registered for " + layer.getClass().getName());
        return (LayerSymmetry<S>) rules;
    }
}
