package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The torus formulas of {@link U1Exact} against known Bessel values, against their infinite-volume
 * limits, and against direct numerical integration over the plaquette angles of tiny tori, where
 * the constraint Σ φ ≡ 0 (mod 2π) is imposed by hand instead of through the Fourier sum.
 */
class U1ExactTest {

    @Test
    void besselFunctionsMatchTabulatedValues() {
        assertEquals(1.2660658777520082, Math.exp(1) * U1Exact.scaledBesselI(0, 1.0), 1e-12);
        assertEquals(0.5651591039924851, Math.exp(1) * U1Exact.scaledBesselI(1, 1.0), 1e-12);
        assertEquals(0.6889484476987382, Math.exp(2) * U1Exact.scaledBesselI(2, 2.0), 1e-12);
    }

    @Test
    void largeToriApproachTheInfiniteVolume() {
        double beta = 1.0;
        assertEquals(U1Exact.plaquetteInfiniteVolume(beta), U1Exact.plaquette(beta, 1024), 1e-12);
        // χ_top → ⟨φ²⟩ / 4π² of one free plaquette with weight e^{β cos φ}
        double num = 0, den = 0;
        int n = 200000;
        for (int k = 0; k < n; k++) {
            double phi = -Math.PI + (k + 0.5) * 2 * Math.PI / n;
            double w = Math.exp(beta * Math.cos(phi));
            num += phi * phi * w;
            den += w;
        }
        assertEquals(num / den / (4 * Math.PI * Math.PI), U1Exact.topologicalSusceptibility(beta, 1024), 1e-8);
    }

    @Test
    void twoPlaquettesAreLockedTogether() {
        // φ₂ = −φ₁ (mod 2π): ⟨cos P⟩ = I₁(2β)/I₀(2β). (⟨Q²⟩ = 0 here, but its Fourier sum has
        // terms fₙ′² ~ 1/n² at V = 2 and converges only slowly; from V = 3 on they carry fₙ^{V−2}.)
        double beta = 0.7;
        assertEquals(U1Exact.plaquetteInfiniteVolume(2 * beta), U1Exact.plaquette(beta, 2), 1e-12);
    }

    @Test
    void threePlaquettesByDirectIntegration() {
        double beta = 1.3;
        int n = 1500;
        double h = 2 * Math.PI / n, z = 0, cos = 0, q2 = 0;
        for (int i = 0; i < n; i++) {
            double a = -Math.PI + (i + 0.5) * h;
            for (int j = 0; j < n; j++) {
                double b = -Math.PI + (j + 0.5) * h;
                double c = GaugeObservables.wrap(-a - b);
                double q = (a + b + c) / (2 * Math.PI);
                double w = Math.exp(beta * (Math.cos(a) + Math.cos(b) + Math.cos(c)));
                z += w;
                cos += w * (Math.cos(a) + Math.cos(b) + Math.cos(c)) / 3;
                q2 += w * q * q;
            }
        }
        assertEquals(cos / z, U1Exact.plaquette(beta, 3), 1e-5);
        assertEquals(q2 / z, U1Exact.topologicalChargeSquared(beta, 3), 1e-4);
    }
}
