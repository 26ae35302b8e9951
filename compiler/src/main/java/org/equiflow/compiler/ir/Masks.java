package org.equiflow.compiler.ir;

import java.util.List;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.MaskSpec;

/** The lattice patterns of the standard masks: which sites a coupling layer keeps frozen. */
public final class Masks {
    private Masks() {}

    /** Frozen sites (the ones the conditioner reads), row-major over the lattice. */
    public static boolean[] frozenSites(MaskSpec mask, Lattice lattice) {
        List<Integer> sizes = lattice.sizes();
        int volume = (int) lattice.volume();
        boolean[] frozen = new boolean[volume];
        int[] x = new int[sizes.size()];
        for (int site = 0; site < volume; site++) {
            int rest = site;
            for (int d = sizes.size() - 1; d >= 0; d--) {
                x[d] = rest % sizes.get(d);
                rest /= sizes.get(d);
            }
            frozen[site] = !active(mask, x);
        }
        return frozen;
    }

    private static boolean active(MaskSpec mask, int[] x) {
        var a = mask.arguments();
        return switch (mask.name()) {
            case "checkerboard" -> {
                int sum = 0;
                for (int c : x) sum += c;
                yield sum % 2 == ((Long) a.get("parity")).intValue();
            }
            case "stripes" -> x[((Long) a.get("axis")).intValue()] % ((Long) a.get("period")).intValue()
                    == ((Long) a.get("offset")).intValue();
            default -> throw new IllegalArgumentException("mask " + mask.name() + " does not select sites");
        };
    }
}
