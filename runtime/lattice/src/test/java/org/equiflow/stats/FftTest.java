package org.equiflow.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The transform against the plain DFT, and its schedule (cache blocks, the first two stages fused, wide stages four
 * butterflies at a time and in pairs, an odd stage left over) against the plain stage-by-stage radix-2 loop, bit for
 * bit, on lengths below, at and above the block.
 */
class FftTest {

    /** The stage-by-stage radix-2 transform, each stage over the whole sequence (the schedule before blocking). */
    private static void stageByStage(double[] re, double[] im, boolean inverse) {
        int m = re.length;
        Fft.bitReverse(re, im); // the permutation is not what the blocking changed
        double sign = inverse ? 1 : -1;
        double[] cos = new double[Math.max(1, m / 2)], sin = new double[cos.length];
        for (int k = 0; k < m / 2; k++) {
            cos[k] = Math.cos(2 * Math.PI * k / m);
            sin[k] = Math.sin(2 * Math.PI * k / m);
        }
        for (int length = 2; length <= m; length <<= 1) {
            int half = length >> 1, stride = m / length;
            for (int start = 0; start < m; start += length) {
                for (int k = 0; k < half; k++) {
                    int a = start + k, b = a + half;
                    double c = cos[k * stride], s = sign * sin[k * stride];
                    double tr = re[b] * c - im[b] * s, ti = re[b] * s + im[b] * c;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    @Test
    void theBlockedScheduleGivesTheStageByStageBits() {
        var random = new SplittableRandom(3);
        for (int m : new int[] {1, 2, 4, 8, 16, 32, 1024, Fft.CACHE_BLOCK, 2 * Fft.CACHE_BLOCK, 1 << 15, 1 << 16}) {
            for (boolean inverse : new boolean[] {false, true}) {
                double[] re = new double[m], im = new double[m];
                for (int i = 0; i < m; i++) {
                    re[i] = random.nextDouble(-1, 1);
                    im[i] = random.nextDouble(-1, 1);
                }
                double[] re0 = re.clone(), im0 = im.clone();
                Fft.transform(re, im, inverse);
                stageByStage(re0, im0, inverse);
                assertArrayEquals(re0, re, "real parts, length " + m);
                assertArrayEquals(im0, im, "imaginary parts, length " + m);
            }
        }
    }

    @Test
    void equalsTheDiscreteFourierTransform() {
        var random = new SplittableRandom(4);
        int m = 64;
        double[] re = new double[m], im = new double[m];
        for (int i = 0; i < m; i++) re[i] = random.nextDouble(-1, 1);
        double[] x = re.clone();
        Fft.transform(re, im, false);
        for (int k = 0; k < m; k++) {
            double sr = 0, si = 0;
            for (int j = 0; j < m; j++) {
                sr += x[j] * Math.cos(2 * Math.PI * j * k / m);
                si -= x[j] * Math.sin(2 * Math.PI * j * k / m);
            }
            assertEquals(sr, re[k], 1e-12, "Re X_" + k);
            assertEquals(si, im[k], 1e-12, "Im X_" + k);
        }
    }

    /**
     * The real transform gathers its pairs straight into bit-reversed order: the bits of pairing the values as one
     * complex sequence and transforming that, and within 1e-12 of the plain DFT.
     */
    @Test
    void theRealTransformIsTheComplexTransformOfItsPairs() {
        var random = new SplittableRandom(5);
        for (int m : new int[] {2, 4, 16, 256, 512, 4 * Fft.CACHE_BLOCK, 1 << 17}) {
            double[] x = new double[m];
            for (int i = 0; i < m; i++) x[i] = random.nextDouble(-1, 1);
            double[][] spectrum = Fft.realForward(x);
            int h = m / 2;
            double[] zr = new double[h], zi = new double[h];
            for (int j = 0; j < h; j++) {
                zr[j] = x[2 * j];
                zi[j] = x[2 * j + 1];
            }
            Fft.transform(zr, zi, false);
            for (int k = 0; k <= h; k++) {
                int a = k % h, b = (h - k) % h;
                double er = (zr[a] + zr[b]) / 2, ei = (zi[a] - zi[b]) / 2, or = (zi[a] + zi[b]) / 2, oi = -(zr[a] - zr[b]) / 2;
                double cos = k < h ? Math.cos(2 * Math.PI * k / m) : -1, sin = k < h ? -Math.sin(2 * Math.PI * k / m) : 0;
                assertEquals(er + cos * or - sin * oi, spectrum[0][k], 0, "Re X_" + k + ", length " + m);
                assertEquals(ei + cos * oi + sin * or, spectrum[1][k], 0, "Im X_" + k + ", length " + m);
            }
            if (m <= 256) {
                for (int k = 0; k <= h; k++) {
                    double sr = 0, si = 0;
                    for (int j = 0; j < m; j++) {
                        sr += x[j] * Math.cos(2 * Math.PI * j * k / m);
                        si -= x[j] * Math.sin(2 * Math.PI * j * k / m);
                    }
                    assertEquals(sr, spectrum[0][k], 1e-12, "Re X_" + k);
                    assertEquals(si, spectrum[1][k], 1e-12, "Im X_" + k);
                }
            }
        }
    }
}
