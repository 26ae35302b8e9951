package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ScalarObservablesTest {

    /** G(x) by its definition, (1/V) Σ_y φ(y) φ(y + x), V² products. */
    private static double[] twoPointByDefinition(float[] phi, int[] sizes) {
        int volume = phi.length;
        double[] g = new double[volume];
        int[] x = new int[sizes.length], y = new int[sizes.length];
        for (int dx = 0; dx < volume; dx++) {
            unflatten(dx, sizes, x);
            double sum = 0;
            for (int yi = 0; yi < volume; yi++) {
                unflatten(yi, sizes, y);
                int shifted = 0;
                for (int d = 0; d < sizes.length; d++) shifted = shifted * sizes[d] + (y[d] + x[d]) % sizes[d];
                sum += phi[yi] * (double) phi[shifted];
            }
            g[dx] = sum / volume;
        }
        return g;
    }

    private static void unflatten(int index, int[] sizes, int[] out) {
        for (int d = sizes.length - 1; d >= 0; d--) {
            out[d] = index % sizes[d];
            index /= sizes[d];
        }
    }

    @Test
    void twoPointByFourierTransformEqualsTheDefinitionOnAnAnisotropicLattice() {
        int[] sizes = {4, 6, 3};
        var observables = new ScalarObservables(List.of(4, 6, 3));
        var random = new SplittableRandom(5);
        float[] configs = new float[2 * 72];
        for (int i = 0; i < configs.length; i++) configs[i] = (float) random.nextGaussian();
        int[] x = new int[3];
        for (int c = 0; c < 2; c++) {
            float[] one = java.util.Arrays.copyOfRange(configs, c * 72, (c + 1) * 72);
            double[] g = observables.twoPoint(configs, c);
            assertArrayEquals(twoPointByDefinition(one, sizes), g, 1e-12);
            // G(−x) is G(x) bit for bit, so that their series share one error analysis
            for (int i = 0; i < 72; i++) {
                unflatten(i, sizes, x);
                int minus = ((4 - x[0]) % 4 * 6 + (6 - x[1]) % 6) * 3 + (3 - x[2]) % 3;
                assertEquals(Double.doubleToRawLongBits(g[i]), Double.doubleToRawLongBits(g[minus]), "G at " + i + " and " + minus);
            }
        }
        assertArrayEquals(new int[] {1, 2, 0}, observables.displacement(1 * 18 + 2 * 3));
    }

    @Test
    void exactFreeTwoPointSumsOverSpaceToTheExactZeroMomentumCorrelator() {
        double[] g = ScalarObservables.freeFieldTwoPoint(List.of(6, 4), 0.7);
        double[] zeroMomentum = ScalarObservables.freeFieldZeroMomentum(6, 0.7);
        for (int t = 0; t < 6; t++) {
            double sum = 0;
            for (int x = 0; x < 4; x++) sum += g[t * 4 + x];
            assertEquals(zeroMomentum[t], sum, 1e-12, "t = " + t);
        }
        // G(x) = G(−x) and, on a square lattice, G(x, y) = G(y, x).
        double[] square = ScalarObservables.freeFieldTwoPoint(List.of(5, 5), 0.7);
        assertEquals(square[1 * 5 + 2], square[4 * 5 + 3], 1e-12);
        assertEquals(square[1 * 5 + 2], square[2 * 5 + 1], 1e-12);
    }

    @Test
    void exactFreeTwoPointAtZeroIsTheSiteVarianceFromTheInverseOfTheQuadraticForm() {
        // L = 3 in 1D: K = −Δ + m2 is circulant with diagonal 2 + m2 and off-diagonals −1.
        double m2 = 0.5;
        double a = 2 + m2, b = -1;
        // inverse of the circulant [[a,b,b],[b,a,b],[b,b,a]]: diagonal (a+b)/((a−b)(a+2b)), off-diagonal −b/((a−b)(a+2b))
        double det = (a - b) * (a + 2 * b);
        double[] g = ScalarObservables.freeFieldTwoPoint(List.of(3), m2);
        assertEquals(0.5 * (a + b) / det, g[0], 1e-12);
        assertEquals(0.5 * -b / det, g[1], 1e-12);
    }
}
