package org.equiflow.physics;

import java.util.List;

/**
 * Observables of 2D U(1) link configurations stored as angles, row-major [count, 2, L0, L1]
 * (channel = direction): plaquette angles, the topological charge, Polyakov loops and
 * rectangular Wilson loops.
 */
public final class GaugeObservables {
    private final int l0, l1, volume;

    public GaugeObservables(List<Integer> lattice) {
        if (lattice.size() != 2) throw new IllegalArgumentException("U(1) gauge observables are defined on 2D lattices, not " + lattice);
        this.l0 = lattice.get(0);
        this.l1 = lattice.get(1);
        this.volume = l0 * l1;
    }

    public int volume() { return volume; }

    private double link(float[] configs, int c, int mu, int x0, int x1) {
        return configs[((c * 2 + mu) * l0 + Math.floorMod(x0, l0)) * l1 + Math.floorMod(x1, l1)];
    }

    /** P(x) = θ₀(x) + θ₁(x+ê₀) − θ₀(x+ê₁) − θ₁(x), unwrapped, row-major over sites. */
    public double[] plaquetteAngles(float[] configs, int c) {
        double[] p = new double[volume];
        for (int x0 = 0; x0 < l0; x0++) {
            for (int x1 = 0; x1 < l1; x1++) {
                p[x0 * l1 + x1] = link(configs, c, 0, x0, x1) + link(configs, c, 1, x0 + 1, x1)
                        - link(configs, c, 0, x0, x1 + 1) - link(configs, c, 1, x0, x1);
            }
        }
        return p;
    }

    /** The principal value of an angle, in [−π, π). */
    public static double wrap(double angle) {
        return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
    }

    /**
     * Q = Σₓ arg P(x) / 2π. On a torus Σₓ P(x) = 0 (every link enters two plaquettes with opposite
     * signs), so Q is an integer up to rounding; {@link Math#rint} of it is the integer charge.
     */
    public double topologicalCharge(float[] configs, int c) {
        double q = 0;
        for (double p : plaquetteAngles(configs, c)) q += wrap(p);
        return q / (2 * Math.PI);
    }

    /** ⟨cos P⟩ over the sites of one configuration. */
    public double plaquetteMean(float[] configs, int c) {
        double s = 0;
        for (double p : plaquetteAngles(configs, c)) s += Math.cos(p);
        return s / volume;
    }

    /**
     * |L|, the modulus of the volume-averaged Polyakov loop along axis 0:
     * L = (1/L1) Σ_{x1} exp(i Σ_{x0} θ₀(x0, x1)). (⟨L⟩ itself vanishes by the centre symmetry.)
     */
    public double polyakovLoopModulus(float[] configs, int c) {
        double re = 0, im = 0;
        for (int x1 = 0; x1 < l1; x1++) {
            double phase = 0;
            for (int x0 = 0; x0 < l0; x0++) phase += link(configs, c, 0, x0, x1);
            re += Math.cos(phase);
            im += Math.sin(phase);
        }
        return Math.hypot(re, im) / l1;
    }

    /**
     * The R×T Wilson loop averaged over positions, Re W = mean over x of cos(Σ of the plaquette
     * angles of the R×T rectangle at x): the loop's phase is the product of the plaquettes it
     * encloses (Stokes on the lattice).
     */
    public double wilsonLoop(float[] configs, int c, int r, int t) {
        double[] p = plaquetteAngles(configs, c);
        double sum = 0;
        for (int x0 = 0; x0 < l0; x0++) {
            for (int x1 = 0; x1 < l1; x1++) {
                double phase = 0;
                for (int a = 0; a < r; a++) for (int b = 0; b < t; b++) phase += p[((x0 + a) % l0) * l1 + (x1 + b) % l1];
                sum += Math.cos(phase);
            }
        }
        return sum / volume;
    }

    /** The largest square loop measured: half the smaller extent. */
    public int largestLoop() { return Math.min(l0, l1) / 2; }
}
