package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;

/** A conditioner net with every channel count known: the stages in order, input to output. */
public record NetSpec(List<Stage> stages, int inChannels, int outChannels) {
    public NetSpec { stages = List.copyOf(stages); }

    public sealed interface Stage permits Conv, Dense, Activation {}

    /** Periodic convolution (circular padding, odd kernel, stride 1). */
    public record Conv(int inChannels, int outChannels, int kernel, boolean bias) implements Stage {}

    /** Fully connected over all sites and channels (breaks translation symmetry). */
    public record Dense(int inChannels, int outChannels, boolean bias) implements Stage {}

    /** An elementwise function with its configuration, e.g. leaky_relu(slope = 0.01). */
    public record Activation(String name, Map<String, Object> arguments, Parity parity) implements Stage {}

    public long parameterCount(Lattice lattice) {
        long n = 0;
        for (Stage s : stages) {
            if (s instanceof Conv c) {
                n += (long) c.inChannels() * c.outChannels() * Math.round(Math.pow(c.kernel(), lattice.dimensions()))
                        + (c.bias() ? c.outChannels() : 0);
            } else if (s instanceof Dense d) {
                long in = d.inChannels() * lattice.volume(), out = d.outChannels() * lattice.volume();
                n += in * out + (d.bias() ? out : 0);
            }
        }
        return n;
    }
}
