package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.ConvWeightGradient}: one work item per weight,
 * {@code gw[co][ci][o] = sum_{b,s} g[b][co][s] in[b][ci][neighbour(s, o)]}. The sum runs over
 * every site of every configuration, so it is compensated (Kahan) to stay float32-accurate at
 * any batch and lattice size.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#convWeightGradient} on the device-resident heap.
 */
final class ConvWeightGradientKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] outputGrad = new double[1];
    double[] weightGrad = new double[1];
    int[] neighbours = new int[1];
    int batch;
    int inChannels;
    int outChannels;
    int sites;
    int offsets;

    void bind(double[] in, double[] outputGrad, double[] weightGrad, NeighbourTable table,
              int batch, int inChannels, int outChannels, int sites) {
        this.in = in;
        this.outputGrad = outputGrad;
        this.weightGrad = weightGrad;
        this.neighbours = table.sites;
        this.offsets = table.offsets;
        this.batch = batch;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.sites = sites;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int offset = i % offsets;
        int inChannel = (i / offsets) % inChannels;
        int outChannel = i / (offsets * inChannels);
        double sum = 0.0;
        double compensation = 0.0;
        for (int configuration = 0; configuration < batch; configuration++) {
            int gradBase = (configuration * outChannels + outChannel) * sites;
            int inBase = (configuration * inChannels + inChannel) * sites;
            for (int site = 0; site < sites; site++) {
                double term = outputGrad[gradBase + site] * in[inBase + neighbours[site * offsets + offset]] - compensation;
                double next = sum + term;
                compensation = (next - sum) - term;
                sum = next;
            }
        }
        weightGrad[i] = sum;
    }
}
