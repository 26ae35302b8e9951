package org.equiflow.tensor;

import java.util.Arrays;
import java.util.List;

import org.equiflow.tensor.cpu.ConvKernels;
import org.equiflow.tensor.cpu.HaloPlan;

/**
 * Periodic convolution on the lattice, as PyTorch's {@code ConvNd(padding=k/2,
 * padding_mode="circular")}: operands {@code x [B, Cin, L..]}, weight {@code [Cout, Cin, k..]}
 * (PyTorch layout, one odd k on every lattice axis) and optionally bias {@code [1, Cout]};
 * result {@code [B, Cout, L..]} with
 * {@code out[b][co](x) = bias[co] + sum_{ci, d} w[co][ci][d + k/2] in[b][ci](x + d)}.
 *
 * <p>Periodic padding keeps the convolution translation-equivariant on the torus, which the
 * coupling layers' symmetry argument relies on.
 */
public record Conv() implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 2 && inputs.size() != 3) {
            throw new IllegalArgumentException("Conv takes (input, weight) or (input, weight, bias), got " + inputs.size() + " operands");
        }
        Shape x = inputs.get(0), w = inputs.get(1);
        kernelExtent(w, x.latticeRank());
        if (w.channels() != x.channels()) {
            throw new IllegalArgumentException("weight " + w + " expects " + w.channels() + " input channels, input " + x + " has " + x.channels());
        }
        if (inputs.size() == 3 && !inputs.get(2).equals(Shape.perConfiguration(1, w.batch()))) {
            throw new IllegalArgumentException("bias must be " + Shape.perConfiguration(1, w.batch()) + ", got " + inputs.get(2));
        }
        return x.withChannels(w.batch());
    }

    /** The odd kernel extent of a weight {@code [Cout, Cin, k.. (rank times)]}. */
    static int kernelExtent(Shape w, int latticeRank) {
        if (latticeRank == 0 || w.latticeRank() != latticeRank) {
            throw new IllegalArgumentException("weight " + w + " does not fit a lattice of rank " + latticeRank);
        }
        int k = w.latticeExtent(0);
        for (int extent : w.lattice()) {
            if (extent != k || k % 2 == 0) {
                throw new IllegalArgumentException("kernel must be odd and equal on all axes, got " + Arrays.toString(w.lattice()));
            }
        }
        return k;
    }

    static ConvKernels.Geometry geometry(Shape x, int outChannels, int kernel) {
        return new ConvKernels.Geometry(x.batch(), x.channels(), outChannels, HaloPlan.of(x.lattice(), kernel));
    }

    @Override
    public boolean overwritesOutput() { return true; }

    /** Output channels × input channels × taps × sites × configurations multiply-adds. */
    @Override
    public long flops(List<Tensor> inputs) {
        return multiplyAdds(inputs.get(0).shape(), inputs.get(1).shape()) * 2;
    }

    /** The multiply-adds of convolving x with a weight of shape w: output channels × input channels × taps × sites × configurations. */
    static long multiplyAdds(Shape x, Shape w) {
        return (long) w.batch() * w.channels() * w.sites() * x.sites() * x.batch();
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor x = inputs.get(0), w = inputs.get(1);
        Tensor bias = inputs.size() == 3 ? inputs.get(2) : null;
        var g = geometry(x.shape(), w.shape().batch(), w.shape().latticeExtent(0));
        if (x.dtype() == DType.F32) {
            ConvKernels.forward(g, x.f32(), w.f32(), bias == null ? null : bias.f32(), out.f32());
        } else {
            ConvKernels.forward(g, x.f64(), w.f64(), bias == null ? null : bias.f64(), out.f64());
        }
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Tensor x = inputs.get(0), w = inputs.get(1);
        return switch (index) {
            case 0 -> Ops.conv(outputGrad, Ops.flipKernel(w));
            case 1 -> Ops.convWeightGradient(x, outputGrad, w.shape().latticeExtent(0));
            case 2 -> Ops.sumTo(outputGrad, inputs.get(2).shape());
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
