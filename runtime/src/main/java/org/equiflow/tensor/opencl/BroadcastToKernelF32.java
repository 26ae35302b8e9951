package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** {@link org.equiflow.tensor.BroadcastTo}: every output element reads its one source element. */
final class BroadcastToKernelF32 extends Kernel {

    float[] in = new float[1];
    float[] out = new float[1];
    int channels;
    int sites;
    int batchStride;
    int channelStride;
    int siteStride;

    void bind(float[] in, BroadcastStrides strides, float[] out, int channels, int sites) {
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
