package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flow of `spline` couplings through the whole pipeline (check, lower, passes, Truffle,
 * kernels) on a 4×4 lattice in float64: its log-det equals log|det| of the numerical Jacobian
 * ∂x/∂z of the whole flow, with parameters scaled up so that the splines are far from the
 * identity and z spread so that some sites fall in the identity tails.
 */
class SplineFlowJacobianTest {

    private static final String PROGRAM = """
            use std.theories.phi4
            use std.nets.cnn
            use std.masks.checkerboard

            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)

            flow splines for T {
                prior normal(sigma = 1.0)
                repeat i in 0..3 {
                    spline(mask = checkerboard(parity = i % 2),
                           net  = cnn(hidden = [4], kernel = 3),
                           bins = 5, bound = 1.5)
                }
            }
            """;

    @Test
    void logDetIsTheLogOfTheJacobianDeterminant(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("splines.flow");
        Files.writeString(file, PROGRAM);
        Compiler.Result checked = Compiler.check(file, "splines.flow");
        assertTrue(checked.ok(), checked.diagnostics().toString());
        IrProgram program = Compiler.lower(checked, "splines", null).orElseThrow();
        long splineOps = program.function(IrProgram.FLOW).orElseThrow().ops().stream()
                .filter(op -> op instanceof Op.SplineWithLogDerivative).count();
        assertEquals(3, splineOps, "three couplings, each a transform with its log-derivative");

        var flow = new CompiledFlow(program, DType.F64, 5);
        for (Tensor p : flow.parameters().all()) {
            for (int i = 0; i < p.size(); i++) p.set(i, 1.5 * p.get(i));
        }
        SplittableRandom random = new SplittableRandom(17);
        Shape shape = flow.fieldShape(1);
        int sites = shape.sites();
        for (int sample = 0; sample < 3; sample++) {
            Tensor z = Tensor.zeros(shape, DType.F64);
            int outside = 0;
            for (int i = 0; i < sites; i++) {
                z.set(i, 1.2 * random.nextGaussian());
                if (Math.abs(z.get(i)) >= 1.5) outside++;
            }
            double logDet = flow.forward(z).logDet().get(0);
            double numeric = Determinants.numericalLogDet(flow, z);
            assertTrue(Math.abs(logDet) > 0.1, "the flow should be far from volume-preserving, log-det " + logDet);
            assertEquals(numeric, logDet, 1e-5, "sample " + sample + " (" + outside + " sites in the tails)");
        }
    }
}
