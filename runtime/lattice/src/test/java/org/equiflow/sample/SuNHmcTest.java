package org.equiflow.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.physics.FieldBehaviour;
import org.equiflow.physics.FieldBehaviours;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HMC on SU(N) links moves on the group with the right force: the force the behaviour projects
 * from the compiler's gradient is minus the derivative of the compiled action along
 * U → exp(εX)U for random algebra directions X (finite differences), the leapfrog's energy
 * error shrinks as ε², and trajectories keep every link in SU(N).
 */
class SuNHmcTest {
    @TempDir
    Path dir;

    static CheckedProgram program(Path dir, int n, int size, double beta) throws IOException {
        Path script = dir.resolve("su" + n + ".flow");
        Files.writeString(script, "use std.theories.su" + n + "\ntheory G = su" + n + "(lattice = [" + size + ", " + size
                + "], beta = " + beta + ")\n");
        var checked = Compiler.check(script, script.getFileName().toString(), Map.of());
        assertTrue(checked.ok(), checked.diagnostics().toString());
        return checked.program().orElseThrow();
    }

    /** A random configuration far from the identity: the cold start moved along a random algebra element. */
    static Tensor randomLinks(FieldBehaviour behaviour, Tensor cold, SplittableRandom random) {
        Tensor u = cold.copy();
        behaviour.drift(u, behaviour.momentum(cold.shape(), random), 1.3);
        return u;
    }

    private static double inner(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.get(i) * b.get(i);
        return s;
    }

    @ParameterizedTest(name = "SU({0})")
    @ValueSource(ints = {2, 3})
    void forceIsMinusTheDerivativeOfTheActionAlongTheAlgebra(int n) throws IOException {
        CheckedProgram program = program(dir, n, 4, 3.0);
        TheoryInstance theory = program.theories().get(0);
        FieldBehaviour behaviour = FieldBehaviours.of(theory.field());
        var hmc = new Hmc(theory, program.names(), 3, 5);
        var random = new SplittableRandom(17);
        Tensor u = randomLinks(behaviour, hmc.field(), random);
        Tensor force = hmc.force(u);
        for (int trial = 0; trial < 3; trial++) {
            Tensor direction = behaviour.momentum(u.shape(), random);
            double h = 1e-4;
            Tensor plus = u.copy(), minus = u.copy();
            behaviour.drift(plus, direction, h);
            behaviour.drift(minus, direction, -h);
            double[] sPlus = hmc.action(plus), sMinus = hmc.action(minus);
            double numeric = 0;
            for (int b = 0; b < sPlus.length; b++) numeric += (sPlus[b] - sMinus[b]) / (2 * h);
            double analytic = -inner(force, direction);
            assertEquals(numeric, analytic, 1e-6 * (1 + Math.abs(numeric)), "dS/dε along exp(εX)U: finite differences vs the force");
            assertTrue(Math.abs(numeric) > 1e-2, "a random direction changes the action: " + numeric);
        }
        // The force lies in the algebra: traceless anti-Hermitian on every link.
        assertEquals(0, antiHermitianDefect(force, n), 1e-12);
    }

    /** max |F + F†| and |tr F| over the links of a packed field. */
    private static double antiHermitianDefect(Tensor f, int n) {
        int block = 2 * n * n, sites = f.shape().sites(), matrices = f.shape().batch() * f.shape().channels() / block;
        double worst = 0;
        for (int m = 0; m < matrices; m++) {
            for (int x = 0; x < sites; x++) {
                double trRe = 0, trIm = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double aRe = f.get((m * block + 2 * (i * n + j)) * sites + x), aIm = f.get((m * block + 2 * (i * n + j) + 1) * sites + x);
                        double bRe = f.get((m * block + 2 * (j * n + i)) * sites + x), bIm = f.get((m * block + 2 * (j * n + i) + 1) * sites + x);
                        worst = Math.max(worst, Math.hypot(aRe + bRe, aIm - bIm));
                    }
                    trRe += f.get((m * block + 2 * (i * n + i)) * sites + x);
                    trIm += f.get((m * block + 2 * (i * n + i) + 1) * sites + x);
                }
                worst = Math.max(worst, Math.hypot(trRe, trIm));
            }
        }
        return worst;
    }

    /** max |U U† − 1| and |det U − 1| over the links. */
    private static double groupDefect(Tensor u, int n) {
        int block = 2 * n * n, sites = u.shape().sites(), matrices = u.shape().batch() * u.shape().channels() / block;
        double worst = 0;
        for (int m = 0; m < matrices; m++) {
            for (int x = 0; x < sites; x++) {
                double[][] re = new double[n][n], im = new double[n][n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        re[i][j] = u.get((m * block + 2 * (i * n + j)) * sites + x);
                        im[i][j] = u.get((m * block + 2 * (i * n + j) + 1) * sites + x);
                    }
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double r = 0, s = 0;
                        for (int k = 0; k < n; k++) {
                            r += re[i][k] * re[j][k] + im[i][k] * im[j][k];
                            s += im[i][k] * re[j][k] - re[i][k] * im[j][k];
                        }
                        worst = Math.max(worst, Math.hypot(r - (i == j ? 1 : 0), s));
                    }
                }
                double[] det = determinant(re, im);
                worst = Math.max(worst, Math.hypot(det[0] - 1, det[1]));
            }
        }
        return worst;
    }

    /** The determinant of a complex matrix by Laplace expansion (n ≤ 3 here). */
    private static double[] determinant(double[][] re, double[][] im) {
        int n = re.length;
        if (n == 1) return new double[] {re[0][0], im[0][0]};
        double dr = 0, di = 0;
        for (int c = 0; c < n; c++) {
            double[][] mr = new double[n - 1][n - 1], mi = new double[n - 1][n - 1];
            for (int i = 1; i < n; i++) {
                for (int j = 0, k = 0; j < n; j++) {
                    if (j == c) continue;
                    mr[i - 1][k] = re[i][j];
                    mi[i - 1][k++] = im[i][j];
                }
            }
            double[] minor = determinant(mr, mi);
            double sign = c % 2 == 0 ? 1 : -1;
            dr += sign * (re[0][c] * minor[0] - im[0][c] * minor[1]);
            di += sign * (re[0][c] * minor[1] + im[0][c] * minor[0]);
        }
        return new double[] {dr, di};
    }

    @ParameterizedTest(name = "SU({0})")
    @ValueSource(ints = {2, 3})
    void leapfrogEnergyErrorShrinksAsTheSquareOfTheStepAndLinksStayInTheGroup(int n) throws IOException {
        CheckedProgram program = program(dir, n, 4, 2.0 * n);
        TheoryInstance theory = program.theories().get(0);
        FieldBehaviour behaviour = FieldBehaviours.of(theory.field());
        int chains = 8;
        var hmc = new Hmc(theory, program.names(), chains, 9);
        var random = new SplittableRandom(23);
        Tensor u = randomLinks(behaviour, hmc.field(), random);
        Tensor p = behaviour.momentum(u.shape(), random);
        double[] h0 = hmc.hamiltonian(u, p);
        double[] errors = new double[2];
        double length = 0.5;
        for (int k = 0; k < 2; k++) {
            int steps = 5 << k;
            Tensor x = u.copy(), q = p.copy();
            hmc.integrate(x, q, length / steps, steps, Hmc.Integrator.LEAPFROG);
            double[] h1 = hmc.hamiltonian(x, q);
            for (int b = 0; b < chains; b++) errors[k] += Math.abs(h1[b] - h0[b]) / chains;
            assertEquals(0, groupDefect(x, n), 1e-12, "links stay in SU(" + n + ")");
            assertEquals(0, antiHermitianDefect(q, n), 1e-12, "momenta stay in su(" + n + ")");
        }
        double ratio = errors[0] / errors[1];
        assertTrue(errors[0] > 1e-6 && ratio > 3.2 && ratio < 4.8,
                "halving ε should quarter |ΔH|: " + errors[0] + " → " + errors[1] + " (ratio " + ratio + ")");
        // The momenta: ⟨−tr π²⟩ = ⟨Σ packed components²⟩ = N² − 1 per link.
        double squares = 0;
        for (int i = 0; i < p.size(); i++) squares += p.get(i) * p.get(i);
        long degrees = behaviour.momentumDegrees(p.shape()) * chains;
        assertEquals(1, squares / degrees, 5 * Math.sqrt(2.0 / degrees), "Σπ² has the expectation of N² − 1 normals per link");
    }
}
