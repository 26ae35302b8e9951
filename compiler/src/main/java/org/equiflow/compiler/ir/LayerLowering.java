package org.equiflow.compiler.ir;

import java.util.List;
import java.util.ServiceLoader;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.LayerSpec;

/**
 * How one kind of coupling layer lowers itself: its forward map and, where it has one, its
 * inverse, each appended to a {@link FunctionBuilder}. {@link Lowering} dispatches through
 * {@link #of}; the implementations, one file per layer kind, live in
 * {@code org.equiflow.compiler.layers} and are listed in one place, its {@code CouplingLayers},
 * which is found through {@link ServiceLoader} (this package does not depend on that one, which
 * builds on it).
 *
 * <p>Parameters are named {@code layer<index>.<net|scale|shift>.conv<j>.<weight|bias>}; the
 * inverse reads the forward pass's parameters by those names.
 */
public interface LayerLowering<S extends LayerSpec> {

    /** A layer's output field and its log|det J| per configuration ({@code logdet < 0}: none, the layer preserves volume). */
    record Lowered(int field, int logdet) {}

    /** The layer spec record this lowers. */
    Class<S> spec();

    /** Appends the forward map x ↦ (f(x), log|det ∂f/∂x|) of layer number {@code index}. */
    Lowered forward(FunctionBuilder b, int field, S layer, Lattice lattice, int index);

    /**
     * Why the runtime cannot invert this layer (completing "`symmetrize z2` needs the inverse of
     * every layer, and …"), or null when {@link #inverse} lowers it.
     */
    String noInverse(S layer);

    /**
     * Appends the inverse y ↦ (f⁻¹(y), log|det ∂f⁻¹/∂y|) of layer number {@code index}, reading
     * the forward pass's parameters by name. Called only when {@link #noInverse} is null.
     */
    Lowered inverse(FunctionBuilder b, int field, S layer, Lattice lattice, int index);

    /** The one list of layers, provided by {@code org.equiflow.compiler.layers.CouplingLayers}. */
    interface Registry {
        List<? extends LayerLowering<?>> lowerings();
    }

    /** The lowering of {@code layer}'s kind. */
    @SuppressWarnings("unchecked")
    static <S extends LayerSpec> LayerLowering<S> of(S layer) {
        LayerLowering<?> lowering = LayerLowerings.BY_SPEC.get(layer.getClass());
        if (lowering == null) throw new IllegalStateException("no coupling layer is registered for " + layer.getClass().getName());
        return (LayerLowering<S>) lowering;
    }
}
