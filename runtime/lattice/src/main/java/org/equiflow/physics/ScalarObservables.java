package org.equiflow.physics;

import java.util.List;
import org.equiflow.prior.LatticeFourier;

/**
 * Per-configuration measurements of a real scalar field on a periodic lattice; averages and
 * their errors are the statistics package's job. Axis 0 is "time" for correlators. Not
 * thread-safe: it keeps Fourier work arrays.
 */
public final class ScalarObservables {
    private final int[] sizes;
    private final int volume;
    private final int timeExtent;
    private final int sliceVolume;
    private LatticeFourier fourier;

    public ScalarObservables(List<Integer> lattice) {
        this.sizes = lattice.stream().mapToInt(Integer::intValue).toArray();
        int v = 1;
        for (int s : sizes) v *= s;
        this.volume = v;
        this.timeExtent = sizes[0];
        this.sliceVolume = v / sizes[0];
    }

    public int volume() { return volume; }

    public int timeExtent() { return timeExtent; }

    /** m = (1/V) Σx φ(x) of configuration {@code c} in a row-major array of configurations. */
    public double magnetization(float[] configs, int c) {
        double sum = 0;
        for (int i = 0; i < volume; i++) sum += configs[c * volume + i];
        return sum / volume;
    }

    /** (1/V) Σx φ(x)². */
    public double meanSquare(float[] configs, int c) {
        double sum = 0;
        for (int i = 0; i < volume; i++) {
            double v = configs[c * volume + i];
            sum += v * v;
        }
        return sum / volume;
    }

    /**
     * The zero-momentum correlator of one configuration, C(t) = (1/V) Σ_t0 S(t0) S(t0 + t) with
     * S(t) = Σ over the time slice t of φ: its ensemble average is G(t) = Σ_x⃗ ⟨φ(t, x⃗) φ(0, 0⃗)⟩.
     */
    public double[] zeroMomentumCorrelator(float[] configs, int c) {
        double[] slices = new double[timeExtent];
        for (int t = 0; t < timeExtent; t++) {
            double sum = 0;
            int base = c * volume + t * sliceVolume;
            for (int i = 0; i < sliceVolume; i++) sum += configs[base + i];
            slices[t] = sum;
        }
        double[] correlator = new double[timeExtent];
        for (int t = 0; t < timeExtent; t++) {
            double sum = 0;
            for (int t0 = 0; t0 < timeExtent; t0++) sum += slices[t0] * slices[(t0 + t) % timeExtent];
            correlator[t] = sum / volume;
        }
        return correlator;
    }

    /**
     * The translation-averaged two-point function G(x) = (1/V) Σ_y φ(y) φ(y + x) of one
     * configuration, for every displacement x (row-major like the sites). By the convolution
     * theorem Σ_y φ(y) φ(y + x) = Σ_p |φ̃(p)|² e^{ip·x}, so it costs two Fourier transforms
     * instead of V² products. G(x) and G(−x) are the same number (the same pairs of sites), and
     * they are returned as the same bits, so that their series share one error analysis.
     */
    public double[] twoPoint(float[] configs, int c) {
        if (fourier == null) fourier = new LatticeFourier(java.util.Arrays.stream(sizes).boxed().toList());
        double[] re = new double[volume], im = new double[volume];
        for (int i = 0; i < volume; i++) re[i] = configs[c * volume + i];
        fourier.transform(re, im, false);
        for (int p = 0; p < volume; p++) {
            re[p] = re[p] * re[p] + im[p] * im[p];
            im[p] = 0;
        }
        fourier.transform(re, im, true);
        double norm = 1 / Math.sqrt(volume);
        for (int x = 0; x < volume; x++) re[x] *= norm;
        // G(−x) = G(x) exactly (substitute y → y − x); the transforms round the two differently, so both take their mean
        if (negated == null) negated = negatedDisplacements();
        for (int x = 0; x < volume; x++) {
            int minusX = negated[x];
            if (x < minusX) re[x] = re[minusX] = (re[x] + re[minusX]) / 2;
        }
        return re;
    }

    private int[] negated;

    /** The row-major index of −x for every displacement x: each coordinate x_d ↦ (L_d − x_d) mod L_d. */
    private int[] negatedDisplacements() {
        int[] minus = new int[volume];
        for (int index = 0; index < volume; index++) {
            int[] x = displacement(index);
            int m = 0;
            for (int d = 0; d < sizes.length; d++) m = m * sizes[d] + (sizes[d] - x[d]) % sizes[d];
            minus[index] = m;
        }
        return minus;
    }

    /** The displacement with row-major index {@code index}, one coordinate per axis. */
    public int[] displacement(int index) {
        int[] x = new int[sizes.length];
        for (int d = sizes.length - 1; d >= 0; d--) {
            x[d] = index % sizes[d];
            index /= sizes[d];
        }
        return x;
    }

    /**
     * |φ̃(p)|² / V at the smallest non-zero momentum p = (2π/L₀, 0, …): with its zero-momentum
     * counterpart V m², the second-moment correlation length follows (see {@link #secondMomentLength}).
     */
    public double smallestMomentumPower(float[] configs, int c) {
        double re = 0, im = 0;
        for (int t = 0; t < timeExtent; t++) {
            double slice = 0;
            int base = c * volume + t * sliceVolume;
            for (int i = 0; i < sliceVolume; i++) slice += configs[base + i];
            double angle = 2 * Math.PI * t / timeExtent;
            re += slice * Math.cos(angle);
            im += slice * Math.sin(angle);
        }
        return (re * re + im * im) / volume;
    }

    /** ξ₂ = √(G̃(0)/G̃(p₁) − 1) / (2 sin(π/L)), from the means of V m² and |φ̃(p₁)|²/V; NaN where undefined. */
    public static double secondMomentLength(double zeroMomentum, double smallestMomentum, int extent) {
        double ratio = zeroMomentum / smallestMomentum - 1;
        return ratio > 0 ? Math.sqrt(ratio) / (2 * Math.sin(Math.PI / extent)) : Double.NaN;
    }

    /** Effective mass from a symmetric periodic correlator: arccosh((G(t−1) + G(t+1)) / 2G(t)). */
    public static double effectiveMass(double[] g, int t) {
        int n = g.length;
        double ratio = (g[(t - 1 + n) % n] + g[(t + 1) % n]) / (2 * g[t]);
        return ratio >= 1 ? Math.log(ratio + Math.sqrt(ratio * ratio - 1)) : Double.NaN;
    }

    /**
     * The exact zero-momentum propagator of the free field with action S = Σx [Σμ (φ(x+μ) − φ(x))² + m2 φ(x)²]
     * (the notebook's φ⁴ at λ = 0): ⟨φφ⟩ = (2K)⁻¹ with K = −Δ + m2, so
     * G(t) = (1 / 2Lt) Σ_p cos(p t) / (m2 + 4 sin²(p/2)), p = 2πn/Lt.
     */
    public static double[] freeFieldZeroMomentum(int timeExtent, double m2) {
        double[] g = new double[timeExtent];
        for (int t = 0; t < timeExtent; t++) {
            double sum = 0;
            for (int n = 0; n < timeExtent; n++) {
                double p = 2 * Math.PI * n / timeExtent;
                double s = Math.sin(p / 2);
                sum += Math.cos(p * t) / (m2 + 4 * s * s);
            }
            g[t] = sum / (2 * timeExtent);
        }
        return g;
    }

    /**
     * The exact G(x) = ⟨φ(0) φ(x)⟩ of the free theory in the notebook's convention (λ = 0):
     * ⟨φφ⟩ = (2K)⁻¹ with K = −Δ + m2, diagonal in momentum space, so
     * G(x) = (1 / 2V) Σ_p cos(p·x) / (m2 + Σμ 4 sin²(pμ/2)), for every displacement x.
     */
    public static double[] freeFieldTwoPoint(List<Integer> lattice, double m2) {
        var fourier = new LatticeFourier(lattice);
        int volume = fourier.volume();
        double[] re = org.equiflow.compiler.ir.FreeField.eigenvalues(new org.equiflow.compiler.model.Lattice(lattice), m2);
        double[] im = new double[volume];
        for (int k = 0; k < volume; k++) re[k] = 1 / (2 * re[k]);
        fourier.transform(re, im, true);
        double norm = 1 / Math.sqrt(volume);
        for (int x = 0; x < volume; x++) re[x] *= norm;
        return re;
    }
}
