package org.equiflow.physics;

/**
 * Exact results of 2D U(1) lattice gauge theory with the Wilson action S = −β Σₓ cos P(x) on an
 * L0×L1 torus of V plaquettes (derivation in docs/physics-checks.md). The plaquette angles
 * φₓ ∈ [−π, π) are independent up to one constraint, Σₓ φₓ = 2πQ with Q the integer
 * topological charge; writing the constraint as a Fourier series over n ∈ ℤ gives
 *
 * <pre>
 *   Z(θ) ∝ Σₙ f(n + θ/2π)^V,   f(ν) = (1/2π) ∫_{−π}^{π} dφ e^{β cos φ} cos(νφ),   f(n) = Iₙ(β),
 * </pre>
 *
 * with θ the source of Q. Then ⟨cos P⟩ = (1/V) ∂_β log Z and ⟨Q²⟩ = −∂²_θ log Z at θ = 0.
 * Integrals are by composite Simpson on [0, π] (smooth integrands; 2¹⁴ panels give ≈ 1e-14).
 */
public final class U1Exact {
    private static final int PANELS = 1 << 14;
    /** |n| beyond this contributes (Iₙ/I₀)^V < 1e-30 for β ≤ 20 and V ≥ 4. */
    private static final int WINDINGS = 60;

    private U1Exact() {}

    /** One Simpson integral: its coupling, order, power of φ and trigonometric function. */
    private record Moment(double beta, int n, int power, boolean sine) {}

    /**
     * The integrals already done. Every exact value sums the same few (|n| ≤ 61, three kinds) over
     * all windings, and each costs 2¹⁴ panels: done afresh, the comparison of one U(1) `sample` run
     * with the exact torus took 44 % of the run's CPU samples. Cached, each is computed once, with
     * the same bits.
     */
    private static final java.util.Map<Moment, Double> MOMENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** (1/π) ∫₀^π φ^power · trig(nφ) · e^{β cos φ} dφ, trig = cos or sin. */
    private static double moment(double beta, int n, int power, boolean sine) {
        return MOMENTS.computeIfAbsent(new Moment(beta, n, power, sine), m -> integrate(m.beta(), m.n(), m.power(), m.sine()));
    }

    private static double integrate(double beta, int n, int power, boolean sine) {
        double h = Math.PI / PANELS, sum = 0;
        for (int k = 0; k <= PANELS; k++) {
            double phi = k * h;
            double g = Math.pow(phi, power) * (sine ? Math.sin(n * phi) : Math.cos(n * phi)) * Math.exp(beta * (Math.cos(phi) - 1));
            sum += g * (k == 0 || k == PANELS ? 1 : k % 2 == 1 ? 4 : 2);
        }
        // e^{β} is factored out of every moment; ratios below are unaffected.
        return sum * h / 3 / Math.PI;
    }

    /** e^{−β} Iₙ(β), the modified Bessel function of the first kind scaled against overflow. */
    public static double scaledBesselI(int n, double beta) { return moment(beta, Math.abs(n), 0, false); }

    /** The infinite-volume plaquette I₁(β)/I₀(β). */
    public static double plaquetteInfiniteVolume(double beta) { return scaledBesselI(1, beta) / scaledBesselI(0, beta); }

    /** ⟨cos P⟩ on a torus of {@code volume} plaquettes: Σₙ Iₙ^{V−1} Iₙ′ / Σₙ Iₙ^V, Iₙ′ = (Iₙ₋₁ + Iₙ₊₁)/2. */
    public static double plaquette(double beta, int volume) {
        double i0 = scaledBesselI(0, beta), num = 0, den = 0;
        for (int n = -WINDINGS; n <= WINDINGS; n++) {
            double r = scaledBesselI(n, beta) / i0;
            double derivative = 0.5 * (scaledBesselI(n - 1, beta) + scaledBesselI(n + 1, beta)) / i0;
            double weight = Math.pow(r, volume - 1);
            num += weight * derivative;
            den += weight * r;
        }
        return num / den;
    }

    /**
     * ⟨cos(Σ_{x∈A} φₓ)⟩ of a contractible Wilson loop enclosing {@code area} plaquettes of a torus of
     * {@code volume}: with the constraint's Fourier series, each plaquette inside contributes
     * ∫ e^{β cos φ} e^{i(k+1)φ} = I_{k+1} and each outside I_k, so
     * W(A) = Σ_k I_{k+1}^A I_k^{V−A} / Σ_k I_k^V (real: k → −k−1 maps the sum onto its conjugate).
     * {@code area} = 1 is {@link #plaquette}; in infinite volume W(A) = (I₁/I₀)^A, the area law.
     */
    public static double wilsonLoop(double beta, int volume, int area) {
        if (area < 1 || area > volume) throw new IllegalArgumentException("a loop encloses 1 to " + volume + " plaquettes, got " + area);
        double i0 = scaledBesselI(0, beta), num = 0, den = 0;
        for (int k = -WINDINGS; k <= WINDINGS; k++) {
            double inside = scaledBesselI(k + 1, beta) / i0, outside = scaledBesselI(k, beta) / i0;
            num += Math.pow(inside, area) * Math.pow(outside, volume - area);
            den += Math.pow(outside, volume);
        }
        return num / den;
    }

    /**
     * ⟨Q²⟩ on a torus of {@code volume} plaquettes:
     * −(1/4π²) Σₙ [V fₙ^{V−1} fₙ″ + V(V−1) fₙ^{V−2} fₙ′²] / Σₙ fₙ^V, with
     * fₙ′ = −(1/π)∫₀^π φ sin(nφ) e^{β cos φ} dφ and fₙ″ = −(1/π)∫₀^π φ² cos(nφ) e^{β cos φ} dφ.
     */
    public static double topologicalChargeSquared(double beta, int volume) {
        // fₙ′ decays only like 1/n, so the sum needs the factor fₙ^{V−2} of V ≥ 3 to converge fast.
        if (volume < 3) throw new IllegalArgumentException("the Fourier sum for ⟨Q²⟩ needs at least 3 plaquettes, got " + volume);
        double i0 = scaledBesselI(0, beta), num = 0, den = 0;
        for (int n = -WINDINGS; n <= WINDINGS; n++) {
            double f = scaledBesselI(n, beta) / i0;
            double f1 = -Math.signum(n) * moment(beta, Math.abs(n), 1, true) / i0;
            double f2 = -moment(beta, Math.abs(n), 2, false) / i0;
            num += volume * Math.pow(f, volume - 1) * f2 + (double) volume * (volume - 1) * Math.pow(f, volume - 2) * f1 * f1;
            den += Math.pow(f, volume);
        }
        return -num / den / (4 * Math.PI * Math.PI);
    }

    /** χ_top = ⟨Q²⟩ / V. */
    public static double topologicalSusceptibility(double beta, int volume) {
        return topologicalChargeSquared(beta, volume) / volume;
    }
}
