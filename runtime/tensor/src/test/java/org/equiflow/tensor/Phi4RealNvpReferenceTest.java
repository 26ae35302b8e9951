package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tensor layer against the PyTorch reference (shared/bench/ref-pytorch): the tutorial's
 * trained RealNVP model for L=8, m2=-4, lam=8, loaded from JSON, must map the reference's
 * latent vectors z to the same phi, log-det, log q and action (to 1e-5 relative).
 */
class Phi4RealNvpReferenceTest {

    private static final String REFERENCE = "reference_L8_tutorial_seed0.json";
    private static JsonNode reference;

    @BeforeAll
    static void load() throws IOException {
        reference = Phi4RealNvp.readReference(REFERENCE);
    }

    private static Tensor configurations(JsonNode nested, int extent, DType dtype) {
        Tensor t = Tensor.zeros(new Shape(nested.size(), 1, extent, extent), dtype);
        Phi4RealNvp.flattenInto(nested, t, new int[] {0});
        return t;
    }

    @Test
    void masksAreTheTutorialsCheckerboards() {
        Phi4RealNvp flow = Phi4RealNvp.fromReference(reference, DType.F32);
        assertEquals(16, flow.couplings.size());
        for (int i = 0; i < flow.couplings.size(); i++) {
            Tensor frozen = flow.couplings.get(i).frozenMask();
            for (int x = 0; x < flow.extent; x++) {
                for (int y = 0; y < flow.extent; y++) {
                    // make_checker_mask: parity 0 freezes sites with x + y odd.
                    assertEquals((x + y + i % 2) % 2, frozen.get(0, 0, x, y), "layer " + i + " site " + x + "," + y);
                }
            }
        }
        assertEquals(16 * 810, flow.parameters().stream().mapToInt(Tensor::size).sum(), "parameter count of the tutorial model");
    }

    @Test
    void float32ForwardPassMatchesPyTorch() {
        checkForward(DType.F32);
    }

    @Test
    void float64ForwardPassMatchesPyTorch() {
        checkForward(DType.F64);
    }

    private void checkForward(DType dtype) {
        Phi4RealNvp flow = Phi4RealNvp.fromReference(reference, dtype);
        JsonNode test = reference.get("test");
        Tensor z = configurations(test.get("z"), flow.extent, dtype);
        Tensor expectedPhi = configurations(test.get("phi"), flow.extent, DType.F64);

        Phi4RealNvp.FlowOutput out = flow.forward(z);
        Tensor logQ = Ops.sub(Phi4RealNvp.priorLogProb(z), out.logDet());
        double m2 = reference.get("action").get("m2").asDouble(), lambda = reference.get("action").get("lam").asDouble();
        Tensor action = Phi4RealNvp.action(out.phi(), m2, lambda);

        assertEquals(expectedPhi.shape(), out.phi().shape());
        for (int i = 0; i < expectedPhi.size(); i++) {
            assertClose(expectedPhi.get(i), out.phi().get(i), "phi element " + i);
        }
        for (int b = 0; b < z.shape().batch(); b++) {
            assertClose(test.get("logdet").get(b).asDouble(), out.logDet().get(b), "log-det of configuration " + b);
            assertClose(test.get("logq").get(b).asDouble(), logQ.get(b), "log q of configuration " + b);
            assertClose(test.get("S").get(b).asDouble(), action.get(b), "action of configuration " + b);
        }
    }

    private static void assertClose(double expected, double actual, String what) {
        // Measured: float32 within 7e-7 relative of PyTorch, float64 within 5e-7 (PyTorch rounds).
        assertEquals(expected, actual, 1e-5 * Math.max(1.0, Math.abs(expected)), what);
    }

    @Test
    void reverseKlLossGradientMatchesFiniteDifferences() {
        // The whole model through the tape: d/dtheta mean(log q + S) at a few parameters of
        // the first, a middle and the last coupling, against central differences in float64.
        Phi4RealNvp flow = Phi4RealNvp.fromReference(reference, DType.F64);
        Tensor z = configurations(reference.get("test").get("z"), flow.extent, DType.F64);
        List<Tensor> parameters = flow.parameters();
        try (Tape tape = Tape.open()) {
            Tensor loss = reverseKlLoss(flow, z);
            tape.backward(loss);
            assertTrue(tape.size() > 16 * 10, "the tape should hold every primitive of the forward pass");
        }
        int[][] probes = {{0, 0}, {0, 7}, {1, 3}, {14, 5}, {15, 0}, {31, 1}, {92, 40}, {95, 1}};
        double step = 1e-6;
        for (int[] probe : probes) {
            Tensor p = parameters.get(probe[0]);
            int j = probe[1];
            double original = p.get(j);
            p.set(j, original + step);
            double plus = reverseKlLoss(flow, z).get(0);
            p.set(j, original - step);
            double minus = reverseKlLoss(flow, z).get(0);
            p.set(j, original);
            double numeric = (plus - minus) / (2 * step);
            assertEquals(numeric, p.grad().get(j), 1e-6 * Math.max(1.0, Math.abs(numeric)),
                    "d loss / d parameter " + probe[0] + "[" + j + "]");
        }
    }

    private Tensor reverseKlLoss(Phi4RealNvp flow, Tensor z) {
        Phi4RealNvp.FlowOutput out = flow.forward(z);
        Tensor logQ = Ops.sub(Phi4RealNvp.priorLogProb(z), out.logDet());
        Tensor action = Phi4RealNvp.action(out.phi(), -4.0, 8.0);
        return Ops.meanOverBatch(Ops.add(logQ, action));
    }
}
