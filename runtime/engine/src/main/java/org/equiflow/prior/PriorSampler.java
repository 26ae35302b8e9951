package org.equiflow.prior;

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
        var fourier = new LatticeFourier(lattice.sizes());
        for (int config = 0; config < shape.batch() * shape.channels(); config++) {
            for (int i = 0; i < volume; i++) {
                re[i] = random.nextGaussian();
                im[i] = 0;
            }
            fourier.transform(re, im, false);
            for (int i = 0; i < volume; i++) {
                re[i] *= freeFieldFilter[i];
                im[i] *= freeFieldFilter[i];
            }
            fourier.transform(re, im, true);
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
}
