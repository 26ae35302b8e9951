package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.physics.ScalarObservables;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HMC on the compiled action: forces are the action's gradient, the integrator is reversible, the chain is exact. */
class HmcTest {
    @TempDir
    Path dir;

    /** HMC on {@code theory} (a phi4 instance), compiled from a one-line script in {@code dir}. */
    static Hmc hmc(Path dir, String theory, int chains, long seed) throws IOException {
        Path script = dir.resolve("t.flow");
        Files.writeString(script, "use std.theories.phi4\ntheory T = " + theory + "\n");
        var checked = Compiler.check(script, "t.flow", Map.of());
        assertTrue(checked.ok());
        var program = checked.program().orElseThrow();
        return new Hmc(program.theories().get(0), program.names(), chains, seed);
    }

    @Test
    void theForceIsMinusTheGradientOfTheAction() throws IOException {
        Hmc hmc = hmc(dir, "phi4(lattice = [4, 6], m2 = -4.0, lambda = 8.0)", 2, 1);
        Tensor phi = Tensor.randn(hmc.field().shape(), DType.F64, new SplittableRandom(3));
        Tensor force = hmc.force(phi);
        double h = 1e-6;
        for (int i : new int[] {0, 5, 23, 30, 47}) {
            double original = phi.get(i);
            phi.set(i, original + h);
            double plus = hmc.action(phi)[i / 24];
            phi.set(i, original - h);
            double minus = hmc.action(phi)[i / 24];
            phi.set(i, original);
            assertEquals(-(plus - minus) / (2 * h), force.get(i), 1e-6 * Math.max(1, Math.abs(force.get(i))), "site " + i);
        }
    }

    @Test
    void hmcReproducesTheExactFreePropagator() throws IOException {
        Hmc hmc = hmc(dir, "phi4(lattice = [8, 8], m2 = 1.25, lambda = 0.0)", 64, 5);
        assertReproducesTheFreePropagator(hmc, 0.15, 10, Hmc.Integrator.LEAPFROG);
    }

    /**
     * 64 chains of HMC on the 8×8 free field with m² = 1.25: after 50 trajectories, 200 measured
     * ones accept more than 60% and give the zero-momentum correlator G(t) within 3σ of the exact one.
     */
    static void assertReproducesTheFreePropagator(Hmc hmc, double stepSize, int steps, Hmc.Integrator integrator) {
        var observables = new ScalarObservables(java.util.List.of(8, 8));
        for (int k = 0; k < 50; k++) hmc.trajectory(stepSize, steps, integrator);
        int measurements = 200;
        double[][] g = new double[8][measurements * 64];
        int accepted = 0;
        float[] configs = new float[64 * 64];
        for (int m = 0; m < measurements; m++) {
            accepted += hmc.trajectory(stepSize, steps, integrator);
            for (int i = 0; i < configs.length; i++) configs[i] = (float) hmc.field().get(i);
            // Chains are independent: interleave them chain-major so each series is one chain's history.
            for (int c = 0; c < 64; c++) {
                double[] gc = observables.zeroMomentumCorrelator(configs, c);
                for (int t = 0; t < 8; t++) g[t][c * measurements + m] = gc[t];
            }
        }
        double acceptance = accepted / (double) (measurements * 64);
        assertTrue(acceptance > 0.6, "acceptance " + acceptance);
        double[] exact = ScalarObservables.freeFieldZeroMomentum(8, 1.25);
        StringBuilder report = new StringBuilder();
        boolean ok = true;
        for (int t = 0; t < 8; t++) {
            var a = Autocorrelation.gamma(g[t]);
            double pull = (a.mean() - exact[t]) / a.error();
            report.append(String.format("t=%d G=%.5f ± %.5f exact %.5f pull %+.2f%n", t, a.mean(), a.error(), exact[t], pull));
            ok &= Math.abs(pull) < 3;
        }
        assertTrue(ok, report.toString());
    }
}
