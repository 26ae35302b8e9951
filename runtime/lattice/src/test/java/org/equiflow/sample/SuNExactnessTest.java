package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.SuNTorusExact;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactness of HMC on 2D SU(N) Wilson theory (std.theories.su2, su3) on the 4×4 torus against the
 * character expansion of {@link SuNTorusExact}, not against ourselves: the theory's own observable
 * plaquette_mean = ⟨(1/N) Re tr P⟩, lowered through the IR, over many independent chains in one
 * batch, within 3σ (the error from the spread of the chains' means).
 */
class SuNExactnessTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "SU({0}) β = {1} on {2}×{2}")
    @CsvSource({"2, 2.2, 4", "3, 5.0, 4"})
    void hmcReproducesTheExactPlaquette(int n, double beta, int size) throws IOException {
        CheckedProgram program = SuNHmcTest.program(dir, n, size, beta);
        TheoryInstance theory = program.theories().get(0);
        var observable = theory.observables().stream().filter(o -> o.name().equals("plaquette_mean")).findFirst().orElseThrow();
        var plaquette = IrTranslator.translate(IrPasses.optimize(Lowering.lowerObservable(theory, program.names(), observable)),
                new Parameters(), DType.F64);
        int chains = 24, thermalize = 50, trajectories = 100;
        var hmc = new Hmc(theory, program.names(), chains, 31 + n);
        double[] sums = new double[chains];
        long accepted = 0;
        for (int k = 0; k < thermalize + trajectories; k++) {
            int a = hmc.trajectory(0.1, 10);
            if (k < thermalize) continue;
            accepted += a;
            Tensor values = ((Tensor[]) plaquette.call(hmc.field()))[0];
            for (int c = 0; c < chains; c++) sums[c] += values.get(c) / trajectories;
        }
        double mean = 0;
        for (double s : sums) mean += s / chains;
        double variance = 0;
        for (double s : sums) variance += (s - mean) * (s - mean) / (chains - 1);
        double error = Math.sqrt(variance / chains);
        double exact = new SuNTorusExact(n, beta).plaquette(size * size);
        double acceptance = accepted / (double) (chains * trajectories);
        String report = String.format("SU(%d) β = %.1f %d×%d: <(1/N) Re tr P> = %.5f ± %.5f, exact %.5f, pull %+.2f, acceptance %.3f",
                n, beta, size, size, mean, error, exact, (mean - exact) / error, acceptance);
        System.out.println(report);
        assertTrue(acceptance > 0.5, report);
        assertTrue(error < 0.01, "a test that can fail: " + report);
        assertTrue(Math.abs(mean - exact) < 3 * error, report);
    }
}
