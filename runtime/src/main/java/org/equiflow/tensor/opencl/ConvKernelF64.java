package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** The float64 twin of {@link ConvKernelF32} (Aparapi kernels are fixed to one array element type). */
final class ConvKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] weight = new double[1];
    /** Zeros when the convolution has no bias. */
    double[] bias = new double[1];
    double[] out = new double[1];
    int[] neighbours = new int[1];
    int inChannels;
    int outChannels;
    int sites;
    int offsets;

    void bind(double[] in, double[] weight, double[] bias, double[] out, NeighbourTable table,
              int inChannels, int outChannels, int sites) {
        this.in = in;
        this.weight = weight;
        this.bias = bias;
        this.out = out;
        this.neighbours = table.sites;
        this.offsets = table.offsets;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.sites = sites;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % sites;
        int outChannel = (i / sites) % outChannels;
        int configuration = i / (sites * outChannels);
        int neighbourBase = site * offsets;
        double sum = bias[outChannel];
        for (int inChannel = 0; inChannel < inChannels; inChannel++) {
            int inBase = (configuration * inChannels + inChannel) * sites;
            int weightBase = (outChannel * inChannels + inChannel) * offsets;
            for (int offset = 0; offset < offsets; offset++) {
                sum += weight[weightBase + offset] * in[inBase + neighbours[neighbourBase + offset]];
            }
        }
        out[i] = sum;
    }
}
