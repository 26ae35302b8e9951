package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.Roll}: {@code out[.., x, ..] = in[.., (x - shift) mod L, ..]} along
 * one axis of extent L, whose neighbouring sites are {@link #inner} elements apart.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#roll} on the device-resident heap.
 */
final class RollKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] out = new double[1];
    int extent;
    int inner;
    /** The shift reduced to {@code [0, extent)}, so the source index needs one non-negative modulo. */
    int shift;

    void bind(double[] in, double[] out, int extent, int inner, int shift) {
        this.in = in;
        this.out = out;
        this.extent = extent;
        this.inner = inner;
        this.shift = Math.floorMod(shift, extent);
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int withinRow = i % inner;
        int x = (i / inner) % extent;
        int block = i / (inner * extent);
        int from = (x - shift + extent) % extent;
        out[i] = in[(block * extent + from) * inner + withinRow];
    }
}
