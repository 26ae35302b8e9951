package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.physics.FieldBehaviours;
import org.equiflow.tensor.DType;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flow-HMC's integrator on the pulled-back action of an untrained φ⁴ flow: |ΔH| falls like ε² for leapfrog. */
class FlowHmcTest {
    @TempDir
    Path dir;

    @Test
    void leapfrogEnergyErrorFallsLikeTheSquareOfTheStep() throws Exception {
        Path script = dir.resolve("phi4.flow");
        Files.writeString(script, """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)
                flow f for T {
                    prior normal()
                    affine(mask = checkerboard(parity = 0), net = cnn(hidden = [4]))
                    affine(mask = checkerboard(parity = 1), net = cnn(hidden = [4]))
                }
                """);
        var checked = Compiler.check(script, "phi4.flow", Map.of());
        assertTrue(checked.ok());
        var theory = checked.program().orElseThrow().theories().get(0);
        var flow = new CompiledFlow(Compiler.lower(checked, "f", null).orElseThrow(), DType.F64, 3).withFrozenParameters();
        double[] mean = new double[2];
        double[] steps = {0.02, 0.01};
        for (int k = 0; k < 2; k++) {
            // Same seed: the same start and momenta, a trajectory of the same length 0.2 at two step sizes.
            var hmc = new FlowHmc(flow, FieldBehaviours.of(theory.field()), 8, 11);
            // A typical start, where ΔH is in its ε² regime (the cold start z = 0 is nearly still).
            hmc.start(flow.samplePrior(8, new java.util.SplittableRandom(11)));
            hmc.trajectory(steps[k], (int) Math.round(0.2 / steps[k]), Hmc.Integrator.LEAPFROG);
            for (double dH : hmc.energyChanges()) mean[k] += Math.abs(dH) / 8;
        }
        assertTrue(mean[0] > 0 && mean[0] < 0.5, "ΔH at ε = 0.02: " + mean[0]);
        // Halving ε divides |ΔH| by about 4.
        System.out.printf("flow-HMC leapfrog mean |dH|: eps 0.02 -> %.3g, eps 0.01 -> %.3g%n", mean[0], mean[1]);
        assertEquals(4.0, mean[0] / mean[1], 1.0, "ratio of |ΔH| at ε and ε/2: " + mean[0] + " / " + mean[1]);
    }

    /**
     * Exactness against a known answer: the free field (φ⁴ at λ = 0, m² = 1.25, 4×4; S = ½φᵀ(2K)φ,
     * K = −Δ + m²) sampled by flow-HMC through an untrained flow with a wrong prior width gives
     * ⟨φ²⟩ = (1/V) Σ_p 1/(2(p̂² + m²)) within 4σ; the error is from the spread of 16 independent chains.
     */
    @Test
    void freeFieldPhiSquaredIsExactThroughAnUntrainedFlow() throws Exception {
        Path script = dir.resolve("free.flow");
        Files.writeString(script, """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory Free = phi4(lattice = [4, 4], m2 = 1.25, lambda = 0.0)
                flow f for Free {
                    prior normal(sigma = 0.5)
                    affine(mask = checkerboard(parity = 0), net = cnn(hidden = [4]))
                    affine(mask = checkerboard(parity = 1), net = cnn(hidden = [4]))
                }
                """);
        var checked = Compiler.check(script, "free.flow", Map.of());
        assertTrue(checked.ok());
        var theory = checked.program().orElseThrow().theories().get(0);
        var flow = new CompiledFlow(Compiler.lower(checked, "f", null).orElseThrow(), DType.F64, 5).withFrozenParameters();
        int chains = 16, burn = 50, kept = 400, volume = 16;
        var hmc = new FlowHmc(flow, FieldBehaviours.of(theory.field()), chains, 13);
        double[] chainMean = new double[chains];
        long accepted = 0;
        for (int t = 0; t < burn + kept; t++) {
            int a = hmc.trajectory(0.25, 4, Hmc.Integrator.LEAPFROG);
            if (t < burn) continue;
            accepted += a;
            var phi = hmc.configuration();
            for (int c = 0; c < chains; c++) {
                double s = 0;
                for (int i = 0; i < volume; i++) s += phi.get(c * volume + i) * phi.get(c * volume + i);
                chainMean[c] += s / volume / kept;
            }
        }
        double exact = 0;
        for (int p0 = 0; p0 < 4; p0++) {
            for (int p1 = 0; p1 < 4; p1++) {
                double hat = 4 * Math.pow(Math.sin(Math.PI * p0 / 4), 2) + 4 * Math.pow(Math.sin(Math.PI * p1 / 4), 2);
                exact += 1 / (2 * (hat + 1.25)) / volume;
            }
        }
        double mean = java.util.Arrays.stream(chainMean).average().orElseThrow();
        double var = java.util.Arrays.stream(chainMean).map(m -> (m - mean) * (m - mean)).sum() / (chains - 1);
        double error = Math.sqrt(var / chains);
        double acceptance = accepted / (double) (chains * kept);
        System.out.printf("flow-HMC free field <phi^2> = %.5f +- %.5f, exact %.5f, acceptance %.3f%n", mean, error, exact, acceptance);
        assertTrue(acceptance > 0.3, "acceptance " + acceptance);
        assertTrue(Math.abs(mean - exact) < 4 * error, mean + " ± " + error + " vs exact " + exact);
    }
}
