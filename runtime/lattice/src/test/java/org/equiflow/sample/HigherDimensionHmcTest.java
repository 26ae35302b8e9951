package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.truffle.api.CallTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.SuNTorusExact;
import org.equiflow.physics.U1Exact;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * HMC on U(1) and SU(N) link fields in three and four dimensions, against the strong-coupling
 * expansion: at small β every plaquette is, to leading order, an independent single-plaquette
 * integral, ⟨(1/N) Re tr P⟩ = u(β) with u = I₁(β)/I₀(β) for U(1) and the 2D infinite-volume
 * plaquette of {@link SuNTorusExact} for SU(N) (the same one-plaquette integral). The first
 * correction comes from the 2(d − 2) elementary cubes through a plaquette and is of order u⁵;
 * loops around the torus are of order u^L. At the couplings below u ≤ 0.13, so the remainder is
 * bounded by 20u⁵ ≤ 8e-4, and the test asks for |mean − u| < 3σ + 20u⁵ with σ below 0.003 — a
 * drift or force that missed a direction or a plane would move the plaquette by far more (in 3D
 * each link sits in 4 plaquettes, in 4D in 6).
 */
class HigherDimensionHmcTest {
    @TempDir
    Path dir;

    private CheckedProgram program(String theory, String lattice, double beta) throws IOException {
        Path script = dir.resolve(theory + ".flow");
        Files.writeString(script, """
                use std.theories.$T
                theory G = $T(lattice = $L, beta = $BETA)
                """.replace("$T", theory).replace("$L", lattice).replace("$BETA", Double.toString(beta)));
        var checked = Compiler.check(script, script.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), checked.toString());
        return checked.program().orElseThrow();
    }

    @ParameterizedTest(name = "{0} β = {2} on {1}")
    @CsvSource(delimiter = ';', value = {
            "u1; [4, 4, 4]; 0.25; 16",
            "u1; [4, 4, 4, 4]; 0.25; 8",
            "su2; [4, 4, 4]; 0.5; 8",
            "su3; [4, 4, 4]; 2.0; 4"})
    void hmcReproducesTheStrongCouplingPlaquette(String theory, String lattice, double beta, int chains) throws IOException {
        CheckedProgram program = program(theory, lattice, beta);
        TheoryInstance t = program.theories().get(0);
        var o = t.observables().stream().filter(x -> x.name().equals("plaquette_mean")).findFirst().orElseThrow();
        CallTarget plaquette = IrTranslator.translate(IrPasses.optimize(Lowering.lowerObservable(t, program.names(), o)), new Parameters(), DType.F64);
        int thermalize = 30, trajectories = 120;
        var hmc = new Hmc(t, program.names(), chains, 41 + chains);
        double[] means = new double[chains];
        long accepted = 0;
        for (int k = 0; k < thermalize + trajectories; k++) {
            int a = hmc.trajectory(0.1, 10);
            if (k < thermalize) continue;
            accepted += a;
            Tensor p = ((Tensor[]) plaquette.call(hmc.field()))[0];
            for (int c = 0; c < chains; c++) means[c] += p.get(c) / trajectories;
        }
        double u = switch (theory) {
            case "u1" -> U1Exact.plaquetteInfiniteVolume(beta);
            case "su2" -> new SuNTorusExact(2, beta).plaquetteInfiniteVolume();
            default -> new SuNTorusExact(3, beta).plaquetteInfiniteVolume();
        };
        double mean = 0, variance = 0;
        for (double m : means) mean += m / chains;
        for (double m : means) variance += (m - mean) * (m - mean) / (chains - 1);
        double error = Math.sqrt(variance / chains), remainder = 20 * Math.pow(u, 5);
        double acceptance = accepted / (double) (chains * trajectories);
        String report = String.format("%s β = %.2f on %s: acceptance %.3f, <(1/N) Re tr P> = %.5f ± %.5f, strong coupling u = %.5f"
                + " (remainder bound %.1e), pull %+.2f", theory, beta, lattice, acceptance, mean, error, u, remainder, (mean - u) / error);
        System.out.println(report);
        assertTrue(acceptance > 0.5, report);
        assertTrue(error < 0.003, report);
        assertTrue(Math.abs(mean - u) < 3 * error + remainder, report);
    }
}
