package org.equiflow.physics;

import java.util.List;

/**
 * Observables of 2D SU(N) link configurations in the packed layout of
 * {@link org.equiflow.compiler.model.SuNLinkField}, row-major [count, 2·2N², L0, L1] with channel
 * μ·2N² + 2(iN + j) + part: the Polyakov loop along axis 0 and square Wilson loops. They are the
 * SU(N) versions of {@link GaugeObservables}' and reduce to them for N = 1 (U = exp(iθ)), so that
 * the two kinds report the same names with the same meaning.
 */
public final class SuNGaugeObservables {
    private final int n, l0, l1, volume;

    public SuNGaugeObservables(List<Integer> lattice, int n) {
        if (lattice.size() != 2) throw new IllegalArgumentException("SU(N) gauge observables are defined on 2D lattices, not " + lattice);
        if (n < 1) throw new IllegalArgumentException("SU(N) needs N ≥ 1, got " + n);
        this.n = n;
        this.l0 = lattice.get(0);
        this.l1 = lattice.get(1);
        this.volume = l0 * l1;
    }

    /** The link U_μ(x) of configuration c into (re, im), entry iN + j; coordinates wrap around the torus. */
    private void link(float[] configs, int c, int mu, int x0, int x1, double[] re, double[] im) {
        int block = 2 * n * n, site = Math.floorMod(x0, l0) * l1 + Math.floorMod(x1, l1);
        int base = (c * 2 + mu) * block;
        for (int e = 0; e < n * n; e++) {
            re[e] = configs[(base + 2 * e) * volume + site];
            im[e] = configs[(base + 2 * e + 1) * volume + site];
        }
    }

    /** The ordered product of the links met walking from x along the given steps, as a matrix. */
    private final class Path {
        final double[] re = new double[n * n], im = new double[n * n];
        private final double[] ur = new double[n * n], ui = new double[n * n], tr = new double[n * n], ti = new double[n * n];
        private final float[] configs;
        private final int c;
        int x0, x1;

        Path(float[] configs, int c, int x0, int x1) {
            this.configs = configs;
            this.c = c;
            this.x0 = x0;
            this.x1 = x1;
            for (int i = 0; i < n; i++) re[i * n + i] = 1;
        }

        /** One step along +μ: multiply by U_μ(x) on the right. */
        void forward(int mu) {
            link(configs, c, mu, x0, x1, ur, ui);
            SuNAlgebra.multiply(n, re, im, ur, ui, tr, ti);
            System.arraycopy(tr, 0, re, 0, n * n);
            System.arraycopy(ti, 0, im, 0, n * n);
            if (mu == 0) x0++;
            else x1++;
        }

        /** One step along −μ: multiply by U_μ(x − μ̂)† on the right. */
        void backward(int mu) {
            if (mu == 0) x0--;
            else x1--;
            link(configs, c, mu, x0, x1, ur, ui);
            SuNAlgebra.multiplyAdjoint(n, re, im, ur, ui, tr, ti);
            System.arraycopy(tr, 0, re, 0, n * n);
            System.arraycopy(ti, 0, im, 0, n * n);
        }

        double traceRe() {
            double s = 0;
            for (int i = 0; i < n; i++) s += re[i * n + i];
            return s;
        }

        double traceIm() {
            double s = 0;
            for (int i = 0; i < n; i++) s += im[i * n + i];
            return s;
        }
    }

    /**
     * |L|, the modulus of the spatially averaged Polyakov loop along axis 0:
     * L = (1/L1) Σ_{x1} (1/N) tr Π_{x0 = 0…L0−1} U₀(x0, x1), the product ordered along +ê₀. For N = 1
     * it is U(1)'s (1/L1) Σ_{x1} exp(i Σ_{x0} θ₀). ⟨L⟩ itself vanishes by the Z_N centre symmetry;
     * the trace of the ordered product is gauge invariant (the loop closes around the torus).
     */
    public double polyakovLoopModulus(float[] configs, int c) {
        double re = 0, im = 0;
        for (int x1 = 0; x1 < l1; x1++) {
            Path p = new Path(configs, c, 0, x1);
            for (int x0 = 0; x0 < l0; x0++) p.forward(0);
            re += p.traceRe();
            im += p.traceIm();
        }
        return Math.hypot(re, im) / (n * l1);
    }

    /**
     * The R×T Wilson loop averaged over positions, (1/V) Σ_x (1/N) Re tr W(x): W(x) the ordered
     * product around the rectangle with corner x, R steps along +ê₀, T along +ê₁, R back along
     * −ê₀ and T back along −ê₁ (Re tr is the same for either orientation). For R = T = 1 it is
     * the plaquette (1/N) Re tr P.
     */
    public double wilsonLoop(float[] configs, int c, int r, int t) {
        double sum = 0;
        for (int x0 = 0; x0 < l0; x0++) {
            for (int x1 = 0; x1 < l1; x1++) {
                Path p = new Path(configs, c, x0, x1);
                for (int a = 0; a < r; a++) p.forward(0);
                for (int b = 0; b < t; b++) p.forward(1);
                for (int a = 0; a < r; a++) p.backward(0);
                for (int b = 0; b < t; b++) p.backward(1);
                sum += p.traceRe();
            }
        }
        return sum / (n * volume);
    }

    /** The largest square loop measured: half the smaller extent, as for U(1). */
    public int largestLoop() { return Math.min(l0, l1) / 2; }
}
