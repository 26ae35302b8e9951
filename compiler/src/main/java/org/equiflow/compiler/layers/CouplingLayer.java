package org.equiflow.compiler.layers;

import org.equiflow.compiler.ir.LayerLowering;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.symmetry.LayerSymmetry;

/**
 * One kind of coupling layer, everything about it side by side in one file: its forward lowering
 * and its inverse (or why it has none) as IR ops ({@link LayerLowering}), its symmetry rules and
 * its description ({@link LayerSymmetry}). {@link CouplingLayers} lists every kind; lowering,
 * the symmetry checker and the runtime's law test ({@code CouplingLayerLawTest}) all go through
 * that list.
 */
public interface CouplingLayer<S extends LayerSpec> extends LayerLowering<S>, LayerSymmetry<S> {

    /** The layer's name in the language, e.g. {@code affine}. */
    String name();

    /**
     * Values per lattice site that one configuration's forward pass keeps on the tape beyond its
     * conditioners' outputs (which the memory estimate counts from {@link #nets}): none for the
     * coupling layers, the checkpoints between integration steps and the widest step's
     * intermediates (recomputed one step at a time in the backward pass) for a gradient flow.
     */
    default long tapedValuesPerSite(S layer, org.equiflow.compiler.model.Lattice lattice, int fieldChannels) { return 0; }
}
