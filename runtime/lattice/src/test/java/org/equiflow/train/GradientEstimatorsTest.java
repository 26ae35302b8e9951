package org.equiflow.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every registered loss is an unbiased estimator of the exact gradient of KL(q‖p), checked on a
 * problem where that gradient is computable: a free scalar field on the 2×2 torus (φ⁴ at λ = 0, a
 * Gaussian target) and a flow of two affine couplings with tanh conditioners from a standard
 * normal prior. KL(q‖p) = E_z[log r(z) − log|det J(z)| + S(f(z))] + ln Z over z ~ N(0, 1)⁴, so its
 * exact gradient is E_z[∇θ(−log|det J| + S∘f)], a smooth four-dimensional Gaussian integral:
 * Gauss–Hermite quadrature with 14⁴ nodes (checked against 10⁴ nodes). Each estimator's mean over
 * 160 independent batches of 128 must agree with it within its standard error, parameter by
 * parameter.
 */
class GradientEstimatorsTest {
    @TempDir
    static Path dir;

    private static CompiledFlow flow;
    private static double[] exact;

    private static final String SCRIPT = """
            use std.theories.phi4
            use std.nets.cnn
            use std.masks.checkerboard

            theory T = phi4(lattice = [2, 2], m2 = 1.5, lambda = 0.0)

            flow f for T {
                prior normal()
                affine(mask = checkerboard(parity = 0), net = cnn(hidden = [3], kernel = 1, act = tanh, out_act = tanh))
                affine(mask = checkerboard(parity = 1), net = cnn(hidden = [3], kernel = 1, act = tanh, out_act = tanh))
            }
            """;

    @BeforeAll
    static void compileAndIntegrate() throws IOException {
        Path file = dir.resolve("gaussian.flow");
        Files.writeString(file, SCRIPT);
        Compiler.Result checked = Compiler.check(file, file.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        FlowModel model = checked.program().orElseThrow().flows().get(0);
        flow = new CompiledFlow(Compiler.lower(checked, model.name(), null).orElseThrow(), DType.F64, 3);
        // away from the initialisation's near-identity map, so that every gradient component is sizeable
        for (Tensor p : flow.parameters().all()) for (int i = 0; i < p.size(); i++) p.set(i, 2.5 * p.get(i));
        exact = quadrature(14);
        double[] coarse = quadrature(10);
        for (int i = 0; i < exact.length; i++) {
            assertTrue(Math.abs(exact[i] - coarse[i]) < 1e-6 * (1 + Math.abs(exact[i])),
                    "quadrature converged: component " + i + " " + exact[i] + " against " + coarse[i] + " with fewer nodes");
        }
    }

    /** E_z[∇θ(log r − log|det J| + S∘f)] by the product Gauss–Hermite rule with {@code n} nodes per site. */
    private static double[] quadrature(int n) {
        double[][] rule = gaussHermite(n);
        int sites = 4, points = (int) Math.pow(n, sites);
        Tensor z = Tensor.zeros(flow.fieldShape(points), DType.F64);
        Tensor weights = Tensor.zeros(Shape.perConfiguration(points, 1), DType.F64);
        for (int k = 0; k < points; k++) {
            double w = 1;
            for (int s = 0, rest = k; s < sites; s++, rest /= n) {
                z.set(k * sites + s, rule[0][rest % n]);
                w *= rule[1][rest % n];
            }
            weights.set(k, w * points); // meanOverBatch divides by the number of points
        }
        return gradient(() -> {
            CompiledFlow.Forward out = flow.forward(z);
            return Ops.mul(weights, Ops.add(flow.logDensity(z, out), flow.action(out.x())));
        });
    }

    /**
     * Nodes and weights of the Gauss–Hermite rule for the standard normal density (probabilists'
     * Hermite polynomials He_n): the n roots of He_n, bracketed by its sign changes on a fine grid
     * over (−√(4n+2) − 1, √(4n+2) + 1), which holds them all, and bisected to rounding; weights
     * ∝ 1/He_{n−1}(x)², normalised to sum 1.
     */
    static double[][] gaussHermite(int n) {
        double[] x = new double[n], w = new double[n];
        double bound = Math.sqrt(4.0 * n + 2) + 1, step = 2 * bound / 20000;
        int found = 0;
        for (double a = -bound; a < bound && found < n; a += step) {
            double b = a + step;
            if (Math.signum(hermite(n, a)[0]) == Math.signum(hermite(n, b)[0])) continue;
            double lo = a, hi = b;
            for (int iteration = 0; iteration < 200 && hi - lo > 1e-15; iteration++) {
                double mid = (lo + hi) / 2;
                if (Math.signum(hermite(n, mid)[0]) == Math.signum(hermite(n, lo)[0])) lo = mid;
                else hi = mid;
            }
            x[found] = (lo + hi) / 2;
            double previous = hermite(n, x[found])[1];
            w[found++] = 1 / (previous * previous);
        }
        if (found != n) throw new IllegalStateException("found " + found + " of " + n + " Gauss–Hermite nodes");
        double total = 0;
        for (double v : w) total += v;
        for (int i = 0; i < n; i++) w[i] /= total;
        return new double[][] {x, w};
    }

    /** (He_n(x), He_{n−1}(x)) by the recurrence He_{k+1} = x He_k − k He_{k−1}. */
    private static double[] hermite(int n, double x) {
        double previous = 1, current = x;
        for (int k = 1; k < n; k++) {
            double next = x * current - k * previous;
            previous = current;
            current = next;
        }
        return new double[] {current, previous};
    }

    /** The gradient of the batch mean of {@code objective} with respect to every parameter, flattened in name order. */
    private static double[] gradient(java.util.function.Supplier<Tensor> objective) {
        try (Tape tape = Tape.open()) {
            tape.backward(Ops.meanOverBatch(objective.get()));
        }
        List<Double> g = new ArrayList<>();
        for (String name : flow.parameterNames()) {
            Tensor p = flow.parameters().get(name);
            for (int i = 0; i < p.size(); i++) g.add(p.grad() == null ? 0.0 : p.grad().get(i));
            p.zeroGrad();
        }
        return g.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reverse_kl", "path_gradient", "reinforce"})
    void everyLossIsAnUnbiasedEstimatorOfTheExactKlGradient(String name) {
        Loss loss = Losses.named(name);
        CompiledFlow frozen = flow.withFrozenParameters();
        flow.refreshFrozen(frozen);
        SplittableRandom random = new SplittableRandom(name.hashCode());
        int batches = 160, batch = 128;
        double[] sum = new double[exact.length], sumSquares = new double[exact.length];
        for (int k = 0; k < batches; k++) {
            Tensor z = flow.samplePrior(batch, random);
            double[] g = gradient(() -> loss.evaluate(flow, frozen, z).objective());
            for (int i = 0; i < g.length; i++) {
                sum[i] += g[i];
                sumSquares[i] += g[i] * g[i];
            }
        }
        double worst = 0, chiSquare = 0, meanError = 0;
        int compared = 0;
        for (int i = 0; i < exact.length; i++) {
            double mean = sum[i] / batches, error = Math.sqrt(Math.max(0, sumSquares[i] / batches - mean * mean) / (batches - 1));
            if (!(error > 1e-12)) {
                // a parameter the loss does not depend on here (its gradient is 0 in every batch)
                assertTrue(Math.abs(mean - exact[i]) < 1e-9, name + ": component " + i + " is " + mean + ", exactly " + exact[i]);
                continue;
            }
            compared++;
            double pull = (mean - exact[i]) / error;
            worst = Math.max(worst, Math.abs(pull));
            chiSquare += pull * pull;
            meanError += error;
        }
        meanError /= compared;
        System.out.printf("%s: %d of %d components compared, χ²/dof = %.2f, largest |pull| %.2f, mean standard error of a batch-of-%d gradient %.3g%n",
                name, compared, exact.length, chiSquare / compared, worst, batch, meanError * Math.sqrt(batches));
        assertTrue(compared >= exact.length / 2, name + ": only " + compared + " components vary");
        assertTrue(worst < 4.5, name + ": a component is " + worst + " standard errors from the exact gradient");
        assertTrue(chiSquare / compared < 1.6, name + ": χ²/dof " + chiSquare / compared);
    }

    /** The frozen copy gives no gradient to the trained parameters: the path gradient's score term is really dropped. */
    @Test
    void thePathGradientDiffersFromTheReparametrisedOneBatchByBatch() {
        CompiledFlow frozen = flow.withFrozenParameters();
        flow.refreshFrozen(frozen);
        Tensor z = flow.samplePrior(64, new SplittableRandom(9));
        double[] reparametrised = gradient(() -> Losses.named("reverse_kl").evaluate(flow, frozen, z).objective());
        double[] path = gradient(() -> Losses.named("path_gradient").evaluate(flow, frozen, z).objective());
        double difference = 0, size = 0;
        for (int i = 0; i < path.length; i++) {
            difference = Math.max(difference, Math.abs(path[i] - reparametrised[i]));
            size = Math.max(size, Math.abs(path[i]));
        }
        assertTrue(difference > 1e-3 * size, "the two estimators should differ on a batch, by the score term: " + difference);
    }
}
