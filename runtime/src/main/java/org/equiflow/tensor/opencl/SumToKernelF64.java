package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.SumTo}: one work item per output element sums the input elements
 * that collapse onto it. The sums run over whole lattices (log-dets, actions), so they are
 * compensated (Kahan): float32 work, yet as accurate as the CPU backend's double accumulator
 * and independent of the lattice size.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#sumTo} on the device-resident heap.
 */
final class SumToKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] out = new double[1];
    int inChannels;
    int inSites;
    int outChannels;
    int outSites;
    /** Per axis: 1 if the target collapses it (the sum runs over all of it), else 0. */
    int sumBatch;
    int sumChannels;
    int sumSites;
    int inBatch;

    void bind(double[] in, int inBatch, int inChannels, int inSites, double[] out, int outChannels, int outSites,
              boolean sumBatch, boolean sumChannels, boolean sumSites) {
        this.in = in;
        this.out = out;
        this.inBatch = inBatch;
        this.inChannels = inChannels;
        this.inSites = inSites;
        this.outChannels = outChannels;
        this.outSites = outSites;
        this.sumBatch = sumBatch ? 1 : 0;
        this.sumChannels = sumChannels ? 1 : 0;
        this.sumSites = sumSites ? 1 : 0;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % outSites;
        int channel = (i / outSites) % outChannels;
        int configuration = i / (outSites * outChannels);
        int batchFrom = configuration;
        int batchCount = 1;
        if (sumBatch == 1) {
            batchFrom = 0;
            batchCount = inBatch;
        }
        int channelFrom = channel;
        int channelCount = 1;
        if (sumChannels == 1) {
            channelFrom = 0;
            channelCount = inChannels;
        }
        int siteFrom = site;
        int siteCount = 1;
        if (sumSites == 1) {
            siteFrom = 0;
            siteCount = inSites;
        }
        double sum = 0.0;
        double compensation = 0.0;
        for (int n = batchFrom; n < batchFrom + batchCount; n++) {
            for (int c = channelFrom; c < channelFrom + channelCount; c++) {
                int base = (n * inChannels + c) * inSites;
                for (int s = siteFrom; s < siteFrom + siteCount; s++) {
                    double term = in[base + s] - compensation;
                    double next = sum + term;
                    compensation = (next - sum) - term;
                    sum = next;
                }
            }
        }
        out[i] = sum;
    }
}
