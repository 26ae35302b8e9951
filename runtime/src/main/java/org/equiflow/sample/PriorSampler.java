package org.equiflow.sample;

import java.util.SplittableRandom;
import org.equiflow.compiler.ir.FreeField;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * Draws latent configurations exactly from a flow's prior, the distribution whose density the
 * compiled {@code log_prior} evaluates: independent N(0, σ²) per site, Haar-uniform U(1) link
 * angles in [−π, π), or the free field, sampled in momentum space.
 */
public final class PriorSampler {
    private final PriorSpec prior;
    private final Lattice lattice;
    private final double[] freeFieldFilter;

    public PriorSampler(PriorSpec prior, Lattice lattice) {
        this.prior = prior;
        this.lattice = lattice;
        this.freeFieldFilter = prior.name().equals("free_field")
                ? freeFieldFilter(lattice, ((Number) prior.arguments().get("m2")).doubleValue()) : null;
    }

    public Tensor sample(Shape shape, DType dtype, SplittableRandom random) {
        return switch (prior.name()) {
            case "normal" -> {
                double sigma = ((Number) prior.arguments().get("sigma")).doubleValue();
                Tensor z = Tensor.randn(shape, dtype, random);
                if (sigma != 1.0) for (int i = 0; i < z.size(); i++) z.set(i, sigma * z.get(i));
                yield z;
            }
            case "haar" -> {
                Tensor z = Tensor.zeros(shape, dtype);
                for (int i = 0; i < z.size(); i++) z.set(i, Math.PI * (2 * random.nextDouble() - 1));
                yield z;
            }
            case "free_field" -> freeField(shape, dtype, random);
            default -> throw new IllegalStateException("internal error, please report: no sampler for prior " + prior.name());
        };
    }

    /**
     * φ = F⁻¹ diag(λp^{−1/2}) F ξ with ξ white noise: F is unitary and the free action's
     * quadratic form K = F⁻¹ diag(λ) F, so φ has covariance K⁻¹ exactly, as log q assumes.
     */
    private Tensor freeField(Shape shape, DType dtype, SplittableRandom random) {
        int volume = (int) lattice.volume();
        Tensor z = Tensor.zeros(shape, dtype);
        double[] re = new double[volume], im = new double[volume];
        int[] sizes = lattice.sizes().stream().mapToInt(Integer::intValue).toArray();
        for (int config = 0; config < shape.batch() * shape.channels(); config++) {
            for (int i = 0; i < volume; i++) {
                re[i] = random.nextGaussian();
                im[i] = 0;
            }
            Fourier.transform(re, im, sizes, false);
            for (int i = 0; i < volume; i++) {
                re[i] *= freeFieldFilter[i];
                im[i] *= freeFieldFilter[i];
            }
            Fourier.transform(re, im, sizes, true);
            for (int i = 0; i < volume; i++) z.set(config * volume + i, re[i]);
        }
        return z;
    }

    /** λp^{−1/2} for every momentum, row-major like the sites. */
    private static double[] freeFieldFilter(Lattice lattice, double m2) {
        double[] filter = FreeField.eigenvalues(lattice, m2);
        for (int k = 0; k < filter.length; k++) filter[k] = 1 / Math.sqrt(filter[k]);
        return filter;
    }

    /** The unitary discrete Fourier transform over all lattice axes, one axis at a time. */
    static final class Fourier {
        private Fourier() {}

        static void transform(double[] re, double[] im, int[] sizes, boolean inverse) {
            int volume = re.length;
            for (int axis = 0; axis < sizes.length; axis++) {
                int n = sizes[axis];
                int stride = 1;
                for (int a = sizes.length - 1; a > axis; a--) stride *= sizes[a];
                double[] lineRe = new double[n], lineIm = new double[n], outRe = new double[n], outIm = new double[n];
                double sign = inverse ? 1 : -1, norm = 1 / Math.sqrt(n);
                for (int start = 0; start < volume; start++) {
                    if ((start / stride) % n != 0) continue;
                    for (int j = 0; j < n; j++) {
                        lineRe[j] = re[start + j * stride];
                        lineIm[j] = im[start + j * stride];
                    }
                    for (int k = 0; k < n; k++) {
                        double sr = 0, si = 0;
                        for (int j = 0; j < n; j++) {
                            double angle = sign * 2 * Math.PI * ((long) j * k % n) / n;
                            double c = Math.cos(angle), s = Math.sin(angle);
                            sr += lineRe[j] * c - lineIm[j] * s;
                            si += lineRe[j] * s + lineIm[j] * c;
                        }
                        outRe[k] = sr * norm;
                        outIm[k] = si * norm;
                    }
                    for (int k = 0; k < n; k++) {
                        re[start + k * stride] = outRe[k];
                        im[start + k * stride] = outIm[k];
                    }
                }
            }
        }
    }
}
