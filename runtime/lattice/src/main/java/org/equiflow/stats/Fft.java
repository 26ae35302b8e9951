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
        bitReverse(re, im);
        double sign = inverse ? 1 : -1;
        Twiddles w = twiddles(m);
        // The stages up to CACHE_BLOCK values work within blocks of that many, so a block goes through
        // all of them while it is in cache; the later stages sweep the whole sequence. Every butterfly
        // reads what the stage before wrote to its two values, whatever the order of the blocks, so the
        // result is the stage-by-stage one bit for bit.
        int block = Math.min(m, CACHE_BLOCK);
        for (int from = 0; from < m; from += block) {
            for (int length = 2; length <= block; length <<= 1) stage(re, im, w, sign, length, from, from + block);
        }
        for (int length = 2 * block; length <= m; length <<= 1) stage(re, im, w, sign, length, 0, m);
    }

    /** Swaps every value with the one at its bit-reversed index: the order the radix-2 stages combine from. */
    static void bitReverse(double[] re, double[] im) {
        int m = re.length;
        for (int i = 1, j = 0; i < m; i++) {
            int bit = m >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
    }

    /** Values a block of the early stages spans: 4096 complex values, 64 KiB, stay in a core's L2. */
    static final int CACHE_BLOCK = 4096;

    /** The butterflies of the stage that combines transforms of {@code length / 2} into ones of {@code length}, on values from … to. */
    private static void stage(double[] re, double[] im, Twiddles w, double sign, int length, int from, int to) {
        int half = length >> 1;
        double[] stageCos = w.stageCos(length), stageSin = w.stageSin(length);
        for (int start = from; start < to; start += length) {
            for (int k = 0; k < half; k++) {
                int a = start + k, b = a + half;
                double cos = stageCos[k], sin = sign * stageSin[k];
                double tr = re[b] * cos - im[b] * sin;
                double ti = re[b] * sin + im[b] * cos;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
    }

    /**
     * X_k = Σ_j x_j e^{−2πi jk/M} of a real sequence of M values (a power of two, at least 2), for
     * k = 0 … M/2 (the rest is their complex conjugate): the real values taken in pairs as one complex
     * sequence of M/2, transformed, and the two halves' transforms separated — half the work of a
     * complex transform of M. Returns {re, im}, each of M/2 + 1 values.
     */
    static double[][] realForward(double[] x) {
        int m = x.length, h = m / 2;
        if (Integer.bitCount(m) != 1 || m < 2) throw new IllegalArgumentException("length " + m + " is not a power of two of at least 2");
        double[] zr = new double[h], zi = new double[h];
        for (int j = 0; j < h; j++) {
            zr[j] = x[2 * j];
            zi[j] = x[2 * j + 1];
        }
        transform(zr, zi, false);
        Twiddles w = twiddles(m);
        double[] cosAll = w.stageCos(m), sinAll = w.stageSin(m);
        double[] re = new double[h + 1], im = new double[h + 1];
        for (int k = 0; k <= h; k++) {
            int a = k == h ? 0 : k, b = k == 0 ? 0 : h - k; // k mod h and (h − k) mod h, without a division per value
            // E_k = (Z_k + conj Z_{h−k}) / 2 transforms the even values, O_k = (Z_k − conj Z_{h−k}) / 2i the odd ones.
            double er = (zr[a] + zr[b]) / 2, ei = (zi[a] - zi[b]) / 2;
            double or = (zi[a] + zi[b]) / 2, oi = -(zr[a] - zr[b]) / 2;
            // X_k = E_k + e^{−2πik/M} O_k.
            double cos = k < h ? cosAll[k] : -1, sin = k < h ? -sinAll[k] : 0;
            re[k] = er + cos * or - sin * oi;
            im[k] = ei + cos * oi + sin * or;
        }
        return new double[][] {re, im};
    }

    /**
     * cos and sin of 2πk/length for k &lt; length/2, for every stage length 2, 4, … M of a transform of
     * M values (a series' many observables share them), each stage's factors in order so that a stage
     * reads them one after the other. The stage of length M is the table of 2πk/M itself; each shorter
     * one holds that table's values at k·M/length, so every stage multiplies by the same bits.
     */
    private record Twiddles(double[][] stageCos, double[][] stageSin) {
        static Twiddles of(double[] cos, double[] sin) {
            return new Twiddles(byStage(cos), byStage(sin));
        }

        double[] stageCos(int length) { return stageCos[Integer.numberOfTrailingZeros(length)]; }

        double[] stageSin(int length) { return stageSin[Integer.numberOfTrailingZeros(length)]; }

        private static double[][] byStage(double[] table) {
            int m = 2 * table.length;
            double[][] stages = new double[Integer.numberOfTrailingZeros(m) + 1][];
            stages[Integer.numberOfTrailingZeros(m)] = table;
            for (int length = 2; length < m; length <<= 1) {
                int half = length >> 1, stride = m / length;
                double[] stage = new double[half];
                for (int k = 0; k < half; k++) stage[k] = table[k * stride];
                stages[Integer.numberOfTrailingZeros(length)] = stage;
            }
            return stages;
        }
    }

    private static final java.util.Map<Integer, Twiddles> TWIDDLES = new java.util.concurrent.ConcurrentHashMap<>();

    private static Twiddles twiddles(int m) {
        return TWIDDLES.computeIfAbsent(m, length -> {
            double[] cos = new double[length / 2], sin = new double[length / 2];
            for (int k = 0; k < length / 2; k++) {
                double angle = 2 * Math.PI * k / length;
                cos[k] = Math.cos(angle);
                sin[k] = Math.sin(angle);
            }
            return Twiddles.of(cos, sin);
        });
    }
}
