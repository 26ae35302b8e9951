package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.SumTo}: one work item per output element sums the input elements
 * that collapse onto it. The sums run over whole lattices (log-dets, actions), so they are
 * compensated (Kahan): float32 work, yet as accurate as the CPU backend's double accumulator
 * and independent of the lattice size.
 */
final class SumToKernelF32 extends Kernel {

    float[] in = new float[1];
    float[] out = new float[1];
    int inChannels;
    int inSites;
    int outChannels;
    int outSites;
    /** Per axis: 1 if the target collapses it (the sum runs over all of it), else 0. */
    int sumBatch;
    int sumChannels;
    int sumSites;
    int inBatch;

    void bind(float[] in, int inBatch, int inChannels, int inSites, float[] out, int outChannels, int outSites,
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
        float sum = 0f;
        float compensation = 0f;
        for (int n = batchFrom; n < batchFrom + batchCount; n++) {
            for (int c = channelFrom; c < channelFrom + channelCount; c++) {
                int base = (n * inChannels + c) * inSites;
                for (int s = siteFrom; s < siteFrom + siteCount; s++) {
                    float term = in[base + s] - compensation;
                    float next = sum + term;
                    compensation = (next - sum) - term;
                    sum = next;
                }
            }
        }
        out[i] = sum;
    }
}
