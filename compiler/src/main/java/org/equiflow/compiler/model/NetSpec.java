package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.diag.Span;

/**
 * A conditioner net with every channel count known: the stages in order, input to output.
 * {@code span} is the argument that gave the net (the symmetry checker points there); stage
 * spans are where each stage was written (the user's call site for standard-library nets).
 */
public record NetSpec(List<Stage> stages, int inChannels, int outChannels, Span span) {
    public NetSpec { stages = List.copyOf(stages); }

    public sealed interface Stage permits Conv, Dense, Activation {
        Span span();
    }

    /** Periodic convolution (circular padding, odd kernel, stride 1). */
    public record Conv(int inChannels, int outChannels, int kernel, boolean bias, Span span) implements Stage {}

    /** Fully connected over all sites and channels (breaks translation symmetry). */
    public record Dense(int inChannels, int outChannels, boolean bias, Span span) implements Stage {}

    /**
     * An elementwise function with its configuration, e.g. leaky_relu(slope = 0.01); {@code declaredAt}
     * is its `extern` declaration, which states its parity.
     */
    public record Activation(String name, Map<String, Object> arguments, Parity parity, Span span, Span declaredAt)
            implements Stage {}

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
