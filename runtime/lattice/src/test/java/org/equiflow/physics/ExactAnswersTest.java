package org.equiflow.physics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.truffle.api.CallTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.ir.IrPasses;
import org.equiflow.compiler.ir.Lowering;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.equiflow.truffle.IrTranslator;
import org.equiflow.truffle.nodes.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every row of {@link ExactAnswers} against an independent evaluation of each value it claims.
 * The free field: the quadratic form A of the standard library's own compiled action (S = φᵀAφ at
 * λ = 0, read off by evaluating S on unit vectors), its covariance (2A)⁻¹ by Gauss-Jordan
 * inversion, and each measurement's definition summed over that matrix — no Fourier sums. U(1):
 * direct integration over the plaquette angles of small tori with the constraint imposed by
 * hand, and the infinite-volume area law. A row added without a case here fails the table test.
 */
class ExactAnswersTest {
    @TempDir
    Path dir;

    private record Compiled(TheoryInstance theory, Resolution names) {}

    private Compiled compile(String source) throws IOException {
        Path script = dir.resolve("t" + System.nanoTime() + ".flow");
        Files.writeString(script, source);
        var checked = Compiler.check(script, script.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().toString());
        var program = checked.program().orElseThrow();
        return new Compiled(program.theories().get(0), program.names());
    }

    private ExactAnswer known(TheoryInstance theory) {
        var lookup = ExactAnswers.of(theory);
        return assertInstanceOf(ExactAnswers.Known.class, lookup, () -> lookup.toString()).answer();
    }

    @Test
    void everyRowOfTheRegistryIsCheckedHere() {
        Set<String> checked = Set.of("std.theories.phi4", "std.theories.phi4_standard", "std.theories.u1", "std.theories.su2",
                "std.theories.su3");
        Set<String> rows = new TreeSet<>();
        ExactAnswers.rows().forEach(r -> rows.add(r.theory()));
        assertEquals(new TreeSet<>(checked), rows, "each registered exact answer needs its independent check in this class");
    }

    @Test
    void phi4FreeFieldMatchesTheCovarianceOfItsCompiledAction() throws IOException {
        var compiled = compile("use std.theories.phi4\ntheory T = phi4(lattice = [4, 3], m2 = 0.7, lambda = 0.0)\n");
        checkFreeField(compiled, known(compiled.theory()));
    }

    @Test
    void phi4StandardFreeFieldMatchesTheCovarianceOfItsCompiledActionIn3D() throws IOException {
        var compiled = compile("use std.theories.phi4_standard\ntheory T = phi4_standard(lattice = [4, 2, 3], m2 = 1.3, lambda = 0.0)\n");
        checkFreeField(compiled, known(compiled.theory()));
    }

    /** Each value the answer claims, recomputed from the covariance matrix of the compiled action. */
    private static void checkFreeField(Compiled compiled, ExactAnswer answer) {
        List<Integer> lattice = compiled.theory().lattice().sizes();
        int volume = (int) compiled.theory().lattice().volume(), extent = lattice.get(0), slice = volume / extent;
        double[] linear = new double[volume];
        double[][] form = quadraticForm(compiled, linear);
        double[][] covariance = new double[volume][volume];
        for (int i = 0; i < volume; i++) for (int j = 0; j < volume; j++) covariance[i][j] = 2 * form[i][j];
        covariance = inverse(covariance);
        // e^{−φᵀAφ − bᵀφ} has mean −(2A)⁻¹b.
        double meanField = 0;
        for (int i = 0; i < volume; i++) for (int j = 0; j < volume; j++) meanField -= covariance[i][j] * linear[j] / volume;
        double trace = 0, total = 0, firstMomentum = 0;
        double[] correlator = new double[extent];
        for (int i = 0; i < volume; i++) {
            trace += covariance[i][i];
            for (int j = 0; j < volume; j++) {
                int dt = Math.floorMod(j / slice - i / slice, extent);
                total += covariance[i][j];
                firstMomentum += covariance[i][j] * Math.cos(2 * Math.PI * dt / extent);
                correlator[dt] += covariance[i][j] / volume;
            }
        }
        double m2 = total / ((double) volume * volume); // ⟨m²⟩, m Gaussian with this variance
        Map<String, Double> independent = new LinkedHashMap<>();
        independent.put("magnetization", meanField);
        independent.put("abs_magnetization", gaussianMoment(m2, 1));
        independent.put("phi2", trace / volume);
        independent.put("susceptibility", total / volume);
        independent.put("binder_cumulant", 1 - gaussianMoment(m2, 4) / (3 * gaussianMoment(m2, 2) * gaussianMoment(m2, 2)));
        independent.put("correlation_length", ScalarObservables.secondMomentLength(total / volume, firstMomentum / volume, extent));
        assertEquals(independent.keySet(), answer.values().keySet(), "every claimed observable has an independent value");
        answer.values().forEach((name, value) -> assertEquals(independent.get(name), value, 1e-9 * (1 + Math.abs(value)), name));
        double[] exact = answer.correlator();
        assertEquals(extent, exact.length);
        for (int t = 0; t < extent; t++) assertEquals(correlator[t], exact[t], 1e-10, "G(" + t + ")");
        double[] mass = answer.effectiveMass();
        assertTrue(Double.isFinite(mass[1]) && mass[1] > 0, "m_eff(1) of the exact free correlator exists");
    }

    /** A with S(φ) = φᵀAφ + bᵀφ + S(0), from the compiled action on 0, ±eᵢ and eᵢ + eⱼ; b into {@code linear}. */
    private static double[][] quadraticForm(Compiled compiled, double[] linear) {
        var theory = compiled.theory();
        int[] sizes = theory.lattice().sizes().stream().mapToInt(Integer::intValue).toArray();
        int v = linear.length;
        CallTarget action = IrTranslator.translate(IrPasses.optimize(Lowering.lowerAction(theory, compiled.names())), new Parameters(), DType.F64);
        // Batch: 0, then +eᵢ, then −eᵢ, then eᵢ + eⱼ (i < j).
        int pairs = v * (v - 1) / 2, batch = 1 + 2 * v + pairs;
        Tensor probes = Tensor.zeros(new Shape(batch, 1, sizes), DType.F64);
        for (int i = 0; i < v; i++) {
            probes.set((1 + i) * v + i, 1);
            probes.set((1 + v + i) * v + i, -1);
        }
        int k = 1 + 2 * v;
        for (int i = 0; i < v; i++) for (int j = i + 1; j < v; j++, k++) {
            probes.set(k * v + i, 1);
            probes.set(k * v + j, 1);
        }
        Tensor s = ((Tensor[]) action.call(probes))[0];
        double s0 = s.get(0);
        double[][] a = new double[v][v];
        for (int i = 0; i < v; i++) {
            double plus = s.get(1 + i) - s0, minus = s.get(1 + v + i) - s0;
            a[i][i] = (plus + minus) / 2;
            linear[i] = (plus - minus) / 2;
        }
        k = 1 + 2 * v;
        for (int i = 0; i < v; i++) for (int j = i + 1; j < v; j++, k++) {
            a[i][j] = a[j][i] = (s.get(k) - s0 - linear[i] - linear[j] - a[i][i] - a[j][j]) / 2;
        }
        return a;
    }

    private static double[][] inverse(double[][] matrix) {
        int n = matrix.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
            double[] swap = m[col]; m[col] = m[pivot]; m[pivot] = swap;
            double p = m[col][col];
            for (int c = 0; c < 2 * n; c++) m[col][c] /= p;
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = m[r][col];
                for (int c = 0; c < 2 * n; c++) m[r][c] -= f * m[col][c];
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(m[i], n, inverse[i], 0, n);
        return inverse;
    }

    /** ⟨|m|^power⟩ of a centred Gaussian of the given variance, by Simpson's rule over ±12σ. */
    private static double gaussianMoment(double variance, int power) {
        double sigma = Math.sqrt(variance), h = 24 * sigma / 20000, sum = 0;
        for (int k = 0; k <= 20000; k++) {
            double m = -12 * sigma + k * h;
            double f = Math.pow(Math.abs(m), power) * Math.exp(-m * m / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
            sum += f * (k == 0 || k == 20000 ? 1 : k % 2 == 1 ? 4 : 2);
        }
        return sum * h / 3;
    }

    @Test
    void u1OnTheSmallestTorusMatchesDirectIntegrationOverItsPlaquettes() throws IOException {
        double beta = 1.1;
        var compiled = compile("use std.theories.u1\ntheory G = u1(lattice = [2, 2], beta = " + beta + ")\n");
        var answer = known(compiled.theory());
        // Four plaquette angles, three free and the fourth fixed by Σφ ≡ 0 (mod 2π); Q = Σ φ / 2π.
        int n = 160;
        double h = 2 * Math.PI / n, z = 0, cos = 0, q = 0, q2 = 0;
        for (int i = 0; i < n; i++) {
            double a = -Math.PI + (i + 0.5) * h;
            for (int j = 0; j < n; j++) {
                double b = -Math.PI + (j + 0.5) * h;
                for (int l = 0; l < n; l++) {
                    double c = -Math.PI + (l + 0.5) * h;
                    double d = GaugeObservables.wrap(-a - b - c);
                    double w = Math.exp(beta * (Math.cos(a) + Math.cos(b) + Math.cos(c) + Math.cos(d)));
                    double charge = (a + b + c + d) / (2 * Math.PI);
                    z += w;
                    cos += w * (Math.cos(a) + Math.cos(b) + Math.cos(c) + Math.cos(d)) / 4;
                    q += w * charge;
                    q2 += w * charge * charge;
                }
            }
        }
        Map<String, Double> independent = new LinkedHashMap<>();
        independent.put("plaquette_mean", cos / z);
        independent.put("topological_charge", q / z);
        independent.put("topological_charge_squared", q2 / z);
        independent.put("topological_susceptibility", q2 / z / 4);
        independent.put("wilson_loop_1x1", cos / z);
        assertEquals(independent.keySet(), answer.values().keySet(), "every claimed observable has an independent value");
        // The wrap of the fourth angle makes Q² piecewise: the midpoint rule converges only like 1/n there.
        answer.values().forEach((name, value) -> assertEquals(independent.get(name), value, 2e-3 * (1 + Math.abs(value)), name));
        assertEquals(cos / z, answer.values().get("plaquette_mean"), 1e-6, "the smooth integrand converges fast");
        assertEquals(0, answer.correlator().length, "no exact correlator for a gauge field");
    }

    @Test
    void u1WilsonLoopsOnTheTorus() {
        // Three plaquettes, loop around two of them: ⟨cos(a + b)⟩ with c = −a − b (mod 2π).
        double beta = 0.9;
        int n = 1200;
        double h = 2 * Math.PI / n, z = 0, loop = 0;
        for (int i = 0; i < n; i++) {
            double a = -Math.PI + (i + 0.5) * h;
            for (int j = 0; j < n; j++) {
                double b = -Math.PI + (j + 0.5) * h;
                double c = GaugeObservables.wrap(-a - b);
                double w = Math.exp(beta * (Math.cos(a) + Math.cos(b) + Math.cos(c)));
                z += w;
                loop += w * Math.cos(a + b);
            }
        }
        assertEquals(loop / z, U1Exact.wilsonLoop(beta, 3, 2), 1e-6);
        // Large volume: the area law W(A) = (I₁/I₀)^A.
        assertEquals(Math.pow(U1Exact.plaquetteInfiniteVolume(2.0), 4), U1Exact.wilsonLoop(2.0, 4096, 4), 1e-12);
        assertEquals(U1Exact.plaquette(1.7, 64), U1Exact.wilsonLoop(1.7, 64, 1), 1e-13, "a 1×1 loop is the plaquette");
    }

    @Test
    void u1RowsOfAnEightByEightTorusAreTheUnitLoopsUpToHalfTheLattice() throws IOException {
        var answer = known(compile("use std.theories.u1\ntheory G = u1(lattice = [8, 8], beta = 2.0)\n").theory());
        assertEquals(Set.of("plaquette_mean", "topological_charge", "topological_charge_squared", "topological_susceptibility",
                "wilson_loop_1x1", "wilson_loop_2x2", "wilson_loop_3x3", "wilson_loop_4x4"), answer.values().keySet());
        double w1 = answer.values().get("wilson_loop_1x1"), w2 = answer.values().get("wilson_loop_2x2");
        assertTrue(w2 < w1 && w2 > 0, "larger loops are smaller");
    }

    /** The SU(N) built-in wilson_loops' rows, n = 1 … ⌊min(L₀, L₁)/2⌋; no row for the Polyakov loop. */
    @Test
    void suNRowsAreTheUnitLoopsUpToHalfTheLattice() throws IOException {
        var answer = known(compile("use std.theories.su3\ntheory G = su3(lattice = [8, 6], beta = 5.0)\n").theory());
        assertEquals(Set.of("plaquette_mean", "wilson_loop_1x1", "wilson_loop_2x2", "wilson_loop_3x3"), answer.values().keySet());
        var exact = new SuNTorusExact(3, 5.0);
        assertEquals(answer.values().get("plaquette_mean"), answer.values().get("wilson_loop_1x1"), 1e-12, "a 1×1 loop is the plaquette");
        assertEquals(exact.wilsonLoop(9, 48), answer.values().get("wilson_loop_3x3"), 0);
        double w1 = answer.values().get("wilson_loop_1x1"), w2 = answer.values().get("wilson_loop_2x2"), w3 = answer.values().get("wilson_loop_3x3");
        assertTrue(w3 < w2 && w2 < w1 && w3 > 0, "larger loops are smaller");
    }

    /** The golden values of issue 16 (computed independently of SuNTorusExact), reached through the standard theories. */
    @Test
    void suNTheoriesGetTheGoldenTorusPlaquette() throws IOException {
        var su2 = known(compile("use std.theories.su2\ntheory G = su2(lattice = [4, 4], beta = 2.2)\n").theory());
        assertEquals(0.4644805497, su2.values().get("plaquette_mean"), 1e-10);
        var su3 = known(compile("use std.theories.su3\ntheory G = su3(lattice = [16, 16], beta = 6.0)\n").theory());
        assertEquals(0.4225317396, su3.values().get("plaquette_mean"), 1e-10);
        assertUnknown("use std.theories.su3\ntheory G = su3(lattice = [4, 4, 4], beta = 5.0)\n", "2D only");
        assertUnknown("use std.theories.su2\ntheory G = su2(lattice = [4, 4], beta = 30.0)\n", "outside (0, 20");
    }

    @Test
    void outsideTheSolvedRangeThereIsNoAnswerAndTheReasonSaysWhy() throws IOException {
        assertUnknown("use std.theories.phi4\ntheory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)\n", "λ");
        assertUnknown("use std.theories.phi4\ntheory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 0.0)\n", "m²");
        assertUnknown("use std.theories.u1\ntheory G = u1(lattice = [4, 4], beta = 25.0)\n", "outside (0, 20");
        assertUnknown("use std.theories.u1\ntheory G = u1(lattice = [4, 4, 4], beta = 1.0)\n", "2D only");
        assertUnknown("use std.theories.phi4_hopping\ntheory T = phi4_hopping(lattice = [4, 4], beta = 0.1, lambda = 0.0)\n",
                "no exact solution");
        var tiny = ExactAnswers.of(new StandardTheory("u1", Map.of("beta", 1.0), List.of(1, 3)));
        assertTrue(tiny instanceof ExactAnswers.Unknown u && u.reason().contains("at least 4 plaquettes"), tiny.toString());
        // A theory of the user's that merely reuses a standard name is not the standard one.
        assertUnknown("""
                theory phi4(lattice: shape, m2: real, lambda: real) {
                    field phi: real on sites
                    action sum x { m2 * phi[x]^2 }
                }
                theory T = phi4(lattice = [4, 4], m2 = 1.0, lambda = 0.0)
                """, "not a theory of std.theories");
    }

    private void assertUnknown(String source, String reasonContains) throws IOException {
        var lookup = ExactAnswers.of(compile(source).theory());
        var unknown = assertInstanceOf(ExactAnswers.Unknown.class, lookup, () -> lookup.toString());
        assertTrue(unknown.reason().contains(reasonContains), unknown.reason());
    }
}
