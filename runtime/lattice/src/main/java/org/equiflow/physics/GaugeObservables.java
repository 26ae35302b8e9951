package org.equiflow.physics;

import java.util.List;

/**
 * Observables of U(1) link configurations stored as angles, row-major [count, d, L0, L1, …]
 * (channel = direction): on 2D lattices plaquette angles and the topological charge; on 2–4D
 * lattices Polyakov loops and square Wilson loops.
 */
public final class GaugeObservables {
    private final int[] sizes;
    private final int volume;
    /** forward[μ][x] = x + μ̂ and backward[μ][x] = x − μ̂ on the torus: walks around loops by table, not by coordinates. */
    private final int[][] forward, backward;

    public GaugeObservables(List<Integer> lattice) {
        if (lattice.size() < 2 || lattice.size() > 4) throw new IllegalArgumentException("gauge observables need a 2–4D lattice, not " + lattice);
        this.sizes = lattice.stream().mapToInt(Integer::intValue).toArray();
        int v = 1;
        for (int s : sizes) v *= s;
        this.volume = v;
        this.forward = new int[sizes.length][volume];
        this.backward = new int[sizes.length][volume];
        for (int mu = 0; mu < sizes.length; mu++) {
            for (int site = 0; site < volume; site++) {
                int[] x = coordinates(sizes, site);
                x[mu]++;
                forward[mu][site] = site(sizes, x);
                x[mu] -= 2;
                backward[mu][site] = site(sizes, x);
            }
        }
    }

    public int volume() { return volume; }

    /** The angles of one configuration: one per site and direction. */
    public int links() { return sizes.length * volume; }

    /** The row-major index of the site x, each coordinate wrapped around the torus. */
    static int site(int[] sizes, int[] x) {
        int site = 0;
        for (int d = 0; d < sizes.length; d++) site = site * sizes[d] + Math.floorMod(x[d], sizes[d]);
        return site;
    }

    /** The coordinates of a row-major site index. */
    static int[] coordinates(int[] sizes, int site) {
        int[] x = new int[sizes.length];
        for (int d = sizes.length - 1; d >= 0; d--) {
            x[d] = site % sizes[d];
            site /= sizes[d];
        }
        return x;
    }

    /** The largest square loop measured: half the smallest extent. */
    static int largestLoop(int[] sizes) {
        int smallest = Integer.MAX_VALUE;
        for (int s : sizes) smallest = Math.min(smallest, s);
        return smallest / 2;
    }

    private double link(float[] configs, int c, int mu, int[] x) {
        return configs[(c * sizes.length + mu) * volume + site(sizes, x)];
    }

    private void require2D(String what) {
        if (sizes.length != 2) throw new IllegalStateException(what + " is defined on 2D lattices only");
    }

    /** P(x) = θ₀(x) + θ₁(x+ê₀) − θ₀(x+ê₁) − θ₁(x), unwrapped, row-major over sites (2D). */
    public double[] plaquetteAngles(float[] configs, int c) {
        require2D("the plaquette angle field");
        double[] p = new double[volume];
        int along0 = (c * 2) * volume, along1 = (c * 2 + 1) * volume;
        int[] up0 = forward[0], up1 = forward[1];
        for (int site = 0; site < volume; site++) {
            // float links added in double, in this order: the plaquette's bits, and the 1×1 Wilson loop's
            double theta0 = configs[along0 + site], theta1AtUp0 = configs[along1 + up0[site]];
            p[site] = theta0 + theta1AtUp0 - configs[along0 + up1[site]] - configs[along1 + site];
        }
        return p;
    }

    /** The principal value of an angle, in [−π, π). */
    public static double wrap(double angle) {
        return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
    }

    /**
     * Q = Σₓ arg P(x) / 2π (2D). On a torus Σₓ P(x) = 0 (every link enters two plaquettes with
     * opposite signs), so Q is an integer up to rounding; {@link Math#rint} of it is the integer charge.
     */
    public double topologicalCharge(float[] configs, int c) {
        double q = 0;
        for (double p : plaquetteAngles(configs, c)) q += wrap(p);
        return q / (2 * Math.PI);
    }

    /** ⟨cos P⟩ over the sites of one configuration (2D). */
    public double plaquetteMean(float[] configs, int c) {
        double s = 0;
        for (double p : plaquetteAngles(configs, c)) s += Math.cos(p);
        return s / volume;
    }

    /**
     * |L|, the modulus of the spatially averaged Polyakov loop along axis 0:
     * L = (1/V_s) Σ_{x⃗} exp(i Σ_{x0} θ₀(x0, x⃗)), x⃗ the other coordinates. (⟨L⟩ itself vanishes by
     * the centre symmetry.)
     */
    public double polyakovLoopModulus(float[] configs, int c) {
        double re = 0, im = 0;
        int spatial = volume / sizes[0];
        for (int s = 0; s < spatial; s++) {
            int[] x = coordinates(sizes, s);
            double phase = 0;
            for (x[0] = 0; x[0] < sizes[0]; x[0]++) phase += link(configs, c, 0, x);
            re += Math.cos(phase);
            im += Math.sin(phase);
        }
        return Math.hypot(re, im) / spatial;
    }

    /**
     * The R×T Wilson loop averaged over positions and planes μ < ν: cos of the phase summed around
     * the rectangle with corner x, R links along +μ̂, T along +ν̂, then back (as
     * {@link SuNGaugeObservables#wilsonLoop} for N = 1).
     */
    public double wilsonLoop(float[] configs, int c, int r, int t) {
        double sum = 0;
        int planes = 0;
        for (int mu = 0; mu < sizes.length; mu++) {
            for (int nu = mu + 1; nu < sizes.length; nu++) {
                planes++;
                int alongMu = (c * sizes.length + mu) * volume, alongNu = (c * sizes.length + nu) * volume;
                int[] upMu = forward[mu], upNu = forward[nu], downMu = backward[mu], downNu = backward[nu];
                for (int site = 0; site < volume; site++) {
                    // The links in the order the phase has always been summed, so the bits stay the same.
                    int x = site;
                    double phase = 0;
                    for (int a = 0; a < r; a++, x = upMu[x]) phase += configs[alongMu + x];
                    for (int b = 0; b < t; b++, x = upNu[x]) phase += configs[alongNu + x];
                    for (int a = 0; a < r; a++) {
                        x = downMu[x];
                        phase -= configs[alongMu + x];
                    }
                    for (int b = 0; b < t; b++) {
                        x = downNu[x];
                        phase -= configs[alongNu + x];
                    }
                    sum += Math.cos(phase);
                }
            }
        }
        return sum / ((double) volume * planes);
    }

    /** The largest square loop measured: half the smallest extent. */
    public int largestLoop() { return largestLoop(sizes); }
}
