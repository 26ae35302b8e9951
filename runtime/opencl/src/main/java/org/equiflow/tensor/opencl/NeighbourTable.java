package org.equiflow.tensor.opencl;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.equiflow.tensor.cpu.ConvGeometry;

/**
 * For a periodic convolution with odd kernel extent k on one lattice: {@code sites[s * k^d + o]}
 * is the site at displacement o from site s, wrapped around the torus. Displacements run
 * row-major over the lattice axes, each from {@code -(k/2)} to {@code k/2}: the order of a
 * PyTorch weight's trailing kernel axes, as in the CPU backend's {@code HaloPlan}.
 *
 * <p>A table instead of index arithmetic in the kernel: the kernels then serve every lattice
 * rank with one inner loop, and the table (9 ints per site for a 3x3 kernel) is built once per
 * lattice shape.
 */
final class NeighbourTable {

    private static final Map<ConvGeometry, NeighbourTable> CACHE = new ConcurrentHashMap<>();

    final int offsets;
    final int[] sites;

    private NeighbourTable(int[] lattice, int kernel) {
        int rank = lattice.length, radius = kernel / 2;
        int siteCount = 1, offsetCount = 1;
        for (int extent : lattice) {
            siteCount *= extent;
            offsetCount *= kernel;
        }
        this.offsets = offsetCount;
        this.sites = new int[siteCount * offsetCount];
        int[] coordinate = new int[rank];
        for (int site = 0; site < siteCount; site++) {
            for (int a = rank - 1, rest = site; a >= 0; a--) {
                coordinate[a] = rest % lattice[a];
                rest /= lattice[a];
            }
            for (int offset = 0; offset < offsetCount; offset++) {
                int neighbour = 0, stride = 1;
                for (int a = rank - 1, rest = offset; a >= 0; a--) {
                    int displacement = rest % kernel - radius;
                    rest /= kernel;
                    neighbour += Math.floorMod(coordinate[a] + displacement, lattice[a]) * stride;
                    stride *= lattice[a];
                }
                sites[site * offsetCount + offset] = neighbour;
            }
        }
    }

    static NeighbourTable of(int[] lattice, int kernel) {
        return CACHE.computeIfAbsent(new ConvGeometry(kernel, lattice), g -> new NeighbourTable(g.lattice(), g.kernel()));
    }
}
