package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.prior.PriorSampler;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SU(N) built-ins of {@link SuNGaugeObservables} on configurations whose answers are known by
 * hand (identity links, constant and abelian links), against U(1)'s {@link GaugeObservables} where
 * the two must agree (N = 1, and the abelian diag(e^{iθ}, e^{−iθ}) embedding), against loops
 * written in the language and lowered through the IR, and under random gauge transformations —
 * on 2D lattices and, averaged over planes, in 3D and 4D.
 */
class SuNGaugeObservablesTest {
    @TempDir
    Path dir;

    private static final int L0 = 6, L1 = 4, VOLUME = L0 * L1;

    /** Index of entry e's real (part 0) or imaginary part of U_μ(x) in the packed [count, 2·2N², L0, L1]. */
    private static int index(int n, int c, int mu, int e, int part, int x0, int x1) {
        int channel = (c * 2 + mu) * 2 * n * n + 2 * e + part;
        return (channel * L0 + Math.floorMod(x0, L0)) * L1 + Math.floorMod(x1, L1);
    }

    private static void put(float[] configs, int n, int c, int mu, int x0, int x1, double[] re, double[] im) {
        for (int e = 0; e < n * n; e++) {
            configs[index(n, c, mu, e, 0, x0, x1)] = (float) re[e];
            configs[index(n, c, mu, e, 1, x0, x1)] = (float) im[e];
        }
    }

    private static void get(float[] configs, int n, int c, int mu, int x0, int x1, double[] re, double[] im) {
        for (int e = 0; e < n * n; e++) {
            re[e] = configs[index(n, c, mu, e, 0, x0, x1)];
            im[e] = configs[index(n, c, mu, e, 1, x0, x1)];
        }
    }

    /** Links diag(e^{iθ}, e^{−iθ}) ∈ SU(2) (or e^{iθ} for N = 1) from U(1) angles [count, 2, L0, L1]. */
    private static float[] abelian(float[] angles, int count, int n) {
        float[] configs = new float[count * 2 * 2 * n * n * VOLUME];
        for (int c = 0; c < count; c++) {
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < L0; x0++) {
                    for (int x1 = 0; x1 < L1; x1++) {
                        double theta = angles[((c * 2 + mu) * L0 + x0) * L1 + x1];
                        double[] re = new double[n * n], im = new double[n * n];
                        re[0] = Math.cos(theta);
                        im[0] = Math.sin(theta);
                        if (n == 2) {
                            re[3] = Math.cos(theta);
                            im[3] = -Math.sin(theta);
                        }
                        put(configs, n, c, mu, x0, x1, re, im);
                    }
                }
            }
        }
        return configs;
    }

    @Test
    void identityLinksGiveOne() {
        for (int n : new int[] {2, 3}) {
            float[] configs = new float[2 * 2 * n * n * VOLUME];
            for (int mu = 0; mu < 2; mu++) {
                for (int x0 = 0; x0 < L0; x0++) {
                    for (int x1 = 0; x1 < L1; x1++) {
                        for (int i = 0; i < n; i++) configs[index(n, 0, mu, i * n + i, 0, x0, x1)] = 1;
                    }
                }
            }
            var gauge = new SuNGaugeObservables(List.of(L0, L1), n);
            assertEquals(2, gauge.largestLoop(), "half the smaller extent");
            assertEquals(1, gauge.polyakovLoopModulus(configs, 0), 1e-12);
            for (int k = 1; k <= gauge.largestLoop(); k++) assertEquals(1, gauge.wilsonLoop(configs, 0, k, k), 1e-12);
        }
    }

    /**
     * U₀ = exp(iασ_x) on x0 = 0, exp(iβσ_z) on x0 = 1, 1 elsewhere: every line along axis 0 has
     * (1/2) tr = cos α cos β (tr σ_xσ_z = 0). With U₁ = 1 and constant-in-x1 U₀, every loop is 1.
     */
    @Test
    void polyakovLoopIsTheTraceOfTheOrderedProduct() {
        double alpha = 0.7, beta = 1.9;
        int n = 2;
        float[] configs = new float[2 * 2 * n * n * VOLUME];
        for (int mu = 0; mu < 2; mu++) {
            for (int x0 = 0; x0 < L0; x0++) {
                for (int x1 = 0; x1 < L1; x1++) {
                    double[] re = {1, 0, 0, 1}, im = new double[4];
                    if (mu == 0 && x0 == 0) {
                        re = new double[] {Math.cos(alpha), 0, 0, Math.cos(alpha)};
                        im = new double[] {0, Math.sin(alpha), Math.sin(alpha), 0};
                    } else if (mu == 0 && x0 == 1) {
                        re = new double[] {Math.cos(beta), 0, 0, Math.cos(beta)};
                        im = new double[] {Math.sin(beta), 0, 0, -Math.sin(beta)};
                    }
                    put(configs, n, 0, mu, x0, x1, re, im);
                }
            }
        }
        var gauge = new SuNGaugeObservables(List.of(L0, L1), n);
        assertEquals(Math.abs(Math.cos(alpha) * Math.cos(beta)), gauge.polyakovLoopModulus(configs, 0), 1e-6);
        for (int k = 1; k <= 2; k++) assertEquals(1, gauge.wilsonLoop(configs, 0, k, k), 1e-6);
    }

    /**
     * A constant field strength: U₀ = 1, U₁(x) = diag(e^{iφx0}, e^{−iφx0}) with φ = 2π/L0 (periodic).
     * Each plaquette carries phase φ, so the n×n loop is cos(φn²) everywhere; the Polyakov loop is 1.
     */
    @Test
    void constantFieldStrengthGivesCosineOfTheFlux() {
        double phi = 2 * Math.PI / L0;
        float[] angles = new float[2 * VOLUME];
        for (int x0 = 0; x0 < L0; x0++) for (int x1 = 0; x1 < L1; x1++) angles[(L0 + x0) * L1 + x1] = (float) (phi * x0);
        var gauge = new SuNGaugeObservables(List.of(L0, L1), 2);
        float[] configs = abelian(angles, 1, 2);
        assertEquals(1, gauge.polyakovLoopModulus(configs, 0), 1e-6);
        assertEquals(Math.cos(phi), gauge.wilsonLoop(configs, 0, 1, 1), 1e-6);
        assertEquals(Math.cos(4 * phi), gauge.wilsonLoop(configs, 0, 2, 2), 1e-6);
        assertEquals(Math.cos(6 * phi), gauge.wilsonLoop(configs, 0, 2, 3), 1e-6);
    }

    /** For N = 1 the definitions are U(1)'s; in the SU(2) embedding Re tr/2 of a loop is U(1)'s cos. */
    @Test
    void agreesWithU1WhereTheyMustAgree() {
        int count = 3;
        var random = new SplittableRandom(5);
        float[] angles = new float[count * 2 * VOLUME];
        for (int i = 0; i < angles.length; i++) angles[i] = (float) (2 * Math.PI * random.nextDouble() * (i % 3 == 0 ? 1 : 0.3));
        var u1 = new GaugeObservables(List.of(L0, L1));
        var one = new SuNGaugeObservables(List.of(L0, L1), 1);
        var two = new SuNGaugeObservables(List.of(L0, L1), 2);
        float[] asU1 = abelian(angles, count, 1), asSu2 = abelian(angles, count, 2);
        for (int c = 0; c < count; c++) {
            assertEquals(u1.polyakovLoopModulus(angles, c), one.polyakovLoopModulus(asU1, c), 1e-5);
            for (int[] rt : new int[][] {{1, 1}, {2, 2}, {2, 1}, {3, 2}}) {
                double expected = u1.wilsonLoop(angles, c, rt[0], rt[1]);
                assertEquals(expected, one.wilsonLoop(asU1, c, rt[0], rt[1]), 1e-5);
                assertEquals(expected, two.wilsonLoop(asSu2, c, rt[0], rt[1]), 1e-5);
            }
        }
    }

    /** U_μ(x) → g(x) U_μ(x) g(x + μ̂)† with a random g(x) ∈ SU(N) per site and configuration, on the L0×L1 torus. */
    private static float[] gaugeTransform(float[] links, int n, int count, SplittableRandom random) {
        return gaugeTransform(links, n, count, new int[] {L0, L1}, random);
    }

    /**
     * On Haar-random SU(3) links: the built-in wilson_loops rows equal the loops written in the
     * language (wilson_loop_1x1 is std su3's plaquette_mean), and every built-in is unchanged by
     * a random gauge transformation.
     */
    @Test
    void builtinsMatchTheLanguageAndAreGaugeInvariant() throws IOException {
        Path file = dir.resolve("loops.flow");
        Files.writeString(file, """
                use std.theories.su3
                theory G = su3(lattice = [6, 4], beta = 5.0)
                theory Loops(lattice: shape) {
                    field U: SU(3) on links
                    action 0 * sum x { re(tr(plaquette(U, x, 0, 1))) }
                    observable w22 = mean x { re(tr(wilson_loop(U, x, 0, 1, 2, 2))) } / 3
                }
                theory W = Loops(lattice = [6, 4])
                """);
        var checked = Compiler.check(file, "loops.flow", Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        var program = checked.program().orElseThrow();
        var su3 = program.theories().get(0);
        var loops = program.theories().get(1);
        int n = 3, count = 4;
        var random = new SplittableRandom(17);
        var haar = new PriorSampler(new PriorSpec("haar", Map.of()), su3.lattice(), su3.field())
                .sample(new Shape(count, 2 * 2 * n * n, new int[] {L0, L1}), DType.F64, random);
        float[] links = new float[haar.size()];
        for (int i = 0; i < links.length; i++) links[i] = (float) haar.get(i);
        float[] transformed = gaugeTransform(links, n, count, random);

        List<String> builtins = List.of("polyakov_loop", "wilson_loops");
        Map<String, Double> before = values(Measurements.measure(su3, program.names(), links, count, concat(builtins, "plaquette_mean")));
        Map<String, Double> after = values(Measurements.measure(su3, program.names(), transformed, count, builtins));
        Map<String, Double> written = values(Measurements.measure(loops, program.names(), links, count, List.of("w22")));
        assertEquals(List.of("plaquette_mean", "polyakov_loop", "wilson_loop_1x1", "wilson_loop_2x2").stream().sorted().toList(),
                before.keySet().stream().sorted().toList());
        assertEquals(before.get("plaquette_mean"), before.get("wilson_loop_1x1"), 1e-6);
        assertEquals(written.get("w22"), before.get("wilson_loop_2x2"), 1e-6);
        // Haar links: loops and Polyakov loop are small but not zero, so invariance is not trivially 0 = 0.
        assertTrue(Math.abs(before.get("wilson_loop_1x1")) > 1e-4 && before.get("polyakov_loop") > 1e-3, before.toString());
        for (String name : after.keySet()) assertEquals(before.get(name), after.get(name), 1e-5, name + " is gauge invariant");
        // ... and a transformation that is not a gauge transformation (one link changed) does change them.
        float[] broken = links.clone();
        for (int e = 0; e < 2 * n * n; e++) broken[index(n, 0, 0, e / 2, e % 2, 0, 0)] = transformed[index(n, 0, 0, e / 2, e % 2, 0, 0)];
        Map<String, Double> changed = values(Measurements.measure(su3, program.names(), broken, count, builtins));
        assertTrue(Math.abs(changed.get("wilson_loop_1x1") - before.get("wilson_loop_1x1")) > 1e-6, "the check can fail");
    }

    /**
     * In 3D and 4D (issue 16: the built-ins were 2D only): on Haar-random SU(N) links the built-in
     * wilson_loop_1x1 equals std su$N's plaquette_mean (averaged over the planes μ < ν), the 2×2
     * row equals the loop written in the language averaged the same way, and both and the Polyakov
     * loop are unchanged by a random gauge transformation.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "SU({0}) on {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {"2; 4, 4, 4", "3; 4, 4, 2", "2; 2, 2, 2, 2", "3; 2, 2, 2, 2"})
    void builtinsInThreeAndFourDimensionsMatchTheLanguageAndAreGaugeInvariant(int n, String sizes) throws IOException {
        Path file = dir.resolve("loops" + n + sizes.replace(", ", "x") + ".flow");
        Files.writeString(file, """
                use std.theories.su$N
                theory G = su$N(lattice = [$SIZES], beta = 1.0)
                theory Loops(lattice: shape) {
                    field U: SU($N) on links
                    action 0 * sum x { sum mu < nu { re(tr(plaquette(U, x, mu, nu))) } }
                    observable w22 = mean x { mean mu < nu { re(tr(wilson_loop(U, x, mu, nu, 2, 2))) } } / $N
                }
                theory W = Loops(lattice = [$SIZES])
                """.replace("$N", String.valueOf(n)).replace("$SIZES", sizes));
        var checked = Compiler.check(file, file.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        var program = checked.program().orElseThrow();
        var theory = program.theories().get(0);
        int[] extent = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        int d = extent.length, count = 3;
        var random = new SplittableRandom(23);
        var haar = new PriorSampler(new PriorSpec("haar", Map.of()), theory.lattice(), theory.field())
                .sample(new Shape(count, d * 2 * n * n, extent), DType.F64, random);
        float[] links = new float[haar.size()];
        for (int i = 0; i < links.length; i++) links[i] = (float) haar.get(i);
        float[] transformed = gaugeTransform(links, n, count, extent, random);

        List<String> builtins = List.of("polyakov_loop", "wilson_loops");
        Map<String, Double> before = values(Measurements.measure(theory, program.names(), links, count, concat(builtins, "plaquette_mean")));
        Map<String, Double> after = values(Measurements.measure(theory, program.names(), transformed, count, builtins));
        assertEquals(before.get("plaquette_mean"), before.get("wilson_loop_1x1"), 1e-6);
        if (before.containsKey("wilson_loop_2x2")) {
            Map<String, Double> written = values(Measurements.measure(program.theories().get(1), program.names(), links, count, List.of("w22")));
            assertEquals(written.get("w22"), before.get("wilson_loop_2x2"), 1e-6);
        }
        assertTrue(before.get("polyakov_loop") > 1e-3, before.toString());
        for (String name : after.keySet()) assertEquals(before.get(name), after.get(name), 1e-5, name + " is gauge invariant");
    }

    /** In 3D and 4D U(1)'s loops are still SU(N)'s at N = 1: random angles, e^{iθ} links. */
    @Test
    void agreesWithU1InThreeAndFourDimensions() {
        var random = new SplittableRandom(29);
        for (int[] extent : new int[][] {{4, 3, 4}, {2, 4, 2, 4}}) {
            int d = extent.length, volume = 1, count = 2;
            for (int e : extent) volume *= e;
            float[] angles = new float[count * d * volume], asU1 = new float[count * d * 2 * volume];
            for (int c = 0; c < count; c++) {
                for (int mu = 0; mu < d; mu++) {
                    for (int x = 0; x < volume; x++) {
                        double theta = 2 * Math.PI * random.nextDouble() * (mu == 0 ? 0.2 : 1);
                        angles[(c * d + mu) * volume + x] = (float) theta;
                        asU1[((c * d + mu) * 2) * volume + x] = (float) Math.cos(theta);
                        asU1[((c * d + mu) * 2 + 1) * volume + x] = (float) Math.sin(theta);
                    }
                }
            }
            List<Integer> lattice = java.util.Arrays.stream(extent).boxed().toList();
            var u1 = new GaugeObservables(lattice);
            var one = new SuNGaugeObservables(lattice, 1);
            for (int c = 0; c < count; c++) {
                assertEquals(u1.polyakovLoopModulus(angles, c), one.polyakovLoopModulus(asU1, c), 1e-5);
                for (int k = 1; k <= u1.largestLoop(); k++) assertEquals(u1.wilsonLoop(angles, c, k, k), one.wilsonLoop(asU1, c, k, k), 1e-5);
            }
        }
    }

    /** U_μ(x) → g(x) U_μ(x) g(x + μ̂)† on a lattice of any dimension, g(x) random in SU(N). */
    private static float[] gaugeTransform(float[] links, int n, int count, int[] extent, SplittableRandom random) {
        float[] out = links.clone();
        int nn = n * n, d = extent.length, volume = 1;
        for (int e : extent) volume *= e;
        for (int c = 0; c < count; c++) {
            double[][] gr = new double[volume][nn], gi = new double[volume][nn];
            for (int s = 0; s < volume; s++) {
                double[] ar = new double[nn], ai = new double[nn];
                for (int e = 0; e < nn; e++) {
                    ar[e] = 2 * random.nextGaussian();
                    ai[e] = 2 * random.nextGaussian();
                }
                SuNAlgebra.projectToAlgebra(n, ar, ai);
                SuNAlgebra.exp(n, ar, ai, gr[s], gi[s]);
            }
            double[] ur = new double[nn], ui = new double[nn], tr = new double[nn], ti = new double[nn], vr = new double[nn], vi = new double[nn];
            for (int mu = 0; mu < d; mu++) {
                for (int here = 0; here < volume; here++) {
                    int[] x = GaugeObservables.coordinates(extent, here);
                    x[mu]++;
                    int there = GaugeObservables.site(extent, x);
                    int base = (c * d + mu) * 2 * nn;
                    for (int e = 0; e < nn; e++) {
                        ur[e] = links[(base + 2 * e) * volume + here];
                        ui[e] = links[(base + 2 * e + 1) * volume + here];
                    }
                    SuNAlgebra.multiply(n, gr[here], gi[here], ur, ui, tr, ti);
                    SuNAlgebra.multiplyAdjoint(n, tr, ti, gr[there], gi[there], vr, vi);
                    for (int e = 0; e < nn; e++) {
                        out[(base + 2 * e) * volume + here] = (float) vr[e];
                        out[(base + 2 * e + 1) * volume + here] = (float) vi[e];
                    }
                }
            }
        }
        return out;
    }

    private static List<String> concat(List<String> a, String b) {
        var out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static Map<String, Double> values(Measurements.Report report) {
        Map<String, Double> out = new HashMap<>();
        report.results().forEach(r -> out.put(r.name(), r.value()));
        return out;
    }
}
