package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * Copies a run of channels between tensors of equal batch and lattice: the one kernel behind
 * {@link org.equiflow.tensor.SliceChannels} (one run out of the source) and
 * {@link org.equiflow.tensor.ConcatChannels} (one launch per part, into its place).
 *
 * <p>Float64, with Aparapi's automatic transfers; float32 runs in
 * {@link ResidentKernelF32#channelCopy} on the device-resident heap.
 */
final class ChannelCopyKernelF64 extends Kernel {

    double[] source = new double[1];
    double[] target = new double[1];
    int sourceChannels;
    int sourceFirstChannel;
    int targetChannels;
    int targetFirstChannel;
    int sites;
    /** Elements copied per configuration: channels copied times sites. */
    int run;

    void bind(double[] source, int sourceChannels, int sourceFirstChannel,
              double[] target, int targetChannels, int targetFirstChannel, int copiedChannels, int sites) {
        this.source = source;
        this.sourceChannels = sourceChannels;
        this.sourceFirstChannel = sourceFirstChannel;
        this.target = target;
        this.targetChannels = targetChannels;
        this.targetFirstChannel = targetFirstChannel;
        this.sites = sites;
        this.run = copiedChannels * sites;
    }

    @Override
    public void run() {
        int i = getGlobalId();
        int configuration = i / run;
        int offset = i % run;
        target[(configuration * targetChannels + targetFirstChannel) * sites + offset]
                = source[(configuration * sourceChannels + sourceFirstChannel) * sites + offset];
    }
}
