package org.equiflow.tensor.cpu;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For a periodic lattice and an odd kernel extent k, the site reached from every site by
 * every kernel displacement: {@code table[offset][site]}. Offsets enumerate the k^d
 * displacements in row-major order, each lattice axis running over {@code -(k/2)..k/2}, the
 * same order as a PyTorch weight's trailing {@code [kh][kw]} axes.
 */
public final class LatticeNeighbours {

    private record Key(int kernel, int[] lattice) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && kernel == k.kernel && Arrays.equals(lattice, k.lattice);
        }

        @Override
        public int hashCode() {
            return 31 * kernel + Arrays.hashCode(lattice);
        }
    }

    private static final Map<Key, int[][]> CACHE = new ConcurrentHashMap<>();

    private LatticeNeighbours() {
    }

    /** Shared, cached; callers must not modify it. */
    public static int[][] table(int[] lattice, int kernel) {
        return CACHE.computeIfAbsent(new Key(kernel, lattice.clone()), k -> build(k.lattice, k.kernel));
    }

    private static int[][] build(int[] lattice, int kernel) {
        int d = lattice.length;
        int sites = 1;
        for (int extent : lattice) sites *= extent;
        int offsets = 1;
        for (int a = 0; a < d; a++) offsets *= kernel;
        int radius = kernel / 2;
        int[][] table = new int[offsets][sites];
        int[] displacement = new int[d];
        int[] x = new int[d];
        for (int o = 0; o < offsets; o++) {
            int restOffset = o;
            for (int a = d - 1; a >= 0; a--) {
                displacement[a] = restOffset % kernel - radius;
                restOffset /= kernel;
            }
            for (int site = 0; site < sites; site++) {
                int restSite = site;
                for (int a = d - 1; a >= 0; a--) {
                    x[a] = restSite % lattice[a];
                    restSite /= lattice[a];
                }
                int target = 0;
                for (int a = 0; a < d; a++) target = target * lattice[a] + Math.floorMod(x[a] + displacement[a], lattice[a]);
                table[o][site] = target;
            }
        }
        return table;
    }
}
