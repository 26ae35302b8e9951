package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gauge-equivariant plaquette couplings through the whole pipeline (check, lower, passes,
 * Truffle, kernels) on a 4×4 torus in float64, against the laws a gauge-equivariant flow must
 * obey and against the notebook's recipe transcribed independently ({@link U1NotebookFlow}):
 * same links and log-det as the transcription, covariance under random gauge transformations
 * θ_μ(x) → θ_μ(x) + α(x) − α(x+μ) with an invariant log-det (for the whole flow and for every
 * one of the eight masks alone), the transcription's bisection inverse undoing the compiled
 * forward map, and the log-det equal to log|det| of the numerical Jacobian.
 */
class U1GaugeFlowTest {

    private static final int L = 4, LAYERS = 8, BATCH = 3;

    private static String program(String links, int layers) { return program(links, layers, "ncp_mixture(components = 2)"); }

    private static String program(String links, int layers, String transform) {
        return """
                use std.theories.u1
                use std.nets.cnn
                use std.gauge.{plaquette_coupling, link_mask, ncp_mixture, circular_spline}

                theory G = u1(lattice = [4, 4], beta = 1.0)

                flow gauge for G {
                    prior haar
                    repeat i in 0..%d {
                        plaquette_coupling(links = %s, transform = %s,
                                           net = cnn(hidden = [4], kernel = 3, act = leaky_relu))
                    }
                }
                """.formatted(layers, links, transform);
    }

    static CompiledFlow compile(Path dir, String source, long seed) throws IOException { return compile(dir, source, seed, 2.5); }

    static CompiledFlow compile(Path dir, String source, long seed, double scale) throws IOException {
        Path file = dir.resolve("gauge.flow");
        Files.writeString(file, source);
        Compiler.Result checked = Compiler.check(file, "gauge.flow");
        assertTrue(checked.ok(), checked.diagnostics().toString());
        IrProgram program = Compiler.lower(checked, "gauge", null).orElseThrow();
        var flow = new CompiledFlow(program, DType.F64, seed);
        // Far from the identity: the default initialisation gives transforms close to it.
        for (Tensor p : flow.parameters().all()) for (int i = 0; i < p.size(); i++) p.set(i, scale * p.get(i));
        return flow;
    }

    @TempDir
    static Path dir;

    static CompiledFlow flow, splines;

    @BeforeAll
    static void compileTheNotebookStack() throws IOException {
        flow = compile(dir, program("link_mask(mu = i % 2, offset = (i / 2) % 4)", LAYERS), 11);
        splines = compile(dir, program("link_mask(mu = i % 2, offset = (i / 2) % 4)", LAYERS, "circular_spline(bins = 4)"), 12, 1.5);
    }

    private static Tensor haar(long seed) {
        return flow.samplePrior(BATCH, new SplittableRandom(seed));
    }

    private static double[] config(Tensor t, int b) {
        int n = t.size() / t.shape().batch();
        double[] c = new double[n];
        for (int i = 0; i < n; i++) c[i] = t.get(b * n + i);
        return c;
    }

    private static double angleDistance(double a, double b) {
        double d = Math.IEEEremainder(a - b, 2 * Math.PI);
        return Math.abs(d);
    }

    private static double maxAngleDistance(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, angleDistance(a[i], b[i]));
        return max;
    }

    /** θ_μ(x) + α(x) − α(x+μ) for every configuration of the batch. */
    private static Tensor gaugeTransform(Tensor links, double[][] alpha) {
        Tensor out = links.copy();
        int volume = L * L;
        for (int b = 0; b < links.shape().batch(); b++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < L; x0++) {
                    for (int x1 = 0; x1 < L; x1++) {
                        int y0 = mu == 0 ? (x0 + 1) % L : x0, y1 = mu == 1 ? (x1 + 1) % L : x1;
                        int i = (b * 2 + mu) * volume + x0 * L + x1;
                        out.set(i, links.get(i) + alpha[b][x0 * L + x1] - alpha[b][y0 * L + y1]);
                    }
                }
            }
        }
        return out;
    }

    private static double[][] randomGauge(long seed) {
        var random = new SplittableRandom(seed);
        double[][] alpha = new double[BATCH][L * L];
        for (double[] a : alpha) for (int i = 0; i < a.length; i++) a[i] = 2 * Math.PI * random.nextDouble();
        return alpha;
    }

    @Test
    void forwardMatchesTheNotebookRecipe() {
        var notebook = new U1NotebookFlow(L, LAYERS, 2, 2, flow.parameters());
        Tensor z = haar(1);
        var out = flow.forward(z);
        for (int b = 0; b < BATCH; b++) {
            var expected = notebook.forward(config(z, b));
            double[] x = config(out.x(), b);
            assertTrue(maxAngleDistance(x, expected.links()) < 1e-9, "links of configuration " + b);
            assertEquals(expected.logDet(), out.logDet().get(b), 1e-9, "log-det of configuration " + b);
            assertTrue(Math.abs(expected.logDet()) > 0.5, "the flow should be far from volume-preserving: " + expected.logDet());
            assertTrue(maxAngleDistance(x, config(z, b)) > 0.5, "the flow should move links");
        }
    }

    @Test
    void theNotebookInverseUndoesTheCompiledForwardMap() {
        var notebook = new U1NotebookFlow(L, LAYERS, 2, 2, flow.parameters());
        Tensor z = haar(2);
        var out = flow.forward(z);
        for (int b = 0; b < BATCH; b++) {
            var back = notebook.reverse(config(out.x(), b));
            assertTrue(maxAngleDistance(back.links(), config(z, b)) < 1e-9, "z recovered for configuration " + b);
            assertEquals(-out.logDet().get(b), back.logDet(), 1e-8, "inverse log-det of configuration " + b);
        }
    }

    @Test
    void theWholeFlowIsGaugeCovariantWithAnInvariantLogDet() {
        assertCovariant(flow, "8 layers");
    }

    @Test
    void circularSplineCouplingsAreGaugeCovariantWithAnInvariantLogDet() {
        assertCovariant(splines, "8 circular-spline layers");
    }

    @Test
    void everyMaskAloneIsGaugeCovariant(@TempDir Path layerDir) throws IOException {
        for (int mu = 0; mu < 2; mu++) {
            for (int offset = 0; offset < 4; offset++) {
                var single = compile(layerDir, program("link_mask(mu = " + mu + ", offset = " + offset + ")", 1), 100 + mu * 4 + offset);
                assertCovariant(single, "mu " + mu + ", offset " + offset);
            }
        }
    }

    private static void assertCovariant(CompiledFlow f, String what) {
        Tensor z = f.samplePrior(BATCH, new SplittableRandom(3));
        double[][] alpha = randomGauge(4);
        var out = f.forward(z);
        var transformed = f.forward(gaugeTransform(z, alpha));
        Tensor expected = gaugeTransform(out.x(), alpha);
        double moved = 0;
        for (int b = 0; b < BATCH; b++) {
            assertTrue(maxAngleDistance(config(transformed.x(), b), config(expected, b)) < 1e-9, what + ": f(g·z) = g·f(z)");
            assertEquals(out.logDet().get(b), transformed.logDet().get(b), 1e-9, what + ": log-det gauge invariant");
            assertEquals(f.action(out.x()).get(b), f.action(transformed.x()).get(b), 1e-9, what + ": action gauge invariant");
            moved = Math.max(moved, maxAngleDistance(config(out.x(), b), config(z, b)));
        }
        assertTrue(moved > 0.1, what + ": the layer should move links, moved at most " + moved);
    }

    @Test
    void logDetIsTheLogOfTheNumericalJacobian() {
        assertLogDetIsTheLogOfTheNumericalJacobian(flow);
    }

    @Test
    void circularSplineLogDetIsTheLogOfTheNumericalJacobian() {
        assertLogDetIsTheLogOfTheNumericalJacobian(splines);
    }

    private static void assertLogDetIsTheLogOfTheNumericalJacobian(CompiledFlow flow) {
        Tensor z = flow.samplePrior(BATCH, new SplittableRandom(5));
        Shape one = flow.fieldShape(1);
        int n = one.size();
        double step = 1e-6;
        for (int b = 0; b < BATCH; b++) {
            Tensor single = Tensor.zeros(one, DType.F64);
            double[] c = config(z, b);
            for (int i = 0; i < n; i++) single.set(i, c[i]);
            double logDet = flow.forward(single).logDet().get(0);
            double[][] jacobian = new double[n][n];
            for (int j = 0; j < n; j++) {
                double original = single.get(j);
                single.set(j, original + step);
                Tensor plus = flow.forward(single).x();
                single.set(j, original - step);
                Tensor minus = flow.forward(single).x();
                single.set(j, original);
                // Output angles are defined modulo 2π: difference them as angles.
                for (int i = 0; i < n; i++) jacobian[i][j] = Math.IEEEremainder(plus.get(i) - minus.get(i), 2 * Math.PI) / (2 * step);
            }
            assertTrue(Math.abs(logDet) > 0.5, "the flow should be far from volume-preserving: " + logDet);
            assertEquals(Determinants.logAbsDeterminant(jacobian), logDet, 1e-5, "configuration " + b);
        }
    }
}
