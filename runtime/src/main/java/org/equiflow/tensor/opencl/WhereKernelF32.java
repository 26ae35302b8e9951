package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** {@link org.equiflow.tensor.Where}: {@code mask != 0 ? whenSet : whenClear}, the mask broadcasting. */
final class WhereKernelF32 extends Kernel {

    float[] mask = new float[1];
    float[] whenSet = new float[1];
    float[] whenClear = new float[1];
    float[] out = new float[1];
    int channels;
    int sites;
    int maskBatchStride;
    int maskChannelStride;
    int maskSiteStride;

    void bind(float[] mask, BroadcastStrides maskStrides, float[] whenSet, float[] whenClear, float[] out,
              int channels, int sites) {
        this.mask = mask;
        this.whenSet = whenSet;
        this.whenClear = whenClear;
        this.out = out;
        this.channels = channels;
        this.sites = sites;
        this.maskBatchStride = maskStrides.batch();
        this.maskChannelStride = maskStrides.channel();
        this.maskSiteStride = maskStrides.site();
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % sites;
        int channel = (i / sites) % channels;
        int configuration = i / (sites * channels);
        float selector = mask[configuration * maskBatchStride + channel * maskChannelStride + site * maskSiteStride];
        float value = whenClear[i];
        if (selector != 0f) {
            value = whenSet[i];
        }
        out[i] = value;
    }
}
