package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/** The float64 twin of {@link ChannelCopyKernelF32} (Aparapi kernels are fixed to one array element type). */
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
