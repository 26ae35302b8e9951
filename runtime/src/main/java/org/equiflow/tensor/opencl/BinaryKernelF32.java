package org.equiflow.tensor.opencl;

import static org.equiflow.tensor.opencl.OperationCodes.*;

import com.aparapi.Kernel;

/** {@code out = a op b} with broadcasting ({@link BroadcastStrides}), for every {@link org.equiflow.tensor.BinaryOp}. */
final class BinaryKernelF32 extends Kernel {

    float[] a = new float[1];
    float[] b = new float[1];
    float[] out = new float[1];
    int operation;
    int channels;
    int sites;
    int aBatchStride;
    int aChannelStride;
    int aSiteStride;
    int bBatchStride;
    int bChannelStride;
    int bSiteStride;

    void bind(int operation, float[] a, BroadcastStrides aStrides, float[] b, BroadcastStrides bStrides,
              float[] out, int channels, int sites) {
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
        float x = a[configuration * aBatchStride + channel * aChannelStride + site * aSiteStride];
        float y = b[configuration * bBatchStride + channel * bChannelStride + site * bSiteStride];
        float result = x + y;
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
