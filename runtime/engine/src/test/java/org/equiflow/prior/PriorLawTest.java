package org.equiflow.prior;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.ir.PriorDensities;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.compiler.model.PriorSpec;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The law of every registered prior: its samples have the distribution whose density the
 * compiled {@code log_prior} describes. One row per prior in {@link #LAWS}; a prior registered
 * without a row fails {@link #everyRegisteredPriorHasALaw}.
 */
class PriorLawTest {
    private static final Map<String, Consumer<String>> LAWS = new LinkedHashMap<>();

    static {
        LAWS.put("normal", PriorLawTest::normalHasMeanZeroAndVarianceSigmaSquared);
        LAWS.put("free_field", PriorLawTest::freeFieldHasTheInverseQuadraticFormAsCovariance);
        LAWS.put("haar", name -> {
            haarIsUniformOnTheCircle(name);
            haarOnSuNLinksDrawsHaarMatrices(name);
        });
    }

    /** The field of the site priors' laws. */
    private static final FieldSpec SITES = new FieldSpec("phi", FieldSpec.Kind.REAL, 1);

    @TestFactory
    List<DynamicTest> everyRegisteredPriorObeysItsLaw() {
        return Priors.names().stream().filter(LAWS::containsKey)
                .map(name -> DynamicTest.dynamicTest(name, () -> LAWS.get(name).accept(name))).toList();
    }

    @Test
    void everyRegisteredPriorHasALaw() {
        assertEquals(new TreeSet<>(Priors.names()), new TreeSet<>(LAWS.keySet()), "one law row per prior in Priors");
    }

    /** The sampler, the lowered density and check's table of what runs list the same priors. */
    @Test
    void samplersDensitiesAndRuntimeSupportAgree() {
        assertEquals(new TreeSet<>(RuntimeSupport.PRIORS), new TreeSet<>(Priors.names()), "samplers vs RuntimeSupport.PRIORS");
        assertEquals(new TreeSet<>(RuntimeSupport.PRIORS), new TreeSet<>(PriorDensities.names()), "densities vs RuntimeSupport.PRIORS");
    }

    private static void normalHasMeanZeroAndVarianceSigmaSquared(String name) {
        double sigma = 0.45;
        var sampler = new PriorSampler(new PriorSpec(name, Map.of("sigma", sigma)), new Lattice(List.of(4, 4)), SITES);
        Tensor z = sampler.sample(new Shape(4000, 1, 4, 4), DType.F64, new SplittableRandom(1));
        double sum = 0, squares = 0, fourth = 0;
        for (int i = 0; i < z.size(); i++) {
            double v = z.get(i);
            sum += v;
            squares += v * v;
            fourth += v * v * v * v;
        }
        int n = z.size();
        // 64000 samples: mean error σ/√N; variance relative error √(2/N) ≈ 0.56%; E z⁴ = 3σ⁴ with relative error √(32/3N).
        assertEquals(0, sum / n, 5 * sigma / Math.sqrt(n), "mean");
        assertEquals(sigma * sigma, squares / n, 5 * sigma * sigma * Math.sqrt(2.0 / n), "variance");
        assertEquals(3 * Math.pow(sigma, 4), fourth / n, 5 * 3 * Math.pow(sigma, 4) * Math.sqrt(32.0 / (3 * n)), "fourth moment");
    }

    private static void freeFieldHasTheInverseQuadraticFormAsCovariance(String name) {
        int l0 = 4, l1 = 3, volume = l0 * l1;
        double m2 = 0.6;
        var sampler = new PriorSampler(new PriorSpec(name, Map.of("m2", m2)), new Lattice(List.of(l0, l1)), SITES);
        int n = 40_000;
        Tensor z = sampler.sample(new Shape(n, 1, l0, l1), DType.F64, new SplittableRandom(2));
        double[][] k = new double[volume][volume];
        for (int site = 0; site < volume; site++) {
            int x0 = site / l1, x1 = site % l1;
            k[site][site] += m2 + 4;
            for (int[] nb : new int[][] {{x0 + 1, x1}, {x0 - 1, x1}, {x0, x1 + 1}, {x0, x1 - 1}}) {
                k[site][Math.floorMod(nb[0], l0) * l1 + Math.floorMod(nb[1], l1)] -= 1;
            }
        }
        double[][] covariance = invert(k);
        for (int i : new int[] {0, 5, 11}) {
            for (int j : new int[] {0, 1, 4, 7}) {
                double sum = 0;
                for (int c = 0; c < n; c++) sum += z.get(c * volume + i) * z.get(c * volume + j);
                double expected = covariance[i][j];
                double scale = Math.sqrt(covariance[i][i] * covariance[j][j] + expected * expected);
                assertEquals(expected, sum / n, 5 * scale / Math.sqrt(n), "covariance (" + i + ", " + j + ")");
            }
        }
    }

    /**
     * Uniform on [−π, π): every value in range, E cos kθ = E sin kθ = 0 for k = 1, 2, 3 (each
     * with variance ½ per sample), and E θ² = π²/3.
     */
    private static void haarIsUniformOnTheCircle(String name) {
        var sampler = new PriorSampler(new PriorSpec(name, Map.of()), new Lattice(List.of(4, 4)), new FieldSpec("U", FieldSpec.Kind.U1, 1));
        Tensor z = sampler.sample(new Shape(2000, 2, 4, 4), DType.F64, new SplittableRandom(3));
        int n = z.size();
        double[] cos = new double[4], sin = new double[4];
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double theta = z.get(i);
            assertTrue(theta >= -Math.PI && theta < Math.PI, "angle " + theta + " outside [−π, π)");
            squares += theta * theta;
            for (int k = 1; k <= 3; k++) {
                cos[k] += Math.cos(k * theta);
                sin[k] += Math.sin(k * theta);
            }
        }
        double tolerance = 5 * Math.sqrt(0.5 / n);
        for (int k = 1; k <= 3; k++) {
            assertEquals(0, cos[k] / n, tolerance, "E cos " + k + "θ");
            assertEquals(0, sin[k] / n, tolerance, "E sin " + k + "θ");
        }
        // Var θ² = E θ⁴ − (E θ²)² = π⁴/5 − π⁴/9.
        assertEquals(Math.PI * Math.PI / 3, squares / n, 5 * Math.sqrt(Math.pow(Math.PI, 4) * (1 / 5.0 - 1 / 9.0) / n), "E θ²");
    }

    /**
     * On SU(3) links `haar` draws Haar matrices (SuNHaarPriorTest checks them in depth): in the
     * packed layout, E tr U = 0 and E |tr U|² = 1, the class moments of the Haar measure.
     */
    private static void haarOnSuNLinksDrawsHaarMatrices(String name) {
        int n = 3, block = 2 * n * n;
        var sampler = new PriorSampler(new PriorSpec(name, Map.of()), new Lattice(List.of(4, 4)), new FieldSpec("U", FieldSpec.Kind.SUN, n));
        Tensor u = sampler.sample(new Shape(500, 2 * block, 4, 4), DType.F64, new SplittableRandom(4));
        int sites = 16, links = 500 * 2 * sites;
        double re = 0, im = 0, squared = 0;
        for (int m = 0; m < 500 * 2; m++) {
            for (int x = 0; x < sites; x++) {
                double r = 0, s = 0;
                for (int i = 0; i < n; i++) {
                    r += u.get((m * block + 2 * (i * n + i)) * sites + x);
                    s += u.get((m * block + 2 * (i * n + i) + 1) * sites + x);
                }
                re += r;
                im += s;
                squared += r * r + s * s;
            }
        }
        assertEquals(0, re / links, 5 * Math.sqrt(0.5 / links), "E Re tr U");
        assertEquals(0, im / links, 5 * Math.sqrt(0.5 / links), "E Im tr U");
        assertEquals(1, squared / links, 5 * Math.sqrt(1.0 / links), "E |tr U|²");
    }

    private static double[][] invert(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
            double[] t = m[c]; m[c] = m[pivot]; m[pivot] = t;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) m[c][j] /= d;
            for (int r = 0; r < n; r++) {
                if (r == c) continue;
                double f = m[r][c];
                for (int j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inverse[i], 0, n);
        return inverse;
    }
}
