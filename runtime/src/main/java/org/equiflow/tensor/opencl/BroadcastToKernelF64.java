package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.BroadcastTo}: every output element reads its one source element.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#broadcastTo} on the device-resident heap.
 */
final class BroadcastToKernelF64 extends Kernel {

    double[] in = new double[1];
    double[] out = new double[1];
    int channels;
    int sites;
    int batchStride;
    int channelStride;
    int siteStride;

    void bind(double[] in, BroadcastStrides strides, double[] out, int channels, int sites) {
        this.in = in;
        this.out = out;
        this.channels = channels;
        this.sites = sites;
        this.batchStride = strides.batch();
        this.channelStride = strides.channel();
        this.siteStride = strides.site();
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % sites;
        int channel = (i / sites) % channels;
        int configuration = i / (sites * channels);
        out[i] = in[configuration * batchStride + channel * channelStride + site * siteStride];
    }
}
