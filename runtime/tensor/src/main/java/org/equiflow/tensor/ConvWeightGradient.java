package org.equiflow.tensor;

import java.util.Arrays;
import java.util.List;

import org.equiflow.tensor.cpu.ConvKernels;

/**
 * The weight cotangent of {@link Conv}: from the input {@code x [B, Cin, L..]} and the output
 * cotangent {@code g [B, Cout, L..]}, {@code [Cout, Cin, k..]} with
 * {@code gw[co][ci][d + k/2] = sum_{b, x} g[b][co](x) in[b][ci](x + d)}. A primitive of its own
 * so that it has a fast kernel, and a VJP (made of convolutions) for second derivatives.
 */
public record ConvWeightGradient(int kernel) implements Primitive {

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Primitive.expectArity(this, inputs, 2);
        Shape x = inputs.get(0), g = inputs.get(1);
        if (x.batch() != g.batch() || !x.sameLattice(g) || x.latticeRank() == 0) {
            throw new IllegalArgumentException("input " + x + " and output cotangent " + g + " do not match");
        }
        if (kernel < 1 || kernel % 2 == 0) throw new IllegalArgumentException("kernel must be odd, got " + kernel);
        int[] k = new int[x.latticeRank()];
        Arrays.fill(k, kernel);
        return new Shape(g.channels(), x.channels(), k);
    }

    /** As many multiply-adds as the convolution whose weight gradient this is. */
    @Override
    public long flops(List<Tensor> inputs) {
        Shape x = inputs.get(0).shape(), g = inputs.get(1).shape();
        return 2 * Conv.multiplyAdds(x, outputShape(List.of(x, g)));
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor x = inputs.get(0), g = inputs.get(1);
        var geometry = Conv.geometry(x.shape(), g.shape().channels(), kernel);
        if (x.dtype() == DType.F32) {
            ConvKernels.weightGradient(geometry, x.f32(), g.f32(), out.f32());
        } else {
            ConvKernels.weightGradient(geometry, x.f64(), g.f64(), out.f64());
        }
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        // The map (x, g) -> gw is bilinear; holding one factor fixed it is a convolution.
        Tensor x = inputs.get(0), g = inputs.get(1);
        return switch (index) {
            case 0 -> Ops.conv(g, Ops.flipKernel(outputGrad));
            case 1 -> Ops.conv(x, outputGrad);
            default -> throw new IndexOutOfBoundsException(index);
        };
    }
}
