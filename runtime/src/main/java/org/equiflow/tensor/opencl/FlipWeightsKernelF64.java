package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** The float64 twin of {@link FlipWeightsKernelF32} (Aparapi kernels are fixed to one array element type). */
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
