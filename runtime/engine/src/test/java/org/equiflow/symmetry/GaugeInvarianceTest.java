package org.equiflow.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.symmetry.FlowSymmetry;
import org.equiflow.compiler.symmetry.Status;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gauge symmetry at run time, for what the runtime executes: the U(1) Wilson action and the
 * theory's observables, lowered and run in float64, are invariant under random gauge
 * transformations of the link angles θ_μ(x) → θ_μ(x) + α(x) − α(x + μ); a raw-link quantity is
 * not (the control that shows the transformation does something). Plaquette couplings are not
 * lowered in this branch, so their gauge verdict is checked on the checker's side only; the
 * topological charge (arg P) is not lowered yet either.
 */
class GaugeInvarianceTest {
    @TempDir
    Path dir;

    private static final String SCRIPT = """
            use std.theories.u1
            use std.nets.cnn
            use std.gauge.{plaquette_coupling, link_mask, ncp_mixture}

            theory G = u1(lattice = [4, 4], beta = 1.3)

            flow gauge_ncp for G equivariant gauge, translation {
                prior haar
                repeat i in 0..4 {
                    plaquette_coupling(links = link_mask(mu = i % 2, offset = i % 4),
                                       transform = ncp_mixture(components = 2),
                                       net = cnn(hidden = [4], act = leaky_relu))
                }
            }
            """;

    @Test
    void actionAndObservablesAreInvariantUnderRandomGaugeTransformations() throws IOException {
        Path file = dir.resolve("u1.flow");
        Files.writeString(file, SCRIPT);
        var checked = Compiler.check(file, "u1.flow", Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        var program = checked.program().orElseThrow();
        var theory = program.theories().get(0);

        var analysis = FlowSymmetry.analyse(program.flows().get(0));
        assertEquals(Status.HOLDS, analysis.of("gauge").status(), "plaquette couplings with link masks are gauge equivariant");
        assertEquals(Status.RESTRICTED, analysis.of("translation").status());

        var action = IrTranslator.translate(Lowering.lowerAction(theory, program.names()), new Parameters(), DType.F64);
        var plaquette = IrTranslator.translate(Lowering.lowerObservable(theory, program.names(),
                theory.observables().stream().filter(o -> o.name().equals("plaquette_mean")).findFirst().orElseThrow()),
                new Parameters(), DType.F64);
        var random = new SplittableRandom(31);
        Shape shape = new Shape(3, 2, 4, 4);
        for (int trial = 0; trial < 5; trial++) {
            Tensor theta = Tensor.zeros(shape, DType.F64);
            for (int i = 0; i < theta.size(); i++) theta.set(i, (2 * random.nextDouble() - 1) * Math.PI);
            Tensor transformed = gaugeTransform(theta, random);
            for (var function : java.util.List.of(action, plaquette)) {
                Tensor before = ((Tensor[]) function.call(theta))[0], after = ((Tensor[]) function.call(transformed))[0];
                assertTrue(SymmetryProbe.maxDifference(before, after) < 1e-10, "trial " + trial);
            }
            // Control: a single raw link angle does change.
            assertTrue(Math.abs(transformed.get(0) - theta.get(0)) > 1e-6);
        }
    }

    /** θ_μ(x) + α(x) − α(x + μ) with α uniform on (−π, π) at every site, on a [B, 2, 4, 4] angle tensor. */
    static Tensor gaugeTransform(Tensor theta, SplittableRandom random) {
        Shape s = theta.shape();
        int l0 = s.latticeExtent(0), l1 = s.latticeExtent(1);
        Tensor out = theta.copy();
        for (int b = 0; b < s.batch(); b++) {
            double[][] alpha = new double[l0][l1];
            for (double[] row : alpha) for (int k = 0; k < l1; k++) row[k] = (2 * random.nextDouble() - 1) * Math.PI;
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < l0; x0++) for (int x1 = 0; x1 < l1; x1++) {
                    int y0 = (x0 + (mu == 0 ? 1 : 0)) % l0, y1 = (x1 + (mu == 1 ? 1 : 0)) % l1;
                    int index = ((b * 2 + mu) * l0 + x0) * l1 + x1;
                    out.set(index, theta.get(index) + alpha[x0][x1] - alpha[y0][y1]);
                }
            }
        }
        return out;
    }
}
