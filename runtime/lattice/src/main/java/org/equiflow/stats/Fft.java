package org.equiflow.stats;

/**
 * The discrete Fourier transform of a power-of-two length, in place (iterative radix-2
 * Cooley–Tukey), for the autocorrelation function of long Monte Carlo series
 * ({@link Autocorrelation}). The twiddle factors are computed from their angles, not by
 * recurrence, so that rounding does not grow with the length, once per length.
 */
final class Fft {
    private Fft() {}

    /**
     * X_k = Σ_j x_j e^{∓2πi jk/M} over the M = re.length values (a power of two), in place;
     * {@code inverse} takes the + sign and does not divide by M.
     */
    static void transform(double[] re, double[] im, boolean inverse) {
        int m = re.length;
        if (Integer.bitCount(m) != 1 || im.length != m) throw new IllegalArgumentException("length " + m + " is not a power of two");
        // Bit-reversal permutation.
        for (int i = 1, j = 0; i < m; i++) {
            int bit = m >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        double sign = inverse ? 1 : -1;
        Twiddles w = twiddles(m);
        for (int length = 2; length <= m; length <<= 1) {
            int half = length >> 1, stride = m / length;
            for (int start = 0; start < m; start += length) {
                for (int k = 0; k < half; k++) {
                    int a = start + k, b = a + half;
                    double cos = w.cos[k * stride], sin = sign * w.sin[k * stride];
                    double tr = re[b] * cos - im[b] * sin;
                    double ti = re[b] * sin + im[b] * cos;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
        }
    }

    /** cos and sin of 2πk/M for k &lt; M/2: every stage's factors, one table per length (a series' many observables share it). */
    private record Twiddles(double[] cos, double[] sin) {}

    private static volatile Twiddles cached;

    private static Twiddles twiddles(int m) {
        Twiddles w = cached;
        if (w != null && w.cos.length == m / 2) return w;
        double[] cos = new double[m / 2], sin = new double[m / 2];
        for (int k = 0; k < m / 2; k++) {
            double angle = 2 * Math.PI * k / m;
            cos[k] = Math.cos(angle);
            sin[k] = Math.sin(angle);
        }
        w = new Twiddles(cos, sin);
        cached = w;
        return w;
    }
}
