package org.equiflow.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trace of each site's complex N×N matrices (layout of {@link ComplexMatMul}):
 * [B, M·2N², L…] → [B, M·2, L…], real and imaginary part of tr A_m(x) — the gauge-invariant
 * number a Wilson action or a Polyakov loop is made of. Its VJP puts the cotangent on the
 * diagonal: ∂L/∂A_ii = G.
 */
public record ComplexTrace(int n) implements Primitive {

    public ComplexTrace {
        SiteMatrices.requireSize(n);
    }

    private int block() { return 2 * n * n; }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        Shape a = SiteMatrices.oneFieldOfMatrices(this, inputs, n);
        return a.withChannels(2 * (a.channels() / block()));
    }

    @Override
    public void forward(List<Tensor> inputs, Tensor out) {
        Tensor a = inputs.getFirst();
        Shape s = a.shape();
        int sites = s.sites(), matrices = s.batch() * (s.channels() / block());
        // Sites innermost on the backing arrays; per site the sum runs from 0 over the diagonal in
        // order, in double, as a scalar loop would.
        if (out.dtype() == DType.F32) {
            float[] av = a.f32(), ov = out.f32();
            SiteMatrices.forEachMatrix(matrices, a.size(), (chunk, from, to) -> {
                double[] re = new double[sites], im = new double[sites];
                for (int m = from; m < to; m++) {
                    trace(av, m * block() * sites, sites, re, im);
                    int at = 2 * m * sites;
                    for (int x = 0; x < sites; x++) {
                        ov[at + x] = (float) re[x];
                        ov[at + sites + x] = (float) im[x];
                    }
                }
            });
        } else {
            double[] av = a.f64(), ov = out.f64();
            SiteMatrices.forEachMatrix(matrices, a.size(), (chunk, from, to) -> {
                double[] re = new double[sites], im = new double[sites];
                for (int m = from; m < to; m++) {
                    trace(av, m * block() * sites, sites, re, im);
                    System.arraycopy(re, 0, ov, 2 * m * sites, sites);
                    System.arraycopy(im, 0, ov, (2 * m + 1) * sites, sites);
                }
            });
        }
    }

    private void trace(float[] a, int base, int sites, double[] re, double[] im) {
        Arrays.fill(re, 0);
        Arrays.fill(im, 0);
        for (int i = 0; i < n; i++) {
            int at = base + 2 * (i * n + i) * sites;
            for (int x = 0; x < sites; x++) {
                re[x] += a[at + x];
                im[x] += a[at + sites + x];
            }
        }
    }

    private void trace(double[] a, int base, int sites, double[] re, double[] im) {
        Arrays.fill(re, 0);
        Arrays.fill(im, 0);
        for (int i = 0; i < n; i++) {
            int at = base + 2 * (i * n + i) * sites;
            for (int x = 0; x < sites; x++) {
                re[x] += a[at + x];
                im[x] += a[at + sites + x];
            }
        }
    }

    @Override
    public Tensor vjp(int index, List<Tensor> inputs, Tensor output, Tensor outputGrad) {
        Shape s = inputs.getFirst().shape();
        int matrices = s.channels() / block();
        Tensor zero = Tensor.zeros(outputGrad.shape().withChannels(1), outputGrad.dtype());
        List<Tensor> parts = new ArrayList<>();
        for (int m = 0; m < matrices; m++) {
            Tensor re = Ops.sliceChannels(outputGrad, 2 * m, 2 * m + 1), im = Ops.sliceChannels(outputGrad, 2 * m + 1, 2 * m + 2);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    parts.add(i == j ? re : zero);
                    parts.add(i == j ? im : zero);
                }
            }
        }
        return Ops.concatChannels(parts);
    }
}
