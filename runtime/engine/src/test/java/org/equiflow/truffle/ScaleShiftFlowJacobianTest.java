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
 * The Z2-equivariant coupling design of examples/phi4_z2.flow (separate even scale and odd shift
 * nets, fused into AffineCoupling kernels) through the whole pipeline on a 4×4 lattice in
 * float64: its log-det equals log|det| of the numerical Jacobian ∂x/∂z of the whole flow, with
 * parameters scaled up so that the flow is far from volume-preserving.
 */
class ScaleShiftFlowJacobianTest {

    private static final String PROGRAM = """
            use std.theories.phi4
            use std.nets.{cnn, conv}
            use std.masks.checkerboard

            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)

            flow z2 for T equivariant z2 {
                prior normal(sigma = 1.0)
                repeat i in 0..3 {
                    affine(mask  = checkerboard(parity = i % 2),
                           scale = conv(channels = 4, bias = false) >> tanh >> conv(channels = 4, bias = false)
                                   >> abs >> conv() >> tanh,
                           shift = cnn(hidden = [4], act = tanh, bias = false))
                }
            }
            """;

    @Test
    void logDetIsTheLogOfTheJacobianDeterminant(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("z2.flow");
        Files.writeString(file, PROGRAM);
        Compiler.Result checked = Compiler.check(file, "z2.flow");
        assertTrue(checked.ok(), checked.diagnostics().toString());
        IrProgram program = Compiler.lower(checked, "z2", null).orElseThrow();
        long couplings = program.function(IrProgram.FLOW).orElseThrow().ops().stream()
                .filter(op -> op instanceof Op.AffineCoupling).count();
        assertEquals(3, couplings, "three fused affine couplings");

        var flow = new CompiledFlow(program, DType.F64, 5);
        for (Tensor p : flow.parameters().all()) {
            for (int i = 0; i < p.size(); i++) p.set(i, 3.0 * p.get(i));
        }
        SplittableRandom random = new SplittableRandom(17);
        Shape shape = flow.fieldShape(1);
        int sites = shape.sites();
        for (int sample = 0; sample < 3; sample++) {
            Tensor z = Tensor.zeros(shape, DType.F64);
            for (int i = 0; i < sites; i++) {
                z.set(i, 1.2 * random.nextGaussian());
            }
            double logDet = flow.forward(z).logDet().get(0);
            // The float32 kernels (what training and sampling run) agree with float64.
            var single = new CompiledFlow(program, DType.F32, 5);
            flow.parameters().asMap().forEach((name, p) -> {
                double[] values = new double[p.size()];
                for (int i = 0; i < values.length; i++) values[i] = p.get(i);
                single.parameters().assign(name, values);
            });
            var forward32 = single.forward(z.to(DType.F32));
            assertEquals(logDet, forward32.logDet().get(0), 1e-4 * Math.max(1, Math.abs(logDet)), "float32 log-det");
            for (int i = 0; i < sites; i++) assertEquals(flow.forward(z).x().get(i), forward32.x().get(i), 1e-4, "float32 field");
            double numeric = Determinants.numericalLogDet(flow, z);
            assertTrue(Math.abs(logDet) > 0.1, "the flow should be far from volume-preserving, log-det " + logDet);
            assertEquals(numeric, logDet, 1e-5, "sample " + sample);
        }
    }
}
