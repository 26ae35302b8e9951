package org.equiflow.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Prior samples have the distribution the compiled log-density describes. */
class PriorSamplerTest {

    @Test
    void normalPriorHasVarianceSigmaSquared() {
        var sampler = new PriorSampler(new PriorSpec("normal", Map.of("sigma", 0.45)), new Lattice(List.of(4, 4)));
        Tensor z = sampler.sample(new Shape(4000, 1, 4, 4), DType.F64, new SplittableRandom(1));
        double sum = 0;
        for (int i = 0; i < z.size(); i++) sum += z.get(i) * z.get(i);
        double variance = sum / z.size();
        // 64000 samples: the variance estimate has relative error √(2/N) ≈ 0.56%.
        assertEquals(0.45 * 0.45, variance, 5 * 0.45 * 0.45 * Math.sqrt(2.0 / z.size()));
    }

    @Test
    void freeFieldSamplesHaveTheInverseQuadraticFormAsCovariance() {
        int l0 = 4, l1 = 3, volume = l0 * l1;
        double m2 = 0.6;
        var sampler = new PriorSampler(new PriorSpec("free_field", Map.of("m2", m2)), new Lattice(List.of(l0, l1)));
        int n = 40_000;
        Tensor z = sampler.sample(new Shape(n, 1, l0, l1), DType.F64, new SplittableRandom(2));
        double[][] k = new double[volume][volume];
        for (int site = 0; site < volume; site++) {
            int x0 = site / l1, x1 = site % l1;
            k[site][site] += m2 + 4;
            for (int[] nb : new int[][] {{x0 + 1, x1}, {x0 - 1, x1}, {x0, x1 + 1}, {x0, x1 - 1}}) {
                k[site][Math.floorMod(nb[0], l0) * l1 + Math.floorMod(nb[1], l1)] -= 1;
            }
        }
        double[][] covariance = invert(k);
        for (int i : new int[] {0, 5, 11}) {
            for (int j : new int[] {0, 1, 4, 7}) {
                double sum = 0;
                for (int c = 0; c < n; c++) sum += z.get(c * volume + i) * z.get(c * volume + j);
                double expected = covariance[i][j];
                double scale = Math.sqrt(covariance[i][i] * covariance[j][j] + expected * expected);
                assertEquals(expected, sum / n, 5 * scale / Math.sqrt(n), "covariance (" + i + ", " + j + ")");
            }
        }
    }

    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
            double[] t = m[c]; m[c] = m[pivot]; m[pivot] = t;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) m[c][j] /= d;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = m[r][c];
                for (int j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inverse[i], 0, n);
        return inverse;
    }
}
