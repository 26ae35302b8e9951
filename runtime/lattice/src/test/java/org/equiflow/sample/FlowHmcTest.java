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
            hmc.trajectory(steps[k], (int) Math.round(0.2 / steps[k]), Hmc.Integrator.LEAPFROG);
            for (double dH : hmc.energyChanges()) mean[k] += Math.abs(dH) / 8;
        }
        assertTrue(mean[0] > 0 && mean[0] < 0.5, "ΔH at ε = 0.02: " + mean[0]);
        // Halving ε divides |ΔH| by about 4.
        assertEquals(4.0, mean[0] / mean[1], 1.0, "ratio of |ΔH| at ε and ε/2: " + mean[0] + " / " + mean[1]);
    }
}
