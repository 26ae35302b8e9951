package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leapfrog and Omelyan's minimum-norm integrator are both exact for HMC: reversible, area
 * preserving (⟨e^{−ΔH}⟩ = 1 in equilibrium), second order (ΔH ∝ ε² at fixed trajectory length);
 * Omelyan's error is several times smaller at the same ε, and HMC with it reproduces the free
 * field's exact propagator.
 */
class HmcIntegratorTest {
    @TempDir
    Path dir;

    private static final String PHI4 = "phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)";

    /** Mean |ΔH| over the chains of one trajectory of length 1 from the same (φ, π) for every ε. */
    private static double meanAbsEnergyChange(Hmc hmc, Tensor phi, Tensor momentum, double stepSize, Hmc.Integrator integrator) {
        Tensor x = phi.copy(), p = momentum.copy();
        double[] h0 = hmc.hamiltonian(x, p);
        hmc.integrate(x, p, stepSize, (int) Math.round(1 / stepSize), integrator);
        double[] h1 = hmc.hamiltonian(x, p);
        double sum = 0;
        for (int b = 0; b < h0.length; b++) sum += Math.abs(h1[b] - h0[b]);
        return sum / h0.length;
    }

    private static Tensor thermalized(Hmc hmc) {
        for (int k = 0; k < 30; k++) hmc.trajectory(0.1, 10);
        return hmc.field().copy();
    }

    @Test
    void bothIntegratorsAreReversible() throws IOException {
        Hmc hmc = HmcTest.hmc(dir, PHI4, 8, 1);
        Tensor phi = thermalized(hmc);
        for (Hmc.Integrator integrator : Hmc.Integrator.values()) {
            Tensor momentum = Tensor.randn(phi.shape(), DType.F64, new SplittableRandom(2));
            Tensor x = phi.copy(), p = momentum.copy();
            hmc.integrate(x, p, 0.1, 10, integrator);
            for (int i = 0; i < p.size(); i++) p.set(i, -p.get(i));
            hmc.integrate(x, p, 0.1, 10, integrator);
            for (int i = 0; i < x.size(); i++) {
                assertEquals(phi.get(i), x.get(i), 1e-10, integrator + " returns to φ");
                assertEquals(-momentum.get(i), p.get(i), 1e-10, integrator + " returns to −π");
            }
        }
    }

    @Test
    void theEnergyErrorIsSecondOrderAndOmelyansIsSmaller() throws IOException {
        Hmc hmc = HmcTest.hmc(dir, PHI4, 64, 3);
        Tensor phi = thermalized(hmc);
        Tensor momentum = Tensor.randn(phi.shape(), DType.F64, new SplittableRandom(4));
        StringBuilder text = new StringBuilder();
        double[] atCoarse = new double[2];
        for (Hmc.Integrator integrator : Hmc.Integrator.values()) {
            double coarse = meanAbsEnergyChange(hmc, phi, momentum, 0.1, integrator);
            double fine = meanAbsEnergyChange(hmc, phi, momentum, 0.05, integrator);
            atCoarse[integrator.ordinal()] = coarse;
            text.append(String.format("%s: <|dH|> %.3e at eps 0.1, %.3e at 0.05, ratio %.2f%n", integrator, coarse, fine, coarse / fine));
            // ΔH ∝ ε²: halving the step divides it by 4 (a first-order or non-symplectic scheme would give 2, or drift).
            assertTrue(coarse / fine > 3.2 && coarse / fine < 5, text.toString());
        }
        double leapfrog = atCoarse[Hmc.Integrator.LEAPFROG.ordinal()], omelyan = atCoarse[Hmc.Integrator.OMELYAN.ordinal()];
        assertTrue(omelyan < 0.3 * leapfrog, "Omelyan's |ΔH| is several times smaller than leapfrog's at the same step:\n" + text);
    }

    @Test
    void theAverageOfExpMinusDeltaHIsOneInEquilibrium() throws IOException {
        // Area preservation and reversibility make ⟨e^{−ΔH}⟩ = 1 exactly; large steps make the test sensitive.
        for (Hmc.Integrator integrator : Hmc.Integrator.values()) {
            Hmc hmc = HmcTest.hmc(dir, PHI4, 64, 5);
            double step = integrator == Hmc.Integrator.LEAPFROG ? 0.25 : 0.4;
            for (int k = 0; k < 20; k++) hmc.trajectory(step, 4, integrator);
            int trajectories = 40;
            double[] boltzmann = new double[trajectories * 64];
            double accepted = 0;
            for (int k = 0; k < trajectories; k++) {
                accepted += hmc.trajectory(step, 4, integrator);
                double[] dH = hmc.energyChanges();
                // Chain-major, so that each chain's history is one contiguous stretch for the Γ-method.
                for (int c = 0; c < 64; c++) boltzmann[c * trajectories + k] = Math.exp(-dH[c]);
            }
            var a = Autocorrelation.gamma(boltzmann);
            String text = String.format("%s: <exp(-dH)> = %.4f ± %.4f, acceptance %.3f", integrator, a.mean(), a.error(),
                    accepted / (trajectories * 64.0));
            assertTrue(accepted / (trajectories * 64.0) < 0.9, "steps large enough for ΔH to matter: " + text);
            assertTrue(Math.abs(a.mean() - 1) < 4 * a.error(), text);
        }
    }

    @Test
    void hmcWithOmelyanReproducesTheExactFreePropagator() throws IOException {
        Hmc hmc = HmcTest.hmc(dir, "phi4(lattice = [8, 8], m2 = 1.25, lambda = 0.0)", 64, 7);
        // Trajectory length 0.6: every free mode, ω = sqrt(2(m² + Σ 4 sin²(p/2))) from 1.6 to 4.3, turns by 0.95 to
        // 2.6 rad. A length where some ωτ is near a multiple of π (1 gives 3.24 for p = (π, 0)) maps that mode onto ±itself,
        // so it never leaves the cold start and G(t) misses its (−1)^t part: a resonance of fixed-length HMC, not an
        // integrator error.
        HmcTest.assertReproducesTheFreePropagator(hmc, 0.15, 4, Hmc.Integrator.OMELYAN);
    }
}
