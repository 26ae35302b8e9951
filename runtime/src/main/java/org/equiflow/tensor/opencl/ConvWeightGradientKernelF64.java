package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** The float64 twin of {@link ConvWeightGradientKernelF32} (Aparapi kernels are fixed to one array element type). */
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
