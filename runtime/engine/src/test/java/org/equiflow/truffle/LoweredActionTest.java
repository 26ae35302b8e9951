package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ir.FreeField;
import org.equiflow.compiler.model.Lattice;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.equiflow.truffle.nodes.Parameters;

/**
 * The actions and prior densities the compiler lowers from .flow source, executed by the
 * Truffle tree, against the same formulas written out directly here: φ⁴ in 2D and 3D in all
 * three standard conventions, the U(1) Wilson action, and the free-field prior whose
 * normalisation is checked against a determinant computed by elimination.
 */
class LoweredActionTest {
    @TempDir
    Path dir;

    private CompiledFlow compile(String theory, String instance, String prior) throws IOException {
        Path file = dir.resolve("t.flow");
        Files.writeString(file, "use std.theories." + theory + "\nuse std.nets.cnn\nuse std.masks.checkerboard\n"
                + "theory T = " + instance + "\n"
                + "flow f for T {\n  prior " + prior + "\n  affine(mask = checkerboard(), net = cnn(hidden = [2]))\n}\n");
        var checked = Compiler.check(file, "t.flow", Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        return new CompiledFlow(Compiler.lower(checked, "f", null).orElseThrow(), DType.F64, 3);
    }

    private static Tensor random(Shape shape, long seed) {
        return Tensor.randn(shape, DType.F64, new SplittableRandom(seed));
    }

    /** φ at a lattice site with periodic wrapping, for the direct formulas. */
    private static double at(Tensor phi, int b, int[] sizes, int[] x) {
        int site = 0;
        for (int d = 0; d < sizes.length; d++) site = site * sizes[d] + Math.floorMod(x[d], sizes[d]);
        return phi.get(b * phi.shape().sites() * phi.shape().channels() + site);
    }

    private interface SiteTerm { double at(Tensor phi, int b, int[] sizes, int[] x); }

    private static double sumSites(Tensor phi, int b, int[] sizes, SiteTerm term) {
        int volume = 1;
        for (int s : sizes) volume *= s;
        double total = 0;
        int[] x = new int[sizes.length];
        for (int site = 0; site < volume; site++) {
            int rest = site;
            for (int d = sizes.length - 1; d >= 0; d--) { x[d] = rest % sizes[d]; rest /= sizes[d]; }
            total += term.at(phi, b, sizes, x);
        }
        return total;
    }

    private static double neighbour(Tensor phi, int b, int[] sizes, int[] x, int mu, int step) {
        int[] y = x.clone();
        y[mu] += step;
        return at(phi, b, sizes, y);
    }

    @Test
    void notebookPhi4In2dAnd3d() throws IOException {
        for (int[] sizes : new int[][] {{4, 6}, {4, 4, 2}}) {
            String lattice = java.util.Arrays.toString(sizes);
            CompiledFlow flow = compile("phi4", "phi4(lattice = " + lattice + ", m2 = -1.3, lambda = 0.7)", "normal()");
            Tensor phi = random(flow.fieldShape(3), 11);
            Tensor s = flow.action(phi);
            for (int b = 0; b < 3; b++) {
                double expected = sumSites(phi, b, sizes, (p, c, L, x) -> {
                    double v = at(p, c, L, x), kinetic = 0;
                    for (int mu = 0; mu < L.length; mu++) kinetic += 2 * v - neighbour(p, c, L, x, mu, 1) - neighbour(p, c, L, x, mu, -1);
                    return v * kinetic - 1.3 * v * v + 0.7 * v * v * v * v;
                });
                assertEquals(expected, s.get(b), 1e-10 * Math.abs(expected), "lattice " + lattice + " config " + b);
            }
        }
    }

    @Test
    void standardAndHoppingConventions() throws IOException {
        int[] sizes = {4, 4};
        CompiledFlow standard = compile("phi4_standard", "phi4_standard(lattice = [4, 4], m2 = 0.5, lambda = 0.25)", "normal()");
        CompiledFlow hopping = compile("phi4_hopping", "phi4_hopping(lattice = [4, 4], beta = 0.4, lambda = 1.1)", "normal()");
        Tensor phi = random(standard.fieldShape(2), 5);
        for (int b = 0; b < 2; b++) {
            double expectedStandard = sumSites(phi, b, sizes, (p, c, L, x) -> {
                double v = at(p, c, L, x), kinetic = 0;
                for (int mu = 0; mu < 2; mu++) kinetic += Math.pow(neighbour(p, c, L, x, mu, 1) - v, 2);
                return 0.5 * kinetic + 0.25 * v * v + 0.25 * Math.pow(v, 4);
            });
            double expectedHopping = sumSites(phi, b, sizes, (p, c, L, x) -> {
                double v = at(p, c, L, x), hop = 0;
                for (int mu = 0; mu < 2; mu++) hop += neighbour(p, c, L, x, mu, 1);
                return -0.4 * v * hop + v * v + 1.1 * Math.pow(v * v - 1, 2);
            });
            assertEquals(expectedStandard, standard.action(phi).get(b), 1e-10 * Math.abs(expectedStandard));
            assertEquals(expectedHopping, hopping.action(phi).get(b), 1e-10 * Math.abs(expectedHopping));
        }
    }

    @Test
    void normalPriorIsTheNormalisedGaussian() throws IOException {
        CompiledFlow flow = compile("phi4", "phi4(lattice = [4, 4], m2 = 1.0, lambda = 0.0)", "normal(sigma = 0.5)");
        Tensor z = random(flow.fieldShape(2), 2);
        for (int b = 0; b < 2; b++) {
            double expected = 0;
            for (int i = 0; i < 16; i++) {
                double v = z.get(b * 16 + i);
                expected += -v * v / (2 * 0.25) - Math.log(0.5 * Math.sqrt(2 * Math.PI));
            }
            assertEquals(expected, flow.logPrior(z).get(b), 1e-10 * Math.abs(expected));
        }
    }

    @Test
    void freeFieldPriorIsNormalisedByTheDeterminantOfItsQuadraticForm() throws IOException {
        int[] sizes = {4, 2};
        double m2 = 0.7;
        CompiledFlow flow = compile("phi4", "phi4(lattice = [4, 2], m2 = 1.0, lambda = 0.0)", "free_field(m2 = " + m2 + ")");
        // K = −Δ + m2 as a dense matrix; log q(z) = −½ zᵀKz + ½ log det(K / 2π).
        int volume = 8;
        double[][] k = new double[volume][volume];
        for (int site = 0; site < volume; site++) {
            int x0 = site / 2, x1 = site % 2;
            k[site][site] += m2 + 2 * sizes.length;
            for (int[] n : new int[][] {{x0 + 1, x1}, {x0 - 1, x1}, {x0, x1 + 1}, {x0, x1 - 1}}) {
                k[site][Math.floorMod(n[0], 4) * 2 + Math.floorMod(n[1], 2)] -= 1;
            }
        }
        double logDet = logDeterminant(k, 1 / (2 * Math.PI));
        assertEquals(0.5 * logDet, FreeField.logNormalization(new Lattice(java.util.List.of(4, 2)), m2), 1e-10);
        Tensor z = random(flow.fieldShape(2), 8);
        for (int b = 0; b < 2; b++) {
            double quadratic = 0;
            for (int i = 0; i < volume; i++) for (int j = 0; j < volume; j++) quadratic += z.get(b * volume + i) * k[i][j] * z.get(b * volume + j);
            double expected = -0.5 * quadratic + 0.5 * logDet;
            assertEquals(expected, flow.logPrior(z).get(b), 1e-9 * Math.abs(expected));
        }
    }

    /** log det(scale·A) by Gaussian elimination with partial pivoting. */
    private static double logDeterminant(double[][] a, double scale) {
        int n = a.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = a[i].clone();
            for (int j = 0; j < n; j++) m[i][j] *= scale;
        }
        double log = 0;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
            double[] tmp = m[c]; m[c] = m[pivot]; m[pivot] = tmp;
            log += Math.log(Math.abs(m[c][c]));
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int j = c; j < n; j++) m[r][j] -= f * m[c][j];
            }
        }
        return log;
    }

    @Test
    void u1WilsonActionFromPlaquetteAngles() throws IOException {
        Path file = dir.resolve("u1.flow");
        Files.writeString(file, "use std.theories.u1\ntheory G = u1(lattice = [4, 4], beta = 1.7)\n");
        var checked = Compiler.check(file, "u1.flow", Map.of());
        assertTrue(checked.ok());
        // U(1) flows do not run yet, so the action is lowered on its own, as HMC does.
        var theory = checked.program().orElseThrow().theories().get(0);
        var action = org.equiflow.compiler.ir.Lowering.lowerAction(theory, checked.program().orElseThrow().names());
        var target = IrTranslator.translate(action, new Parameters(), DType.F64);
        Tensor theta = Tensor.zeros(new Shape(2, 2, 4, 4), DType.F64);
        var random = new SplittableRandom(4);
        for (int i = 0; i < theta.size(); i++) theta.set(i, (2 * random.nextDouble() - 1) * Math.PI);
        Tensor s = ((Tensor[]) target.call(theta))[0];
        for (int b = 0; b < 2; b++) {
            double expected = 0;
            for (int x0 = 0; x0 < 4; x0++) for (int x1 = 0; x1 < 4; x1++) {
                double p = link(theta, b, 0, x0, x1) + link(theta, b, 1, x0 + 1, x1) - link(theta, b, 0, x0, x1 + 1) - link(theta, b, 1, x0, x1);
                expected += -1.7 * Math.cos(p);
            }
            assertEquals(expected, s.get(b), 1e-10 * Math.abs(expected));
        }
    }

    private static double link(Tensor theta, int b, int mu, int x0, int x1) {
        return theta.get(((b * 2 + mu) * 4 + Math.floorMod(x0, 4)) * 4 + Math.floorMod(x1, 4));
    }
}
