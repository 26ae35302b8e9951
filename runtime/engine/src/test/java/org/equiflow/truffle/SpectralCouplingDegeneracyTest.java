package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SU(2) spectral coupling near degenerate eigenvalues, where its formulas divide by sin θ:
 * the plaquettes at the identity (θ → 0) and at −1 (θ → π), the two walls of SU(2)'s Weyl
 * chamber [0, π]. There the layer is a limit (sin θ′/sin θ → dθ′/dθ, and the spline's end
 * derivatives are 1), so a careless formulation turns into 0/0. Configurations whose every
 * plaquette lies within δ of a wall: the map, its log-det and the reverse-KL gradient of every
 * parameter are finite, and the gradient agrees with central differences of the loss.
 *
 * <p>Exactly on a wall (δ = 0) the layer is not defined by these formulas (log sin θ = −∞); under
 * the Haar prior that set has measure zero, and in float32 the smallest angle a sample reaches is
 * far above the δ tested here.
 */
class SpectralCouplingDegeneracyTest {

    private static final String FLOW = """
            use std.theories.su2
            use std.nets.cnn
            use std.gauge.{spectral_coupling, link_mask}

            theory T = su2(lattice = [4, 4], beta = 2.0)

            flow f for T {
                prior haar
                spectral_coupling(links = link_mask(mu = 0, offset = 1), bins = 4, net = cnn(hidden = [4], act = leaky_relu))
                spectral_coupling(links = link_mask(mu = 1, offset = 2), bins = 4, net = cnn(hidden = [4], act = leaky_relu))
            }
            """;

    @TempDir
    static Path dir;

    private static CompiledFlow compile() throws IOException {
        Path file = dir.resolve("degenerate.flow");
        Files.writeString(file, FLOW);
        Compiler.Result checked = Compiler.check(file, file.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        FlowModel model = checked.program().orElseThrow().flows().get(0);
        IrProgram program = Compiler.lower(checked, model.name(), null).orElseThrow();
        CompiledFlow flow = new CompiledFlow(program, DType.F64, 11);
        // away from the identity map, so that the splines bend and the gradients are not trivial
        for (Tensor p : flow.parameters().all()) for (int i = 0; i < p.size(); i++) p.set(i, 1.5 * p.get(i));
        return flow;
    }

    /**
     * Links whose plaquettes all lie within about 4δ of the identity (wall = 0) or of −1 (wall = π):
     * U₀(x) = (±1)^{x₁} R₀(x), U₁(x) = R₁(x), with R random rotations by angles up to δ. With the
     * sign (−1)^{x₁} every plaquette of the unperturbed field is −1 on an even lattice.
     */
    private static Tensor nearWall(CompiledFlow flow, int batch, boolean minusOne, double delta, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Tensor links = Tensor.zeros(flow.fieldShape(batch), DType.F64);
        int l1 = links.shape().latticeExtent(1);
        for (int b = 0; b < batch; b++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int site = 0; site < links.shape().sites(); site++) {
                    double angle = delta * random.nextDouble();
                    double[] axis = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
                    double norm = Math.sqrt(axis[0] * axis[0] + axis[1] * axis[1] + axis[2] * axis[2]);
                    double sign = minusOne && mu == 0 && (site % l1) % 2 == 1 ? -1 : 1;
                    double s = Math.sin(angle) / norm;
                    SuTwoLinks.setLink(links, b, mu, site,
                            SuTwoLinks.quaternion(sign * Math.cos(angle), sign * s * axis[0], sign * s * axis[1], sign * s * axis[2]));
                }
            }
        }
        return links;
    }

    private static Tensor loss(CompiledFlow flow, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        return Ops.meanOverBatch(Ops.add(Ops.sub(flow.logPrior(z), out.logDet()), flow.action(out.x())));
    }

    @ParameterizedTest(name = "wall at {0}, within {1}")
    @CsvSource({"identity, 1e-2", "identity, 1e-4", "identity, 1e-6", "minus one, 1e-2", "minus one, 1e-4", "minus one, 1e-6"})
    void mapLogDetAndGradientsStayFiniteAndCorrectNearTheWeylChamberWalls(String wall, double delta) throws IOException {
        CompiledFlow flow = compile();
        Tensor z = nearWall(flow, 2, wall.equals("minus one"), delta, 17);

        CompiledFlow.Forward out = flow.forward(z);
        for (int i = 0; i < out.x().size(); i++) assertTrue(Double.isFinite(out.x().get(i)), "U′ element " + i);
        for (int b = 0; b < 2; b++) assertTrue(Double.isFinite(out.logDet().get(b)), "log-det of configuration " + b);

        try (Tape tape = Tape.open()) {
            tape.backward(loss(flow, z));
        }
        double largest = 0;
        for (String name : flow.parameterNames()) {
            Tensor grad = flow.parameters().get(name).grad();
            for (int i = 0; i < grad.size(); i++) {
                assertTrue(Double.isFinite(grad.get(i)), name + "[" + i + "] gradient " + grad.get(i));
                largest = Math.max(largest, Math.abs(grad.get(i)));
            }
        }
        assertTrue(largest > 1e-8, "the loss should depend on the parameters; largest gradient " + largest);

        // Near a wall the loss carries rounding of relative size ε/δ (sin θ′/sin θ from cosines of angles near ±π/2,
        // about 1e-9 of the loss at δ = 1e-6), which a step of 1e-6 would amplify to 1e-3: a fourth-order
        // stencil of step 1e-3 keeps both that noise (1e-6) and the truncation error (h⁴) small.
        double step = 1e-3;
        for (String name : flow.parameterNames()) {
            Tensor p = flow.parameters().get(name);
            for (int j : new int[] {0, p.size() / 2, p.size() - 1}) {
                double original = p.get(j);
                double[] at = new double[4];
                int k = 0;
                for (int multiple : new int[] {-2, -1, 1, 2}) {
                    p.set(j, original + multiple * step);
                    at[k++] = loss(flow, z).get(0);
                }
                p.set(j, original);
                double numeric = (at[0] - 8 * at[1] + 8 * at[2] - at[3]) / (12 * step);
                assertEquals(numeric, p.grad().get(j), 2e-6 + 1e-4 * Math.abs(numeric), wall + " " + delta + ": " + name + "[" + j + "]");
            }
        }
    }
}
