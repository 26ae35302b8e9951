package org.equiflow.truffle;

import java.util.SplittableRandom;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * The group side of the SU(2) flow laws, on 2D link fields packed as [B, 2·8, L0, L1] (channel
 * μ·8 + 2(2i + j) + part): the log-det of a flow's Jacobian in local group coordinates, and
 * random gauge transformations. Written from the definitions, independently of the layer.
 */
final class SuTwoLinks {
    private SuTwoLinks() {}

    private static final int MATRIX = 8;

    /** The 2×2 complex matrix of link (mu, site) of configuration b, as [re00, im00, re01, im01, re10, im10, re11, im11]. */
    static double[] link(Tensor t, int b, int mu, int site) {
        double[] m = new double[MATRIX];
        for (int c = 0; c < MATRIX; c++) m[c] = t.get(t.shape().index(b, mu * MATRIX + c, site));
        return m;
    }

    static void setLink(Tensor t, int b, int mu, int site, double[] m) {
        for (int c = 0; c < MATRIX; c++) t.set(t.shape().index(b, mu * MATRIX + c, site), m[c]);
    }

    /** A·B (or with adjoints), complex 2×2 in the packed order. */
    static double[] multiply(double[] a, boolean adjointA, double[] b, boolean adjointB) {
        double[] out = new double[MATRIX];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) {
            double re = 0, im = 0;
            for (int k = 0; k < 2; k++) {
                int ai = adjointA ? 2 * (2 * k + i) : 2 * (2 * i + k), bi = adjointB ? 2 * (2 * j + k) : 2 * (2 * k + j);
                double ar = a[ai], aim = adjointA ? -a[ai + 1] : a[ai + 1];
                double br = b[bi], bim = adjointB ? -b[bi + 1] : b[bi + 1];
                re += ar * br - aim * bim;
                im += ar * bim + aim * br;
            }
            out[2 * (2 * i + j)] = re;
            out[2 * (2 * i + j) + 1] = im;
        }
        return out;
    }

    /** a₀·1 + i(a₁σ₁ + a₂σ₂ + a₃σ₃). */
    static double[] quaternion(double a0, double a1, double a2, double a3) {
        return new double[] {a0, a3, a2, a1, -a2, a1, a0, -a3};
    }

    /** A uniformly random SU(2) element (a random unit quaternion). */
    static double[] randomElement(SplittableRandom random) {
        double[] a = new double[4];
        double norm = 0;
        for (int k = 0; k < 4; k++) {
            a[k] = random.nextGaussian();
            norm += a[k] * a[k];
        }
        norm = Math.sqrt(norm);
        return quaternion(a[0] / norm, a[1] / norm, a[2] / norm, a[3] / norm);
    }

    /** Ω(x) per configuration and site. */
    static double[][][] randomGauge(Shape s, SplittableRandom random) {
        double[][][] omega = new double[s.batch()][s.sites()][];
        for (double[][] configuration : omega) for (int x = 0; x < configuration.length; x++) configuration[x] = randomElement(random);
        return omega;
    }

    /** U_μ(x) → Ω(x) U_μ(x) Ω(x + μ)†. */
    static Tensor gaugeTransform(Tensor links, double[][][] omega) {
        Shape s = links.shape();
        int l0 = s.latticeExtent(0), l1 = s.latticeExtent(1);
        Tensor out = links.copy();
        for (int b = 0; b < s.batch(); b++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < l0; x0++) for (int x1 = 0; x1 < l1; x1++) {
                    int site = x0 * l1 + x1;
                    int next = ((x0 + (mu == 0 ? 1 : 0)) % l0) * l1 + (x1 + (mu == 1 ? 1 : 0)) % l1;
                    double[] u = multiply(multiply(omega[b][site], false, link(links, b, mu, site), false), false, omega[b][next], true);
                    setLink(out, b, mu, site, u);
                }
            }
        }
        return out;
    }

    /**
     * log|det| of the flow's forward map at z (one configuration) in the local coordinates
     * U → exp(Σₐ εₐ iσₐ/2)U of every link, in which the Haar measure is flat: central differences
     * of step 1e-5, all perturbed configurations in one batch; the output's tangent
     * X = ∂U′·U′† ∈ su(2) is read back as εₐ = −i tr(σₐX).
     */
    static double localLogDet(CompiledFlow flow, Tensor z) {
        Shape s = z.shape();
        int sites = s.sites(), coordinates = 2 * sites * 3;
        double step = 1e-5;
        Tensor perturbed = Tensor.zeros(s.withBatch(2 * coordinates), z.dtype());
        for (int k = 0; k < coordinates; k++) {
            int mu = k / (3 * sites), site = (k / 3) % sites, generator = k % 3;
            for (int sign = 0; sign < 2; sign++) {
                int b = 2 * k + sign;
                for (int m = 0; m < 2; m++) for (int x = 0; x < sites; x++) setLink(perturbed, b, m, x, link(z, 0, m, x));
                double angle = (sign == 0 ? 1 : -1) * step / 2;
                double[] rotation = quaternion(Math.cos(angle), generator == 0 ? Math.sin(angle) : 0,
                        generator == 1 ? Math.sin(angle) : 0, generator == 2 ? Math.sin(angle) : 0);
                setLink(perturbed, b, mu, site, multiply(rotation, false, link(z, 0, mu, site), false));
            }
        }
        Tensor image = flow.forward(z).x(), out = flow.forward(perturbed).x();
        double[][] jacobian = new double[coordinates][coordinates];
        for (int k = 0; k < coordinates; k++) {
            for (int m = 0; m < 2; m++) for (int x = 0; x < sites; x++) {
                double[] plus = link(out, 2 * k, m, x), minus = link(out, 2 * k + 1, m, x);
                double[] difference = new double[MATRIX];
                for (int c = 0; c < MATRIX; c++) difference[c] = (plus[c] - minus[c]) / (2 * step);
                double[] tangent = multiply(difference, false, link(image, 0, m, x), true);
                int row = (m * sites + x) * 3;
                // −i tr(σ₁X) = Im(x01 + x10), −i tr(σ₂X) = Re(x01 − x10), −i tr(σ₃X) = Im(x00 − x11)
                jacobian[row][k] = tangent[3] + tangent[5];
                jacobian[row + 1][k] = tangent[2] - tangent[4];
                jacobian[row + 2][k] = tangent[1] - tangent[7];
            }
        }
        return Determinants.logAbsDeterminant(jacobian);
    }
}
