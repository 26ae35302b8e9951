package org.equiflow.prior;

import java.util.List;

/**
 * The unitary discrete Fourier transform over every axis of a periodic lattice,
 * f̃(p) = V^{−1/2} Σx f(x) e^{−ip·x} with pμ = 2π nμ / Lμ, sites and momenta both row-major.
 * Lattice sizes are small (≤ 64 per axis), so one axis at a time with tabulated phases is
 * cheaper than a general FFT and exact for any size, not only powers of two.
 */
public final class LatticeFourier {
    private final int[] sizes;
    private final int volume;
    /** cos and sin of 2πk/L for k = 0 … L−1, per axis. */
    private final double[][] cos, sin;
    /** −sin of the same angles, for the forward transform's e^{−ip·x} (negation is exact). */
    private final double[][] minusSin;
    private final double[] lineRe, lineIm, outRe, outIm;

    public LatticeFourier(List<Integer> lattice) {
        this.sizes = lattice.stream().mapToInt(Integer::intValue).toArray();
        int v = 1, longest = 0;
        for (int s : sizes) {
            v *= s;
            longest = Math.max(longest, s);
        }
        this.volume = v;
        this.cos = new double[sizes.length][];
        this.sin = new double[sizes.length][];
        this.minusSin = new double[sizes.length][];
        for (int axis = 0; axis < sizes.length; axis++) {
            int n = sizes[axis];
            cos[axis] = new double[n];
            sin[axis] = new double[n];
            minusSin[axis] = new double[n];
            for (int k = 0; k < n; k++) {
                cos[axis][k] = Math.cos(2 * Math.PI * k / n);
                sin[axis][k] = Math.sin(2 * Math.PI * k / n);
                minusSin[axis][k] = -sin[axis][k];
            }
        }
        lineRe = new double[longest];
        lineIm = new double[longest];
        outRe = new double[longest];
        outIm = new double[longest];
    }

    public int volume() { return volume; }

    /** Transforms (re, im) in place: forward with e^{−ip·x}, inverse with e^{+ip·x}; both unitary. Not thread-safe. */
    public void transform(double[] re, double[] im, boolean inverse) {
        if (re.length != volume || im.length != volume) {
            throw new IllegalArgumentException("expected " + volume + " values, got " + re.length + " and " + im.length);
        }
        for (int axis = 0; axis < sizes.length; axis++) {
            int n = sizes[axis];
            int stride = 1;
            for (int a = sizes.length - 1; a > axis; a--) stride *= sizes[a];
            double norm = 1 / Math.sqrt(n);
            double[] c = cos[axis], s = inverse ? sin[axis] : minusSin[axis];
            // Every line along this axis: the sites whose coordinate on it is 0, in row-major order.
            int block = n * stride;
            for (int outer = 0; outer < volume; outer += block) {
                for (int start = outer; start < outer + stride; start++) {
                    for (int j = 0; j < n; j++) {
                        lineRe[j] = re[start + j * stride];
                        lineIm[j] = im[start + j * stride];
                    }
                    for (int k = 0; k < n; k++) {
                        double sr = 0, si = 0;
                        // phase = j·k mod n, stepped by k rather than divided out for every term
                        for (int j = 0, phase = 0; j < n; j++) {
                            double cp = c[phase], sp = s[phase];
                            sr += lineRe[j] * cp - lineIm[j] * sp;
                            si += lineRe[j] * sp + lineIm[j] * cp;
                            phase += k;
                            if (phase >= n) phase -= n;
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
