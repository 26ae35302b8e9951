package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.equiflow.testing.NotebookReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.equiflow.tensor.Tape;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.IrFunction;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.Op;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.equiflow.testing.Repository;

/**
 * The notebook's φ⁴ model as a user writes it (examples/phi4_tutorial.flow), through the whole
 * pipeline — check, lower to IR, Truffle nodes, tensor kernels — with the PyTorch reference's
 * trained weights: the reference's test vectors z → (φ, log|det J|, log q, S) are reproduced.
 */
class TutorialModelTest {
    static final Path REPO = Repository.root();
    static JsonNode reference;

    @BeforeAll
    static void load() throws IOException {
        reference = NotebookReference.read("reference_L8_tutorial_seed0.json");
    }

    static IrProgram tutorialIr(String lastPass) {
        Path script = REPO.resolve("examples/phi4_tutorial.flow");
        Compiler.Result checked = Compiler.check(script, "examples/phi4_tutorial.flow");
        assertTrue(checked.ok());
        return Compiler.lower(checked, "realnvp", lastPass).orElseThrow();
    }

    static double[] values(JsonNode node) {
        return NotebookReference.values(node);
    }

    static CompiledFlow withReferenceWeights(DType dtype) {
        var flow = new CompiledFlow(tutorialIr(null), dtype, 1);
        JsonNode layers = reference.get("layers");
        for (int i = 0; i < layers.size(); i++) {
            JsonNode convs = layers.get(i).get("convs");
            for (int j = 0; j < convs.size(); j++) {
                String prefix = "layer" + i + ".net.conv" + j;
                flow.parameters().assign(prefix + ".weight", values(convs.get(j).get("weight")));
                flow.parameters().assign(prefix + ".bias", values(convs.get(j).get("bias")));
            }
        }
        return flow;
    }

    static Tensor batch(JsonNode configurations, DType dtype) {
        double[] v = values(configurations);
        int batch = configurations.size();
        Tensor t = Tensor.zeros(new Shape(batch, 1, 8, 8), dtype);
        for (int i = 0; i < v.length; i++) t.set(i, v[i]);
        return t;
    }

    @Test
    void theCheckerboardsOfTheScriptAreTheReferenceMasks() {
        IrFunction flow = tutorialIr("lower").function(IrProgram.FLOW).orElseThrow();
        JsonNode layers = reference.get("layers");
        for (int i = 0; i < layers.size(); i++) {
            String name = "layer" + i + ".frozen";
            Op.Mask mask = flow.ops().stream().filter(o -> o instanceof Op.Mask m && m.name().equals(name))
                    .map(o -> (Op.Mask) o).findFirst().orElseThrow();
            double[] expected = values(layers.get(i).get("frozen_mask"));
            double[] actual = new double[mask.pattern().length];
            for (int k = 0; k < actual.length; k++) actual[k] = mask.pattern()[k] ? 1 : 0;
            assertArrayEquals(expected, actual, name);
        }
    }

    @Test
    void float32ForwardPassReproducesTheReference() { checkForward(DType.F32); }

    @Test
    void float64ForwardPassReproducesTheReference() { checkForward(DType.F64); }

    private void checkForward(DType dtype) {
        CompiledFlow flow = withReferenceWeights(dtype);
        assertEquals(12_960, flow.parameters().count());
        JsonNode test = reference.get("test");
        Tensor z = batch(test.get("z"), dtype);
        CompiledFlow.Forward out = flow.forward(z);
        Tensor logQ = Ops.sub(flow.logPrior(z), out.logDet());
        Tensor action = flow.action(out.x());
        double[] phi = values(test.get("phi"));
        assertEquals(phi.length, out.x().size());
        for (int i = 0; i < phi.length; i++) close(phi[i], out.x().get(i), "φ element " + i);
        for (int b = 0; b < z.shape().batch(); b++) {
            close(test.get("logdet").get(b).asDouble(), out.logDet().get(b), "log|det J| of configuration " + b);
            close(test.get("logq").get(b).asDouble(), logQ.get(b), "log q of configuration " + b);
            close(test.get("S").get(b).asDouble(), action.get(b), "S of configuration " + b);
        }
    }

    /**
     * The reference's own model (flow.py) run in float64 on the same weights and z, which are float32 numbers and so
     * exact in float64 (tools/reference-float64/export_float64_vectors.py): our float64 pipeline reproduces it to
     * float64 accuracy, and float32 does not, so the test tells the two apart.
     */
    @Test
    void float64ForwardPassReproducesTheReferenceModelRunInFloat64ToFloat64Accuracy() throws IOException {
        JsonNode test;
        try (var in = TutorialModelTest.class.getResourceAsStream("/reference_L8_tutorial_seed0_float64.json")) {
            test = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get("test");
        }
        assertArrayEquals(values(reference.get("test").get("z")), values(test.get("z")), 0, "the float64 vectors start from the reference's z");
        double worstFloat32 = 0;
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            CompiledFlow flow = withReferenceWeights(dtype);
            Tensor z = batch(test.get("z"), dtype);
            CompiledFlow.Forward out = flow.forward(z);
            Tensor logQ = Ops.sub(flow.logPrior(z), out.logDet());
            Tensor action = flow.action(out.x());
            double[] phi = values(test.get("phi"));
            for (int i = 0; i < phi.length; i++) {
                double error = Math.abs(phi[i] - out.x().get(i)) / Math.max(1, Math.abs(phi[i]));
                if (dtype == DType.F64) assertTrue(error < 1e-12, "float64 φ element " + i + " differs by " + error);
                else worstFloat32 = Math.max(worstFloat32, error);
            }
            for (int b = 0; b < z.shape().batch(); b++) {
                double[][] pairs = {
                    {test.get("logdet").get(b).asDouble(), out.logDet().get(b)},
                    {test.get("logq").get(b).asDouble(), logQ.get(b)},
                    {test.get("S").get(b).asDouble(), action.get(b)}};
                for (double[] pair : pairs) {
                    double error = Math.abs(pair[0] - pair[1]) / Math.max(1, Math.abs(pair[0]));
                    if (dtype == DType.F64) assertTrue(error < 1e-12, "float64 configuration " + b + ": " + pair[1] + " vs " + pair[0]);
                    else worstFloat32 = Math.max(worstFloat32, error);
                }
            }
        }
        assertTrue(worstFloat32 > 1e-9, "float32 agrees to " + worstFloat32 + ": then this test could not tell float64 from float32");
    }

    /**
     * The reference vectors were computed by PyTorch in float32 (flow.py: float32 fields and
     * weights), so no precision reproduces them closer than their own rounding. What is exact in
     * float64 is what follows from the reference's float32 numbers by a formula: the notebook's
     * action of the reference φ and the standard normal log-density of the reference z, which
     * float64 gives to its own rounding and float32 does not.
     */
    @Test
    void float64ActionAndPriorOfTheReferenceFieldsAreTheNotebooksFormulasToFloat64Accuracy() {
        JsonNode test = reference.get("test"), action = reference.get("action");
        assertEquals("tutorial", action.get("form").asText());
        double m2 = action.get("m2").asDouble(), lambda = action.get("lam").asDouble();
        int batch = test.get("z").size(), sites = 64;
        double[] phi = values(test.get("phi")), z = values(test.get("z"));
        double[] expectedAction = new double[batch], expectedPrior = new double[batch];
        for (int b = 0; b < batch; b++) {
            for (int x = 0; x < 8; x++) {
                for (int y = 0; y < 8; y++) {
                    double v = phi[b * sites + x * 8 + y];
                    double right = phi[b * sites + x * 8 + (y + 1) % 8] - v, down = phi[b * sites + ((x + 1) % 8) * 8 + y] - v;
                    expectedAction[b] += right * right + down * down + m2 * v * v + lambda * v * v * v * v;
                    double w = z[b * sites + x * 8 + y];
                    expectedPrior[b] += -0.5 * w * w - 0.5 * Math.log(2 * Math.PI);
                }
            }
        }
        double worstFloat32 = 0;
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            CompiledFlow flow = withReferenceWeights(dtype);
            Tensor s = flow.action(batch(test.get("phi"), dtype)), prior = flow.logPrior(batch(test.get("z"), dtype));
            for (int b = 0; b < batch; b++) {
                double sError = Math.abs(s.get(b) - expectedAction[b]) / Math.abs(expectedAction[b]);
                double priorError = Math.abs(prior.get(b) - expectedPrior[b]) / Math.abs(expectedPrior[b]);
                if (dtype == DType.F64) {
                    assertEquals(expectedAction[b], s.get(b), 1e-13 * Math.abs(expectedAction[b]), "float64 S of configuration " + b);
                    assertEquals(expectedPrior[b], prior.get(b), 1e-13 * Math.abs(expectedPrior[b]), "float64 log r of configuration " + b);
                } else {
                    worstFloat32 = Math.max(worstFloat32, Math.max(sError, priorError));
                }
            }
        }
        assertTrue(worstFloat32 > 1e-10, "float32 agrees to " + worstFloat32 + ": then this test could not tell float64 from float32");
    }

    /**
     * Sampling runs each conditioner as one lane kernel (its scale/shift conv only on the sites
     * the coupling updates), training records the chain of fused convolutions: the same flow,
     * so x and log|det J| agree to float32 rounding, on a batch that leaves a lane group part full.
     */
    @Test
    void samplingsConditionerKernelAgreesWithTheChainTrainingRecords() {
        CompiledFlow flow = withReferenceWeights(DType.F32);
        Tensor z = Tensor.randn(flow.fieldShape(40), DType.F32, new java.util.SplittableRandom(11));
        CompiledFlow.Forward sampled = flow.forward(z);
        CompiledFlow.Forward recorded;
        try (Tape tape = Tape.open()) {
            recorded = flow.forward(z);
        }
        for (int i = 0; i < z.size(); i++) {
            assertEquals(recorded.x().get(i), sampled.x().get(i), 1e-5 * Math.max(1, Math.abs(recorded.x().get(i))), "x element " + i);
        }
        for (int b = 0; b < 40; b++) {
            assertEquals(recorded.logDet().get(b), sampled.logDet().get(b), 1e-4 * Math.max(1, Math.abs(recorded.logDet().get(b))),
                    "log|det J| of configuration " + b);
        }
    }

    /**
     * Training in float32 takes every conditioner's gradient from the lane kernel
     * (LaneConvNetGradient) at once; in float64 from the chain of convolutions, stage by stage.
     * The reverse-KL gradient of every parameter agrees to float32 rounding of its sums.
     */
    @Test
    void float32GradientThroughTheConditionerKernelsMatchesTheFloat64Chain() {
        CompiledFlow single = withReferenceWeights(DType.F32), reference = withReferenceWeights(DType.F64);
        Tensor z = Tensor.randn(reference.fieldShape(40), DType.F64, new java.util.SplittableRandom(5));
        try (Tape tape = Tape.open()) {
            tape.backward(loss(reference, z));
        }
        try (Tape tape = Tape.open()) {
            tape.backward(loss(single, z.to(DType.F32)));
        }
        for (var entry : reference.parameters().asMap().entrySet()) {
            Tensor expected = entry.getValue().grad(), actual = single.parameters().get(entry.getKey()).grad();
            double scale = 1e-2;
            for (int i = 0; i < expected.size(); i++) scale = Math.max(scale, Math.abs(expected.get(i)));
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), actual.get(i), 1e-4 * scale, entry.getKey() + "[" + i + "]");
            }
        }
    }

    private static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-4 * Math.max(1.0, Math.abs(expected)), what);
    }

    @Test
    void theSameTreeGivesTheGradientOfTheReverseKlLoss() {
        CompiledFlow flow = withReferenceWeights(DType.F64);
        Tensor z = batch(reference.get("test").get("z"), DType.F64);
        try (Tape tape = Tape.open()) {
            tape.backward(loss(flow, z));
        }
        double step = 1e-6;
        String[] probes = {"layer0.net.conv0.weight", "layer7.net.conv1.bias", "layer15.net.conv2.weight"};
        for (String name : probes) {
            Tensor p = flow.parameters().get(name);
            for (int j : new int[] {0, p.size() / 2, p.size() - 1}) {
                double original = p.get(j);
                p.set(j, original + step);
                double plus = loss(flow, z).get(0);
                p.set(j, original - step);
                double minus = loss(flow, z).get(0);
                p.set(j, original);
                double numeric = (plus - minus) / (2 * step);
                assertEquals(numeric, p.grad().get(j), 1e-6 * Math.max(1, Math.abs(numeric)), name + "[" + j + "]");
            }
        }
    }

    /** Reverse KL up to log Z: mean over the batch of log q(x) + S(x). */
    static Tensor loss(CompiledFlow flow, Tensor z) {
        CompiledFlow.Forward out = flow.forward(z);
        return Ops.meanOverBatch(Ops.add(Ops.sub(flow.logPrior(z), out.logDet()), flow.action(out.x())));
    }
}
