package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import com.aparapi.Kernel;

/**
 * {@code out = a op b} with broadcasting ({@link BroadcastStrides}), for every {@link org.equiflow.tensor.BinaryOp}.
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#binary} on the device-resident heap.
 */
final class BinaryKernelF64 extends Kernel {

    double[] a = new double[1];
    double[] b = new double[1];
    double[] out = new double[1];
    int operation;
    int channels;
    int sites;
    int aBatchStride;
    int aChannelStride;
    int aSiteStride;
    int bBatchStride;
    int bChannelStride;
    int bSiteStride;

    void bind(int operation, double[] a, BroadcastStrides aStrides, double[] b, BroadcastStrides bStrides,
              double[] out, int channels, int sites) {
        this.operation = operation;
        this.a = a;
        this.b = b;
        this.out = out;
        this.channels = channels;
        this.sites = sites;
        this.aBatchStride = aStrides.batch();
        this.aChannelStride = aStrides.channel();
        this.aSiteStride = aStrides.site();
        this.bBatchStride = bStrides.batch();
        this.bChannelStride = bStrides.channel();
        this.bSiteStride = bStrides.site();
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int site = i % sites;
        int configurationChannel = i / sites;
        int channel = configurationChannel % channels;
        int configuration = configurationChannel / channels;
        double x = a[configuration * aBatchStride + channel * aChannelStride + site * aSiteStride];
        double y = b[configuration * bBatchStride + channel * bChannelStride + site * bSiteStride];
        double result = x + y;
        if (operation == SUB) {
            result = x - y;
        } else if (operation == MUL) {
            result = x * y;
        } else if (operation == DIV) {
            result = x / y;
        }
        out[i] = result;
    }
}
