package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.FlipKernel}: {@code out[ci][co][K-1-o] = w[co][ci][o]}, read from
 * the output side so that every work item writes exactly one element.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#flipWeights} on the device-resident heap.
 */
final class FlipWeightsKernelF64 extends Kernel {

    double[] weight = new double[1];
    double[] out = new double[1];
    int inChannels;
    int outChannels;
    int offsets;

    void bind(double[] weight, double[] out, int outChannels, int inChannels, int offsets) {
        this.weight = weight;
        this.out = out;
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.offsets = offsets;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int flippedOffset = i % offsets;
        int outChannel = (i / offsets) % outChannels;
        int inChannel = i / (offsets * outChannels);
        out[i] = weight[(outChannel * inChannels + inChannel) * offsets + (offsets - 1 - flippedOffset)];
    }
}
