package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * {@link org.equiflow.tensor.Where}: {@code mask != 0 ? whenSet : whenClear}, the mask broadcasting.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#where} on the device-resident heap.
 */
final class WhereKernelF64 extends Kernel {

    double[] mask = new double[1];
    double[] whenSet = new double[1];
    double[] whenClear = new double[1];
    double[] out = new double[1];
    int channels;
    int sites;
    int maskBatchStride;
    int maskChannelStride;
    int maskSiteStride;

    void bind(double[] mask, BroadcastStrides maskStrides, double[] whenSet, double[] whenClear, double[] out,
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
        double selector = mask[configuration * maskBatchStride + channel * maskChannelStride + site * maskSiteStride];
        double value = whenClear[i];
        if (selector != 0.0) {
            value = whenSet[i];
        }
        out[i] = value;
    }
}
