package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.equiflow.compiler.Compiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * U(1) observables two ways: written in the language (plaquettes, `arg`, rectangular
 * `wilson_loop`s lowered link by link) and computed directly by {@link GaugeObservables} (Wilson
 * loops from the plaquettes they enclose, by Stokes). Also: Q is an integer on the torus, and
 * every observable is gauge invariant.
 */
class GaugeObservablesTest {
    @TempDir
    Path dir;

    private static final int L0 = 6, L1 = 4, COUNT = 5;

    private static float[] randomLinks(long seed) {
        var random = new SplittableRandom(seed);
        float[] configs = new float[COUNT * 2 * L0 * L1];
        // Small fluctuations around a smooth background, so that Q ≠ 0 occurs and loops are not all ≈ 0.
        for (int i = 0; i < configs.length; i++) configs[i] = (float) (2 * Math.PI * random.nextDouble() * (i % 3 == 0 ? 1 : 0.3));
        return configs;
    }

    private static float[] gaugeTransform(float[] links, long seed) {
        var random = new SplittableRandom(seed);
        float[] out = links.clone();
        for (int c = 0; c < COUNT; c++) {
            double[] alpha = new double[L0 * L1];
            for (int i = 0; i < alpha.length; i++) alpha[i] = 2 * Math.PI * random.nextDouble();
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < L0; x0++) {
                    for (int x1 = 0; x1 < L1; x1++) {
                        int y0 = mu == 0 ? (x0 + 1) % L0 : x0, y1 = mu == 1 ? (x1 + 1) % L1 : x1;
                        int i = ((c * 2 + mu) * L0 + x0) * L1 + x1;
                        out[i] = (float) (links[i] + alpha[x0 * L1 + x1] - alpha[y0 * L1 + y1]);
                    }
                }
            }
        }
        return out;
    }

    /** A U(1) theory whose observables are written in the language: a plaquette, two rectangular loops and Q. */
    private static final String LOOPS = """
                theory loops(lattice: shape, beta: real) {
                    field U: U(1) on links
                    action -beta * sum x { sum mu < nu { re(plaquette(U, x, mu, nu)) } }
                    symmetry gauge
                    observable plaquette = mean x { re(plaquette(U, x, 0, 1)) }
                    observable w21 = mean x { re(wilson_loop(U, x, 0, 1, 2, 1)) }
                    observable w23 = mean x { re(wilson_loop(U, x, 0, 1, 2, 3)) }
                    observable charge = sum x { arg(plaquette(U, x, 0, 1)) } / (2 * pi)
                }
                theory G = loops(lattice = [6, 4], beta = 1.0)
                """;

    /** The script checked, with no diagnostics. */
    private org.equiflow.compiler.check.CheckedProgram checked(String name, String source) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, source);
        var checked = Compiler.check(file, name, Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        return checked.program().orElseThrow();
    }

    @Test
    void observablesInTheLanguageMatchTheDirectFormulasAndAreGaugeInvariant() throws IOException {
        var program = checked("w.flow", LOOPS);
        var theory = program.theories().get(0);
        var gauge = new GaugeObservables(List.of(L0, L1));
        float[] links = randomLinks(3);
        for (float[] configs : List.of(links, gaugeTransform(links, 4))) {
            var report = Measurements.measure(theory, program.names(), configs, COUNT, List.of("plaquette", "w21", "w23", "charge",
                    "topological_susceptibility", "wilson_loops", "polyakov_loop"));
            Map<String, Double> measured = new java.util.HashMap<>();
            report.results().forEach(r -> measured.put(r.name(), r.value()));
            double plaquette = 0, w21 = 0, w23 = 0, charge = 0, q2 = 0, polyakov = 0;
            for (int c = 0; c < COUNT; c++) {
                double q = gauge.topologicalCharge(links, c);
                assertEquals(Math.rint(q), q, 1e-4, "Q is an integer on the torus");
                plaquette += gauge.plaquetteMean(links, c) / COUNT;
                w21 += gauge.wilsonLoop(links, c, 2, 1) / COUNT;
                w23 += gauge.wilsonLoop(links, c, 2, 3) / COUNT;
                charge += q / COUNT;
                q2 += q * q / COUNT;
                polyakov += gauge.polyakovLoopModulus(links, c) / COUNT;
            }
            assertTrue(q2 > 0, "the random configurations should carry charge");
            assertEquals(plaquette, measured.get("plaquette"), 1e-5);
            assertEquals(w21, measured.get("w21"), 1e-5);
            assertEquals(w23, measured.get("w23"), 1e-5);
            assertEquals(charge, measured.get("charge"), 1e-5);
            assertEquals(q2, measured.get("topological_charge_squared"), 1e-4);
            assertEquals(q2 / (L0 * L1), measured.get("topological_susceptibility"), 1e-5);
            assertEquals(plaquette, measured.get("wilson_loop_1x1"), 1e-5);
            assertEquals(polyakov, measured.get("polyakov_loop"), 1e-5);
        }
    }

    /**
     * A chain's observables written in the language are evaluated once per distinct state (a rejected proposal repeats
     * the state before it) and keep the bits of evaluating each configuration by itself, across the batches of 1024.
     */
    @Test
    void observablesInTheLanguageOnAChainWithRepeatsHaveTheBitsOfEachConfigurationAlone() throws IOException {
        var program = checked("chain.flow", LOOPS);
        var theory = program.theories().get(0);
        int links = 2 * L0 * L1, count = 2500;
        var random = new SplittableRandom(17);
        float[] chain = new float[count * links];
        int states = 0;
        for (int c = 0; c < count; c++) {
            boolean repeat = c > 0 && random.nextDouble() < 0.4;
            if (!repeat) states++;
            for (int i = 0; i < links; i++) {
                chain[c * links + i] = repeat ? chain[(c - 1) * links + i] : (float) (2 * Math.PI * random.nextDouble());
            }
        }
        assertTrue(states > 1024, "the distinct states should fill more than one batch: " + states);
        for (var observable : theory.observables()) {
            double[] series = Measurements.evaluate(theory, program.names(), observable, chain, count, 2);
            for (int c = 0; c < count; c++) {
                float[] alone = java.util.Arrays.copyOfRange(chain, c * links, (c + 1) * links);
                double expected = Measurements.evaluate(theory, program.names(), observable, alone, 1, 2)[0];
                assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(series[c]),
                        observable.name() + " of configuration " + c + ": " + expected + " vs " + series[c]);
            }
        }
    }

    /**
     * The Wilson loop walks its rectangle by neighbour tables: the same links in the same order as
     * a walk by coordinates (the definition, written out here), so the same bits, on 2–4D lattices of
     * unequal extents and rectangles R ≠ T that wrap around the torus.
     */
    @Test
    void wilsonLoopsByNeighbourTablesAreTheCoordinateWalkBitForBit() {
        for (List<Integer> lattice : List.of(List.of(6, 4), List.of(3, 5, 4), List.of(2, 3, 4, 3))) {
            int[] sizes = lattice.stream().mapToInt(Integer::intValue).toArray();
            int volume = 1;
            for (int size : sizes) volume *= size;
            var random = new SplittableRandom(lattice.size());
            float[] configs = new float[2 * sizes.length * volume];
            for (int i = 0; i < configs.length; i++) configs[i] = (float) (2 * Math.PI * random.nextDouble());
            var observables = new GaugeObservables(lattice);
            for (int c = 0; c < 2; c++) {
                for (int[] rt : new int[][] {{1, 1}, {2, 1}, {1, 3}, {3, 2}, {5, 4}}) {
                    assertEquals(coordinateWalk(configs, sizes, volume, c, rt[0], rt[1]), observables.wilsonLoop(configs, c, rt[0], rt[1]),
                            0.0, lattice + " " + rt[0] + "x" + rt[1]);
                }
            }
        }
    }

    private static double coordinateWalk(float[] configs, int[] sizes, int volume, int c, int r, int t) {
        double sum = 0;
        int planes = 0;
        for (int mu = 0; mu < sizes.length; mu++) {
            for (int nu = mu + 1; nu < sizes.length; nu++) {
                planes++;
                for (int site = 0; site < volume; site++) {
                    int[] x = GaugeObservables.coordinates(sizes, site);
                    double phase = 0;
                    for (int a = 0; a < r; a++, x[mu]++) phase += configs[(c * sizes.length + mu) * volume + GaugeObservables.site(sizes, x)];
                    for (int b = 0; b < t; b++, x[nu]++) phase += configs[(c * sizes.length + nu) * volume + GaugeObservables.site(sizes, x)];
                    for (int a = 0; a < r; a++) {
                        x[mu]--;
                        phase -= configs[(c * sizes.length + mu) * volume + GaugeObservables.site(sizes, x)];
                    }
                    for (int b = 0; b < t; b++) {
                        x[nu]--;
                        phase -= configs[(c * sizes.length + nu) * volume + GaugeObservables.site(sizes, x)];
                    }
                    sum += Math.cos(phase);
                }
            }
        }
        return sum / ((double) volume * planes);
    }
}
