package org.equiflow.physics;

import java.util.List;

/**
 * Observables of SU(N) link configurations on 2–4D lattices in the packed layout of
 * {@link org.equiflow.compiler.model.SuNLinkField}, row-major [count, d·2N², L0, L1, …] with channel
 * μ·2N² + 2(iN + j) + part: the Polyakov loop along axis 0 and square Wilson loops. They are the
 * SU(N) versions of {@link GaugeObservables}' and reduce to them for N = 1 (U = exp(iθ)), so that
 * the two kinds report the same names with the same meaning.
 */
public final class SuNGaugeObservables {
    private final int n, volume;
    private final int[] sizes;

    public SuNGaugeObservables(List<Integer> lattice, int n) {
        if (lattice.size() < 2 || lattice.size() > 4) throw new IllegalArgumentException("gauge observables need a 2–4D lattice, not " + lattice);
        if (n < 1) throw new IllegalArgumentException("SU(N) needs N ≥ 1, got " + n);
        this.n = n;
        this.sizes = lattice.stream().mapToInt(Integer::intValue).toArray();
        int v = 1;
        for (int s : sizes) v *= s;
        this.volume = v;
    }

    /** The link U_μ(x) of configuration c into (re, im), entry iN + j; coordinates wrap around the torus. */
    private void link(float[] configs, int c, int mu, int[] x, double[] re, double[] im) {
        int block = 2 * n * n, site = GaugeObservables.site(sizes, x);
        int base = (c * sizes.length + mu) * block;
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
        final int[] x;

        Path(float[] configs, int c, int[] start) {
            this.configs = configs;
            this.c = c;
            this.x = start.clone();
            for (int i = 0; i < n; i++) re[i * n + i] = 1;
        }

        /** One step along +μ: multiply by U_μ(x) on the right. */
        void forward(int mu) {
            link(configs, c, mu, x, ur, ui);
            SuNAlgebra.multiply(n, re, im, ur, ui, tr, ti);
            System.arraycopy(tr, 0, re, 0, n * n);
            System.arraycopy(ti, 0, im, 0, n * n);
            x[mu]++;
        }

        /** One step along −μ: multiply by U_μ(x − μ̂)† on the right. */
        void backward(int mu) {
            x[mu]--;
            link(configs, c, mu, x, ur, ui);
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
     * L = (1/V_s) Σ_{x⃗} (1/N) tr Π_{x0 = 0…L0−1} U₀(x0, x⃗), the product ordered along +ê₀, x⃗ the
     * other coordinates (V_s = V/L0 of them). For N = 1 it is U(1)'s (1/V_s) Σ_{x⃗} exp(i Σ_{x0} θ₀).
     * ⟨L⟩ itself vanishes by the Z_N centre symmetry; the trace of the ordered product is gauge
     * invariant (the loop closes around the torus).
     */
    public double polyakovLoopModulus(float[] configs, int c) {
        double re = 0, im = 0;
        int spatial = volume / sizes[0];
        for (int s = 0; s < spatial; s++) {
            Path p = new Path(configs, c, GaugeObservables.coordinates(sizes, s));
            for (int x0 = 0; x0 < sizes[0]; x0++) p.forward(0);
            re += p.traceRe();
            im += p.traceIm();
        }
        return Math.hypot(re, im) / (n * spatial);
    }

    /**
     * The R×T Wilson loop averaged over positions and planes, (1/(V·P)) Σ_{μ<ν} Σ_x (1/N) Re tr W_μν(x):
     * W_μν(x) the ordered product around the rectangle with corner x, R steps along +μ̂, T along +ν̂,
     * R back along −μ̂ and T back along −ν̂ (Re tr is the same for either orientation), P = d(d−1)/2
     * planes (one in 2D). For R = T = 1 it is the plaquette (1/N) Re tr P averaged as
     * {@code plaquette_mean} averages it.
     */
    public double wilsonLoop(float[] configs, int c, int r, int t) {
        double sum = 0;
        int planes = 0;
        for (int mu = 0; mu < sizes.length; mu++) {
            for (int nu = mu + 1; nu < sizes.length; nu++) {
                planes++;
                for (int site = 0; site < volume; site++) {
                    Path p = new Path(configs, c, GaugeObservables.coordinates(sizes, site));
                    for (int a = 0; a < r; a++) p.forward(mu);
                    for (int b = 0; b < t; b++) p.forward(nu);
                    for (int a = 0; a < r; a++) p.backward(mu);
                    for (int b = 0; b < t; b++) p.backward(nu);
                    sum += p.traceRe();
                }
            }
        }
        return sum / ((double) n * volume * planes);
    }

    /** The largest square loop measured: half the smallest extent, as for U(1). */
    public int largestLoop() { return GaugeObservables.largestLoop(sizes); }
}
