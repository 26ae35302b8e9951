package org.equiflow.compiler.layers;

import java.util.List;
import org.equiflow.compiler.ir.FunctionBuilder;
import org.equiflow.compiler.ir.PlaquetteMasks;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.MaskSpec;

/**
 * A 2D {@code link_mask(mu, offset)} as the plaquette couplings lower it: the updated direction μ
 * and the site masks of the active and the frozen plaquettes, whole rows across μ chosen by
 * {@link PlaquetteMasks} (no frozen plaquette holds an updated link, each active one exactly one).
 * Shared by the U(1) plaquette coupling and the SU(2) and SU(3) spectral couplings.
 */
record PlaquetteRows(int mu, int active, int frozen) {

    static PlaquetteRows lower(FunctionBuilder b, MaskSpec mask, Lattice lattice, String prefix) {
        int mu = ((Number) mask.arguments().get("mu")).intValue();
        int offset = ((Number) mask.arguments().get("offset")).intValue();
        int across = lattice.sizes().get(1 - mu);
        int active = b.mask(prefix + ".active", lattice.sizes(), rows(lattice, 1 - mu, PlaquetteMasks.activeRows(across, offset)));
        int frozen = b.mask(prefix + ".frozen", lattice.sizes(), rows(lattice, 1 - mu, PlaquetteMasks.frozenRows(across, offset)));
        return new PlaquetteRows(mu, active, frozen);
    }

    /** The sites whose coordinate along {@code axis} is a selected row, row-major. */
    static boolean[] rows(Lattice lattice, int axis, boolean[] selectedRows) {
        List<Integer> sizes = lattice.sizes();
        boolean[] pattern = new boolean[(int) lattice.volume()];
        for (int site = 0; site < pattern.length; site++) {
            int x1 = site % sizes.get(1), x0 = site / sizes.get(1);
            pattern[site] = selectedRows[axis == 0 ? x0 : x1];
        }
        return pattern;
    }
}
