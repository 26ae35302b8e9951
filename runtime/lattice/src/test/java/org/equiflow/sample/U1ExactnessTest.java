package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.equiflow.compiler.Compiler;
import org.equiflow.physics.GaugeObservables;
import org.equiflow.physics.U1Exact;
import org.equiflow.stats.Autocorrelation;
import org.equiflow.tensor.DType;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactness of 2D U(1) on a 4×4 torus at β = 1, against the exact torus formulas of
 * {@link U1Exact} (Bessel-function sums, docs/physics-checks.md), not against ourselves:
 * HMC on the compiled Wilson action, and a briefly trained gauge-equivariant flow followed by
 * independence Metropolis, each reproduce ⟨cos P⟩ and ⟨Q²⟩ within 3σ. The flow also on 6×6,
 * where 4 does not divide the size and the plaquette masks are repaired at the wrap-around.
 */
class U1ExactnessTest {
    private static final double BETA = 1.0;
    private static final int L = 4, VOLUME = L * L;
    private static final String FLOW = """
            use std.theories.u1
            use std.nets.cnn
            use std.gauge.{plaquette_coupling, link_mask, ncp_mixture}
            theory G = u1(lattice = [SIZE, SIZE], beta = 1.0)
            flow gauge for G {
                prior haar
                repeat i in 0..8 {
                    plaquette_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4),
                                       transform = ncp_mixture(components = 2),
                                       net = cnn(hidden = [8, 8], kernel = 3, act = leaky_relu))
                }
            }
            """;

    @TempDir
    Path dir;

    private Compiler.Result check(int size) throws IOException {
        Path script = dir.resolve("u1.flow");
        Files.writeString(script, FLOW.replace("SIZE", Integer.toString(size)));
        var checked = Compiler.check(script, "u1.flow", Map.of());
        assertTrue(checked.ok(), checked.diagnostics().toString());
        return checked;
    }

    private static String compare(String what, double value, double error, double exact, StringBuilder failures) {
        double pull = (value - exact) / error;
        String line = String.format("%s: %.5f ± %.5f, exact %.5f, pull %+.2f%n", what, value, error, exact, pull);
        if (!(Math.abs(pull) < 3)) failures.append(line);
        return line;
    }

    @Test
    void hmcReproducesTheExactPlaquetteAndTopologicalSusceptibility() throws IOException {
        var checked = check(L);
        var program = checked.program().orElseThrow();
        int chains = 32, thermalize = 50, trajectories = 300;
        var hmc = new Hmc(program.theories().get(0), program.names(), chains, 41);
        var gauge = new GaugeObservables(List.of(L, L));
        double[][] cos = new double[chains][trajectories], q2 = new double[chains][trajectories];
        int accepted = 0;
        for (int k = 0; k < thermalize + trajectories; k++) {
            int a = hmc.trajectory(0.2, 8);
            if (k < thermalize) continue;
            accepted += a;
            float[] configs = new float[chains * 2 * VOLUME];
            for (int i = 0; i < configs.length; i++) configs[i] = (float) hmc.field().get(i);
            for (int c = 0; c < chains; c++) {
                cos[c][k - thermalize] = gauge.plaquetteMean(configs, c);
                double q = gauge.topologicalCharge(configs, c);
                q2[c][k - thermalize] = q * q;
            }
        }
        // Independent chains: the error of the mean from the spread of the chains' means.
        StringBuilder failures = new StringBuilder();
        String report = "HMC acceptance " + (double) accepted / (chains * trajectories) + "\n"
                + compare("<cos P>", mean(chainMeans(cos)), standardError(chainMeans(cos)), U1Exact.plaquette(BETA, VOLUME), failures)
                + compare("<Q^2>", mean(chainMeans(q2)), standardError(chainMeans(q2)), U1Exact.topologicalChargeSquared(BETA, VOLUME), failures);
        System.out.print(report);
        assertTrue(failures.isEmpty(), report);
    }

    @ParameterizedTest(name = "{0}×{0}")
    @ValueSource(ints = {4, 6})
    void trainedFlowPlusMetropolisReproducesTheExactPlaquetteAndTopologicalSusceptibility(int size) throws IOException {
        int volume = size * size;
        var checked = check(size);
        var program = checked.program().orElseThrow();
        var flow = new CompiledFlow(Compiler.lower(checked, "gauge", null).orElseThrow(), DType.F32, 5);
        var trainer = new Trainer(flow, Trainer.adamFor(flow, 1e-3), 6);
        for (int step = 0; step < 150; step++) trainer.step(step, 64);
        int count = 1 << 14;
        var chain = IndependenceMetropolis.run(new Proposals(flow, 7), count, 1024, 8, null);
        var gauge = new GaugeObservables(List.of(size, size));
        double[] cos = new double[count], q2 = new double[count];
        for (int c = 0; c < count; c++) {
            cos[c] = gauge.plaquetteMean(chain.configs(), c);
            double q = gauge.topologicalCharge(chain.configs(), c);
            q2[c] = q * q;
        }
        var a = Autocorrelation.gamma(cos);
        var b = Autocorrelation.gamma(q2);
        StringBuilder failures = new StringBuilder();
        String report = size + "×" + size + " flow acceptance " + chain.acceptance() + "\n"
                + compare("<cos P>", a.mean(), a.error(), U1Exact.plaquette(BETA, volume), failures)
                + compare("<Q^2>", b.mean(), b.error(), U1Exact.topologicalChargeSquared(BETA, volume), failures);
        System.out.print(report);
        assertTrue(chain.acceptance() > 0.05, "the trained flow should be a usable proposal:\n" + report);
        assertTrue(failures.isEmpty(), report);
    }

    private static double[] chainMeans(double[][] series) {
        double[] m = new double[series.length];
        for (int c = 0; c < series.length; c++) m[c] = mean(series[c]);
        return m;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    private static double standardError(double[] x) {
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / (x.length - 1) / x.length);
    }
}
