package org.equiflow.compiler.layers;

import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.Masks;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.MaskSpec;

/**
 * The set-up every coupling of sites shares, forward and inverse alike, written once: the
 * layer's frozen and active masks and the conditioner's input, the field on the frozen sites
 * only (zero on the sites the layer updates). Frozen sites pass through unchanged, so the
 * inverse's conditioner sees the same input as the forward pass's.
 *
 * @param frozen the 0/1 mask {@code layer<i>.frozen}
 * @param active the 0/1 mask {@code layer<i>.active}, its complement
 * @param conditionerInput m·x, the field times the frozen mask
 */
record SiteCoupling(int frozen, int active, int conditionerInput) {

    static SiteCoupling of(FunctionBuilder b, int field, MaskSpec mask, Lattice lattice, int index) {
        boolean[] frozenPattern = Masks.frozenSites(mask, lattice);
        boolean[] activePattern = new boolean[frozenPattern.length];
        for (int k = 0; k < frozenPattern.length; k++) activePattern[k] = !frozenPattern[k];
        int frozen = b.mask(prefix(index) + ".frozen", lattice.sizes(), frozenPattern);
        int active = b.mask(prefix(index) + ".active", lattice.sizes(), activePattern);
        return new SiteCoupling(frozen, active, b.mul(field, frozen));
    }

    /** m·x + (1 − m)·updated: the frozen sites kept, the active ones replaced. */
    int combine(FunctionBuilder b, int updated) { return b.add(conditionerInput, b.mul(active, updated)); }

    /** Σ over the active sites of a per-site log-derivative. */
    int logdet(FunctionBuilder b, int logDerivative) { return b.sumSites(b.mul(active, logDerivative)); }

    static String prefix(int index) { return "layer" + index; }
}
