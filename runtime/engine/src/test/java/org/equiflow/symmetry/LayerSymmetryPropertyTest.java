package org.equiflow.symmetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.equiflow.compiler.model.LayerSpec;
import org.equiflow.compiler.model.Parity;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.NetSymmetry;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checker's verdicts against the maps themselves, for every standard-library net, layer,
 * mask and prior the runtime executes: random fields (float64, 4×4), the sign flip and every
 * lattice shift. Where the checker says a symmetry holds, f(g·z) = g·f(z) and the log-det is
 * invariant to rounding; where it says it does not, the same random inputs give a
 * counterexample far above rounding.
 */
class LayerSymmetryPropertyTest {
    @TempDir
    static Path dir;

    static final String HEADER = """
            use std.theories.phi4
            use std.nets.{cnn, conv}
            use std.masks.{checkerboard, stripes}

            theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)

            """;

    /** The prelude's activations the runtime implements (log is left out: it needs positive input). */
    static final List<String> ACTIVATIONS = List.of("identity", "tanh", "sin", "abs", "cos", "square", "exp", "sigmoid",
            "relu", "leaky_relu");

    static List<String> nets() {
        List<String> nets = new ArrayList<>();
        for (String a : ACTIVATIONS) {
            nets.add("cnn(hidden = [3], act = " + a + ", bias = false)");
            nets.add("cnn(hidden = [3], act = " + a + ", bias = true)");
            nets.add(a + "(cnn(hidden = [3], act = tanh, bias = false))");
            nets.add("conv(bias = false) >> " + a);
        }
        nets.add("cnn()");
        nets.add("cnn(hidden = [3, 3], act = tanh, out_act = tanh, bias = false)");
        nets.add("cnn(hidden = [3], act = abs, out_act = leaky_relu, bias = true)");
        nets.add("conv(channels = 2, bias = true) >> abs >> conv(bias = true)");
        nets.add("conv(channels = 2, bias = false) >> cos >> conv(bias = true) >> tanh");
        return nets;
    }

    private static int counter = 0;

    private static SymmetryProbe flow(String body, long seed) {
        return SymmetryProbe.compile(dir, "probe" + counter++, HEADER + "flow f for T {\n    prior normal()\n" + body + "\n}\n", seed);
    }

    /**
     * A net's parity is visible through one affine coupling: with only a shift t, the layer is
     * Z2 equivariant iff t is odd; with only a scale s, iff s is even (and then Σ s is invariant).
     */
    @TestFactory
    Stream<DynamicTest> netParityMatchesTheMap() {
        return nets().stream().map(net -> DynamicTest.dynamicTest(net, () -> {
            var random = new SplittableRandom(net.hashCode());
            var shiftOnly = flow("    affine(mask = checkerboard(), shift = " + net + ")", 3);
            var scaleOnly = flow("    affine(mask = checkerboard(), scale = " + net + ")", 4);
            Parity parity = NetSymmetry.parity(((LayerSpec.Affine) shiftOnly.model.layers().get(0)).shift()).parity();
            Tensor z = shiftOnly.randomField(4, random);
            double odd = shiftOnly.signFlipDefect(z), even = scaleOnly.signFlipDefect(z);
            assertVerdict(parity == Parity.ODD, odd, "checker says " + parity + ": shift-only coupling, |f(−z) + f(z)|");
            assertVerdict(parity == Parity.EVEN, even, "checker says " + parity + ": scale-only coupling, |f(−z) + f(z)|");
            assertEquals(parity == Parity.ODD, shiftOnly.analysis.of("z2").holds());
            assertEquals(parity == Parity.EVEN, scaleOnly.analysis.of("z2").holds());
        }));
    }

    static final List<String> MASKS = List.of("checkerboard(parity = 0)", "checkerboard(parity = 1)", "stripes(axis = 0)",
            "stripes(axis = 1, period = 4, offset = 1)", "stripes(axis = 0, period = 4, offset = 3)");

    static final List<String> LAYERS = List.of(
            "affine(mask = M, net = cnn(hidden = [3]))",
            "affine(mask = M, net = cnn(hidden = [3], act = tanh, bias = false))",
            "affine(mask = M, scale = abs(cnn(hidden = [3], act = tanh, bias = false)), shift = cnn(hidden = [3], act = tanh, bias = false))",
            "affine(mask = M, scale = square(cnn(hidden = [3], act = sin, bias = false)), shift = cnn(hidden = [3], act = tanh, bias = true))",
            "affine(mask = M, scale = cnn(hidden = [3], act = cos, bias = false))",
            "spline(mask = M, net = cnn(hidden = [3]), bins = 4, bound = 2.0)");

    /** Every layer under every mask: the Z2 verdict and, for each of the 16 shifts, the translation verdict. */
    @TestFactory
    Stream<DynamicTest> layerVerdictsMatchTheMap() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String layer : LAYERS) {
            for (String mask : MASKS) {
                String source = "    " + layer.replace("M", mask);
                tests.add(DynamicTest.dynamicTest(source.strip(), () -> {
                    var probe = flow(source, 7);
                    var random = new SplittableRandom(source.hashCode());
                    Tensor z = probe.randomField(3, random);
                    assertVerdict(probe.analysis.of("z2").holds(), probe.signFlipDefect(z), "z2");
                    Judgement translation = probe.analysis.of("translation");
                    int allowed = 0;
                    for (int[] a : SymmetryProbe.allShifts(new int[] {4, 4})) {
                        boolean says = translation.allowsShift(a);
                        if (says) allowed++;
                        assertVerdict(says, probe.shiftDefect(z, a), "shift (" + a[0] + ", " + a[1] + ")");
                    }
                    int expected = mask.startsWith("checkerboard") ? 8 : mask.contains("period = 4") ? 4 : 8;
                    assertEquals(expected, allowed, "shifts that preserve " + mask);
                }));
            }
        }
        return tests.stream();
    }

    /** The priors' densities are invariant under the sign flip and every shift, as the checker says. */
    @Test
    void priorDensitiesAreInvariant() {
        for (String prior : List.of("normal(sigma = 0.7)", "free_field(m2 = 1.5)")) {
            var probe = SymmetryProbe.compile(dir, "prior" + counter++, HEADER + "flow f for T {\n    prior " + prior
                    + "\n    affine(mask = checkerboard(), shift = cnn(act = tanh, bias = false))\n}\n", 1);
            assertTrue(probe.analysis.prior().judgements().values().stream().allMatch(Judgement::holds), prior);
            Tensor z = probe.randomField(3, new SplittableRandom(5));
            Tensor logq = probe.flow.logPrior(z);
            assertTrue(SymmetryProbe.maxDifference(logq, probe.flow.logPrior(SymmetryProbe.negate(z))) < SymmetryProbe.EXACT, prior);
            for (int[] a : SymmetryProbe.allShifts(new int[] {4, 4})) {
                assertTrue(SymmetryProbe.maxDifference(logq, probe.flow.logPrior(SymmetryProbe.roll(z, a))) < 1e-9, prior);
            }
        }
    }

    static void assertVerdict(boolean checkerSaysHolds, double defect, String what) {
        if (checkerSaysHolds) {
            assertTrue(defect < SymmetryProbe.EXACT, what + ": the checker says the symmetry holds, but the defect is " + defect);
        } else {
            assertTrue(defect > SymmetryProbe.BROKEN, what + ": the checker says the symmetry is broken, but no counterexample (defect " + defect + ")");
        }
    }
}
