package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.Conv}, periodic, any lattice rank: one work item per output
 * element, {@code out[b][co][s] = bias[co] + sum_{ci,o} w[co][ci][o] in[b][ci][neighbour(s, o)]}
 * with the neighbours from a {@link NeighbourTable}.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#conv} on the device-resident heap.
 */
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
