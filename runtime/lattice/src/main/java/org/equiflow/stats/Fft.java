package org.equiflow.stats;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The discrete Fourier transform of a power-of-two length, in place (iterative radix-2
 * Cooley–Tukey), for the autocorrelation function of long Monte Carlo series
 * ({@link Autocorrelation}). The twiddle factors are computed from their angles, not by
 * recurrence, so that rounding does not grow with the length, once per length.
 *
 * Every schedule here (cache blocks, fused stages, four butterflies per vector) does each radix-2
 * butterfly with the same operations in the same order as the plain stage-by-stage loop, never
 * fused into a multiply-add, so the result has its bits whatever the schedule ({@code FftTest}).
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
        butterflies(re, im, inverse);
    }

    /** The radix-2 stages of {@link #transform}, on values already in bit-reversed order. */
    private static void butterflies(double[] re, double[] im, boolean inverse) {
        int m = re.length;
        double sign = inverse ? 1 : -1;
        Twiddles w = twiddles(m);
        // The stages up to CACHE_BLOCK values work within blocks of that many, so a block goes through
        // all of them while it is in cache; the later stages sweep the whole sequence. Every butterfly
        // reads what the stage before wrote to its two values, whatever the order of the blocks, so the
        // result is the stage-by-stage one bit for bit.
        int block = Math.min(m, CACHE_BLOCK);
        for (int from = 0; from < m; from += block) stages(re, im, w, sign, 2, block, from, from + block);
        stages(re, im, w, sign, 2 * block, m, 0, m);
    }

    /**
     * The stages of lengths {@code first} … {@code last} on values from … to, two at a time where both are wide
     * ({@link #stagePair}): each pass over memory then does two stages' work.
     */
    private static void stages(double[] re, double[] im, Twiddles w, double sign, int first, int last, int from, int to) {
        int length = first;
        while (length <= last) {
            if (length == 2 && 4 <= last) {
                firstTwoStages(re, im, w, sign, from, to);
                length = 8;
            } else if (length / 2 >= FOUR_DOUBLES.length() && 2 * length <= last) {
                stagePair(re, im, w, sign, length, from, to);
                length <<= 2;
            } else {
                stage(re, im, w, sign, length, from, to);
                length <<= 1;
            }
        }
    }

    /** Swaps every value with the one at its bit-reversed index: the order the radix-2 stages combine from. */
    static void bitReverse(double[] re, double[] im) {
        int[] reversed = reversal(re.length);
        for (int i = 1; i < reversed.length; i++) {
            int j = reversed[i];
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
    }

    /** Bits of a tile side in {@link #gatherPairsReversed}: a 16 × 16 tile of pairs is read and written within L1. */
    private static final int TILE_BITS = 4;

    /**
     * z_j = x_{2r} + i x_{2r+1} with r the bit reversal of j, for j &lt; h = zr.length: the values paired as one
     * complex sequence, straight in the bit-reversed order the stages start from. Reading x at r(j) for j = 0, 1, …
     * jumps through memory (a cache miss per value on long series), so the indices are taken in tiles: with
     * j = a·2^(b−t) + mid·2^t + c (a and c of t bits), r(j) = r(c)·2^(b−t) + r(mid)·2^t + r(a), so for one mid the
     * 2^t × 2^t values read are 2^t runs of consecutive pairs, and the values written are 2^t runs of consecutive j.
     * Only where the values go changes, not what they are.
     */
    static void gatherPairsReversed(double[] x, double[] zr, double[] zi) {
        int h = zr.length, bits = Integer.numberOfTrailingZeros(h);
        if (bits < 2 * TILE_BITS) {
            int[] reversed = reversal(h);
            for (int j = 0; j < h; j++) {
                int from = 2 * reversed[j];
                zr[j] = x[from];
                zi[j] = x[from + 1];
            }
            return;
        }
        int side = 1 << TILE_BITS, rowShift = bits - TILE_BITS;
        int[] tileReversed = reversal(side), midReversed = reversal(1 << (bits - 2 * TILE_BITS));
        for (int mid = 0; mid < midReversed.length; mid++) {
            int toMid = mid << TILE_BITS, fromMid = midReversed[mid] << TILE_BITS;
            for (int c = 0; c < side; c++) {
                int fromRow = (tileReversed[c] << rowShift) | fromMid, toColumn = toMid | c;
                for (int ra = 0; ra < side; ra++) {
                    int from = 2 * (fromRow | ra), to = toColumn | (tileReversed[ra] << rowShift);
                    zr[to] = x[from];
                    zi[to] = x[from + 1];
                }
            }
        }
    }

    private static final java.util.Map<Integer, int[]> REVERSALS = new java.util.concurrent.ConcurrentHashMap<>();

    /** i ↦ i with its log₂ m bits in reverse order, for i &lt; m (a power of two); one table per length, shared. */
    static int[] reversal(int m) {
        return REVERSALS.computeIfAbsent(m, length -> {
            int[] reversed = new int[length];
            int top = length >> 1;
            for (int i = 1; i < length; i++) reversed[i] = (reversed[i >> 1] >> 1) | ((i & 1) == 0 ? 0 : top);
            return reversed;
        });
    }

    /** Values a block of the early stages spans: 4096 complex values, 64 KiB, stay in a core's L2. */
    static final int CACHE_BLOCK = 4096;

    /** The butterflies of the stage that combines transforms of {@code length / 2} into ones of {@code length}, on values from … to. */
    private static void stage(double[] re, double[] im, Twiddles w, double sign, int length, int from, int to) {
        int half = length >> 1;
        double[] stageCos = w.stageCos(length), stageSin = w.stageSin(length);
        if (half >= FOUR_DOUBLES.length()) {
            wideStage(re, im, stageCos, stageSin, sign, length, from, to);
            return;
        }
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

    private static final VectorSpecies<Double> FOUR_DOUBLES = DoubleVector.SPECIES_256;

    /**
     * {@link #stage}'s butterflies four at a time, for stages of at least eight values: lane j does butterfly k + j
     * with the scalar loop's products, differences and sums in its order (none fused), so the bits are the same.
     */
    private static void wideStage(double[] re, double[] im, double[] stageCos, double[] stageSin, double sign, int length,
                                  int from, int to) {
        int half = length >> 1, lanes = FOUR_DOUBLES.length();
        for (int start = from; start < to; start += length) {
            for (int k = 0; k < half; k += lanes) {
                int a = start + k, b = a + half;
                var cos = DoubleVector.fromArray(FOUR_DOUBLES, stageCos, k);
                var sin = DoubleVector.fromArray(FOUR_DOUBLES, stageSin, k).mul(sign);
                var rb = DoubleVector.fromArray(FOUR_DOUBLES, re, b);
                var ib = DoubleVector.fromArray(FOUR_DOUBLES, im, b);
                var tr = rb.mul(cos).sub(ib.mul(sin));
                var ti = rb.mul(sin).add(ib.mul(cos));
                var ra = DoubleVector.fromArray(FOUR_DOUBLES, re, a);
                var ia = DoubleVector.fromArray(FOUR_DOUBLES, im, a);
                ra.sub(tr).intoArray(re, b);
                ia.sub(ti).intoArray(im, b);
                ra.add(tr).intoArray(re, a);
                ia.add(ti).intoArray(im, a);
            }
        }
    }

    /**
     * The stages of lengths 2 and 4 in one pass over each four values, with their three twiddle factors held in
     * registers: the butterflies of {@link #stage} in its order, so the same bits.
     */
    private static void firstTwoStages(double[] re, double[] im, Twiddles w, double sign, int from, int to) {
        double c2 = w.stageCos(2)[0], s2 = sign * w.stageSin(2)[0];
        double c40 = w.stageCos(4)[0], s40 = sign * w.stageSin(4)[0], c41 = w.stageCos(4)[1], s41 = sign * w.stageSin(4)[1];
        for (int p = from; p < to; p += 4) {
            double r0 = re[p], i0 = im[p], r1 = re[p + 1], i1 = im[p + 1], r2 = re[p + 2], i2 = im[p + 2], r3 = re[p + 3], i3 = im[p + 3];
            // length 2: (0, 1) and (2, 3)
            double tr = r1 * c2 - i1 * s2, ti = r1 * s2 + i1 * c2;
            r1 = r0 - tr;
            i1 = i0 - ti;
            r0 += tr;
            i0 += ti;
            tr = r3 * c2 - i3 * s2;
            ti = r3 * s2 + i3 * c2;
            r3 = r2 - tr;
            i3 = i2 - ti;
            r2 += tr;
            i2 += ti;
            // length 4: (0, 2) with twiddle 0, (1, 3) with twiddle 1
            tr = r2 * c40 - i2 * s40;
            ti = r2 * s40 + i2 * c40;
            re[p + 2] = r0 - tr;
            im[p + 2] = i0 - ti;
            re[p] = r0 + tr;
            im[p] = i0 + ti;
            tr = r3 * c41 - i3 * s41;
            ti = r3 * s41 + i3 * c41;
            re[p + 3] = r1 - tr;
            im[p + 3] = i1 - ti;
            re[p + 1] = r1 + tr;
            im[p + 1] = i1 + ti;
        }
    }

    /**
     * The stages of {@code length} and {@code 2 · length} in one pass, four butterflies at a time. With h = length/2,
     * the values s + k, s + k + h, s + k + 2h, s + k + 3h (s a multiple of 2 · length, k &lt; h) are closed under both
     * stages: the first pairs them as (0, 1) and (2, 3) with twiddle k of its stage, the second as (0, 2) and (1, 3)
     * with twiddles k and k + h of its stage. So each four values are loaded once, go through the same operations
     * in the same order as in {@link #wideStage} twice, and are stored once: the same bits, half the sweeps.
     */
    private static void stagePair(double[] re, double[] im, Twiddles w, double sign, int length, int from, int to) {
        int h = length >> 1, lanes = FOUR_DOUBLES.length();
        double[] cos1 = w.stageCos(length), sin1 = w.stageSin(length);
        double[] cos2 = w.stageCos(2 * length), sin2 = w.stageSin(2 * length);
        for (int start = from; start < to; start += 2 * length) {
            for (int k = 0; k < h; k += lanes) {
                int p0 = start + k, p1 = p0 + h, p2 = p1 + h, p3 = p2 + h;
                var r0 = DoubleVector.fromArray(FOUR_DOUBLES, re, p0);
                var i0 = DoubleVector.fromArray(FOUR_DOUBLES, im, p0);
                var r1 = DoubleVector.fromArray(FOUR_DOUBLES, re, p1);
                var i1 = DoubleVector.fromArray(FOUR_DOUBLES, im, p1);
                var r2 = DoubleVector.fromArray(FOUR_DOUBLES, re, p2);
                var i2 = DoubleVector.fromArray(FOUR_DOUBLES, im, p2);
                var r3 = DoubleVector.fromArray(FOUR_DOUBLES, re, p3);
                var i3 = DoubleVector.fromArray(FOUR_DOUBLES, im, p3);
                // the first stage: (0, 1) and (2, 3), twiddle k
                var cos = DoubleVector.fromArray(FOUR_DOUBLES, cos1, k);
                var sin = DoubleVector.fromArray(FOUR_DOUBLES, sin1, k).mul(sign);
                var tr = r1.mul(cos).sub(i1.mul(sin));
                var ti = r1.mul(sin).add(i1.mul(cos));
                r1 = r0.sub(tr);
                i1 = i0.sub(ti);
                r0 = r0.add(tr);
                i0 = i0.add(ti);
                tr = r3.mul(cos).sub(i3.mul(sin));
                ti = r3.mul(sin).add(i3.mul(cos));
                r3 = r2.sub(tr);
                i3 = i2.sub(ti);
                r2 = r2.add(tr);
                i2 = i2.add(ti);
                // the second stage: (0, 2) with twiddle k, (1, 3) with twiddle k + h
                cos = DoubleVector.fromArray(FOUR_DOUBLES, cos2, k);
                sin = DoubleVector.fromArray(FOUR_DOUBLES, sin2, k).mul(sign);
                tr = r2.mul(cos).sub(i2.mul(sin));
                ti = r2.mul(sin).add(i2.mul(cos));
                r0.sub(tr).intoArray(re, p2);
                i0.sub(ti).intoArray(im, p2);
                r0.add(tr).intoArray(re, p0);
                i0.add(ti).intoArray(im, p0);
                cos = DoubleVector.fromArray(FOUR_DOUBLES, cos2, k + h);
                sin = DoubleVector.fromArray(FOUR_DOUBLES, sin2, k + h).mul(sign);
                tr = r3.mul(cos).sub(i3.mul(sin));
                ti = r3.mul(sin).add(i3.mul(cos));
                r1.sub(tr).intoArray(re, p3);
                i1.sub(ti).intoArray(im, p3);
                r1.add(tr).intoArray(re, p1);
                i1.add(ti).intoArray(im, p1);
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
        gatherPairsReversed(x, zr, zi);
        butterflies(zr, zi, false);
        Twiddles w = twiddles(m);
        double[] cosAll = w.stageCos(m), sinAll = w.stageSin(m);
        double[] re = new double[h + 1], im = new double[h + 1];
        int lanes = FOUR_DOUBLES.length(), k = 1;
        // Four k at a time: Z_k for k … k + 3 and Z_{h−k} for h − k down to h − k − 3, read as one vector and
        // reversed; the same operations in the same order as the loop below, so the same bits.
        for (; k + lanes <= h; k += lanes) {
            int b = h - k - (lanes - 1);
            var zra = DoubleVector.fromArray(FOUR_DOUBLES, zr, k);
            var zia = DoubleVector.fromArray(FOUR_DOUBLES, zi, k);
            var zrb = DoubleVector.fromArray(FOUR_DOUBLES, zr, b).rearrange(REVERSED);
            var zib = DoubleVector.fromArray(FOUR_DOUBLES, zi, b).rearrange(REVERSED);
            var er = zra.add(zrb).div(2.0);
            var ei = zia.sub(zib).div(2.0);
            var or = zia.add(zib).div(2.0);
            var oi = zra.sub(zrb).div(2.0).neg();
            var cos = DoubleVector.fromArray(FOUR_DOUBLES, cosAll, k);
            var sin = DoubleVector.fromArray(FOUR_DOUBLES, sinAll, k).neg();
            er.add(cos.mul(or)).sub(sin.mul(oi)).intoArray(re, k);
            ei.add(cos.mul(oi)).add(sin.mul(or)).intoArray(im, k);
        }
        split(zr, zi, cosAll, sinAll, re, im, 0);
        for (; k <= h; k++) split(zr, zi, cosAll, sinAll, re, im, k);
        return new double[][] {re, im};
    }

    private static final VectorShuffle<Double> REVERSED = VectorShuffle.fromValues(FOUR_DOUBLES, 3, 2, 1, 0);

    /** X_k of {@link #realForward} from the transform Z of the pairs, for one k ≤ h. */
    private static void split(double[] zr, double[] zi, double[] cosAll, double[] sinAll, double[] re, double[] im, int k) {
        int h = zr.length;
        int a = k == h ? 0 : k, b = k == 0 ? 0 : h - k; // k mod h and (h − k) mod h, without a division per value
        // E_k = (Z_k + conj Z_{h−k}) / 2 transforms the even values, O_k = (Z_k − conj Z_{h−k}) / 2i the odd ones.
        double er = (zr[a] + zr[b]) / 2, ei = (zi[a] - zi[b]) / 2;
        double or = (zi[a] + zi[b]) / 2, oi = -(zr[a] - zr[b]) / 2;
        // X_k = E_k + e^{−2πik/M} O_k.
        double cos = k < h ? cosAll[k] : -1, sin = k < h ? -sinAll[k] : 0;
        re[k] = er + cos * or - sin * oi;
        im[k] = ei + cos * oi + sin * or;
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
