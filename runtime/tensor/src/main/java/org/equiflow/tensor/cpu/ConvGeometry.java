package org.equiflow.tensor.cpu;

import java.util.Arrays;

/**
 * A periodic convolution's lattice shape and odd kernel extent: what the index tables built once
 * per shape ({@link HaloPlan}, the OpenCL backend's neighbour table) are cached by. The lattice
 * is copied in, and compared by value.
 */
public record ConvGeometry(int kernel, int[] lattice) {

    public ConvGeometry {
        lattice = lattice.clone();
    }

    /** A copy: the record's own array stays unshared. */
    @Override
    public int[] lattice() {
        return lattice.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvGeometry g && kernel == g.kernel && Arrays.equals(lattice, g.lattice);
    }

    @Override
    public int hashCode() {
        return 31 * kernel + Arrays.hashCode(lattice);
    }

    @Override
    public String toString() {
        return "ConvGeometry[kernel=" + kernel + ", lattice=" + Arrays.toString(lattice) + "]";
    }
}
