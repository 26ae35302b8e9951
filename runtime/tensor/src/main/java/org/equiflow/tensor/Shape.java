package org.equiflow.tensor;

import java.util.Arrays;

/**
 * The layout {@code [batch, channels, L0, ..., L(d-1)]}, row-major, lattice axis d-1 fastest.
 *
 * <p>The lattice rank d is 0 to 4. Fields live on lattices of rank 2 to 4; rank 0 is for
 * values without sites: per-configuration numbers such as the log-det ({@code [B, 1]}), the
 * loss ({@code [1, 1]}) and per-channel biases ({@code [1, C]}), which broadcast over the
 * lattice. Convolution weights reuse the layout as {@code [out, in, k, ..., k]}.
 */
public final class Shape {

    public static final int MAX_LATTICE_RANK = 4;

    private final int batch;
    private final int channels;
    private final int[] lattice;
    /** Precomputed: kernels ask for these inside their loops. */
    private final int sites;
    private final int size;

    public Shape(int batch, int channels, int... lattice) {
        if (batch < 1 || channels < 1) {
            throw new IllegalArgumentException("batch and channels must be >= 1, got " + batch + ", " + channels);
        }
        if (lattice.length > MAX_LATTICE_RANK) {
            throw new IllegalArgumentException("lattice rank " + lattice.length + " > " + MAX_LATTICE_RANK);
        }
        long size = (long) batch * channels;
        long sites = 1;
        for (int extent : lattice) {
            if (extent < 1) throw new IllegalArgumentException("lattice extents must be >= 1: " + Arrays.toString(lattice));
            size *= extent;
            sites *= extent;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + batch + "x" + channels + "x" + Arrays.toString(lattice)
                        + " has more than 2^31 - 1 elements (one Java array)");
            }
        }
        this.batch = batch;
        this.channels = channels;
        this.lattice = lattice.clone();
        this.sites = (int) sites;
        this.size = (int) size;
    }

    public int batch() {
        return batch;
    }

    public int channels() {
        return channels;
    }

    public static Shape perConfiguration(int batch, int channels) {
        return new Shape(batch, channels);
    }

    /** The shape of a single number, e.g. a loss. */
    public static Shape scalar() {
        return new Shape(1, 1);
    }

    public int[] lattice() {
        return lattice.clone();
    }

    public int latticeRank() {
        return lattice.length;
    }

    public int latticeExtent(int axis) {
        return lattice[axis];
    }

    /** Number of lattice sites of one channel of one configuration (1 for lattice rank 0). */
    public int sites() {
        return sites;
    }

    /** Distance in the flat array between neighbouring sites along {@code axis}. */
    public int latticeStride(int axis) {
        int s = 1;
        for (int a = lattice.length - 1; a > axis; a--) s *= lattice[a];
        return s;
    }

    public int size() {
        return size;
    }

    public int index(int b, int c, int site) {
        return (b * channels + c) * sites + site;
    }

    public Shape withBatch(int newBatch) {
        return new Shape(newBatch, channels, lattice);
    }

    public Shape withChannels(int newChannels) {
        return new Shape(batch, newChannels, lattice);
    }

    public boolean sameLattice(Shape other) {
        return Arrays.equals(lattice, other.lattice);
    }

    /**
     * Whether this shape stretches to {@code target}: batch and channels equal or 1, the
     * lattice equal or absent.
     */
    public boolean broadcastsTo(Shape target) {
        return (batch == target.batch || batch == 1)
                && (channels == target.channels || channels == 1)
                && (lattice.length == 0 || sameLattice(target));
    }

    /** The smallest shape both operands broadcast to, or an exception naming both. */
    public static Shape broadcast(Shape a, Shape b) {
        int[] lattice = a.lattice.length == 0 ? b.lattice : a.lattice;
        Shape out = new Shape(Math.max(a.batch, b.batch), Math.max(a.channels, b.channels), lattice);
        if (!a.broadcastsTo(out) || !b.broadcastsTo(out)) {
            throw new IllegalArgumentException("shapes " + a + " and " + b + " do not broadcast");
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && batch == s.batch && channels == s.channels && Arrays.equals(lattice, s.lattice);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * batch + channels) + Arrays.hashCode(lattice);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[").append(batch).append(", ").append(channels);
        for (int extent : lattice) sb.append(", ").append(extent);
        return sb.append(']').toString();
    }
}
