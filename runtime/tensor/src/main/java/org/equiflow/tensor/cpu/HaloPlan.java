package org.equiflow.tensor.cpu;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Index tables for a periodic convolution with odd kernel extent k on one lattice shape.
 *
 * <p>A channel is first copied into a padded block with a halo of k/2 sites on every side,
 * filled periodically ({@link #paddedSource}). Then, for every kernel displacement and every
 * lattice row (the sites along the fastest axis, all other coordinates fixed), the row of
 * displaced inputs is one contiguous run of the padded block starting at
 * {@link #segmentStart}. Displacements enumerate the k^d offsets in row-major order, each axis
 * from {@code -(k/2)} to {@code k/2}: the order of a PyTorch weight's trailing kernel axes.
 */
public final class HaloPlan {

    private static final Map<ConvGeometry, HaloPlan> CACHE = new ConcurrentHashMap<>();

    /** Sites of one channel. */
    public final int sites;
    /** Extent of the fastest lattice axis. */
    public final int rowLength;
    /** Number of kernel displacements, k^d. */
    public final int offsets;
    /** Sites of the padded block. */
    public final int paddedSize;
    /** {@code paddedSource[p]}: the lattice site whose value padded site p holds. */
    public final int[] paddedSource;
    /** Halo width, k/2. */
    public final int radius;
    /** {@code paddedRowSource[pr]}: first lattice site of the row that padded row pr wraps. */
    public final int[] paddedRowSource;
    /** {@code segmentStart[offset][row]}: padded index of the displaced row's first value. */
    public final int[][] segmentStart;
    /** The same, row-major by row: {@code rowSegmentStart[row * offsets + offset]}. */
    public final int[] rowSegmentStart;

    private HaloPlan(int[] lattice, int kernel) {
        int d = lattice.length;
        int radius = kernel / 2;
        int[] padded = new int[d];
        int sitesCount = 1, paddedCount = 1, offsetCount = 1;
        for (int a = 0; a < d; a++) {
            padded[a] = lattice[a] + 2 * radius;
            sitesCount *= lattice[a];
            paddedCount *= padded[a];
            offsetCount *= kernel;
        }
        this.sites = sitesCount;
        this.rowLength = lattice[d - 1];
        this.offsets = offsetCount;
        this.paddedSize = paddedCount;
        this.paddedSource = new int[paddedCount];
        int[] coordinate = new int[d];
        for (int p = 0; p < paddedCount; p++) {
            unravel(p, padded, coordinate);
            int site = 0;
            for (int a = 0; a < d; a++) site = site * lattice[a] + Math.floorMod(coordinate[a] - radius, lattice[a]);
            paddedSource[p] = site;
        }
        this.radius = radius;
        int paddedRowLength = padded[d - 1];
        this.paddedRowSource = new int[paddedCount / paddedRowLength];
        for (int pr = 0; pr < paddedRowSource.length; pr++) {
            paddedRowSource[pr] = paddedSource[pr * paddedRowLength + radius];
        }
        int rows = sitesCount / rowLength;
        this.segmentStart = new int[offsetCount][rows];
        int[] displacement = new int[d];
        for (int o = 0; o < offsetCount; o++) {
            unravel(o, filled(d, kernel), displacement); // 0..k-1 per axis = displacement + radius
            for (int row = 0; row < rows; row++) {
                unravel(row * rowLength, lattice, coordinate);
                int start = 0;
                // Output site x reads x + displacement, which sits at padded x + displacement + radius.
                for (int a = 0; a < d; a++) start = start * padded[a] + coordinate[a] + displacement[a];
                segmentStart[o][row] = start;
            }
        }
        this.rowSegmentStart = new int[rows * offsetCount];
        for (int row = 0; row < rows; row++) {
            for (int o = 0; o < offsetCount; o++) rowSegmentStart[row * offsetCount + o] = segmentStart[o][row];
        }
    }

    /** d copies of {@code value}: the extents of a k^d kernel. */
    static int[] filled(int d, int value) {
        int[] a = new int[d];
        Arrays.fill(a, value);
        return a;
    }

    /** The row-major coordinate of {@code index} in a box of {@code extents}. */
    static void unravel(int index, int[] extents, int[] coordinate) {
        for (int a = extents.length - 1; a >= 0; a--) {
            coordinate[a] = index % extents[a];
            index /= extents[a];
        }
    }

    /** Shared and cached; callers must not modify the tables. */
    public static HaloPlan of(int[] lattice, int kernel) {
        return CACHE.computeIfAbsent(new ConvGeometry(kernel, lattice), g -> new HaloPlan(g.lattice(), g.kernel()));
    }
}
