package org.equiflow.symmetry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.equiflow.compiler.symmetry.Judgement;
import org.equiflow.compiler.symmetry.Status;
import org.equiflow.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many small random architectures (1–3 couplings; random masks, conditioner forms, activations,
 * biases and depths), each judged by the checker and then by the property test: the checker
 * never calls a flow equivariant that is not (no false "equivariant"), and never calls one broken
 * for which the random inputs find no counterexample.
 */
class RandomArchitectureSymmetryTest {
    @TempDir
    Path dir;

    static final List<String> ODD = List.of("identity", "tanh", "sin");
    static final List<String> EVEN = List.of("abs", "cos", "square");
    static final List<String> NEITHER = List.of("exp", "sigmoid", "relu", "leaky_relu");
    static final List<String> MASKS = List.of("checkerboard(parity = P)", "stripes(axis = 0, offset = P)",
            "stripes(axis = 1, offset = P)", "stripes(axis = 0, period = 4, offset = P)", "stripes(axis = 1, period = 4, offset = P)");

    static final int ARCHITECTURES = 80;

    @Test
    void everyVerdictIsConfirmedByThePropertyTest() {
        var random = new SplittableRandom(2026);
        int z2Holds = 0, z2Broken = 0, shiftsAllowed = 0, shiftsRefused = 0;
        for (int n = 0; n < ARCHITECTURES; n++) {
            String body = architecture(random);
            var probe = SymmetryProbe.compile(dir, "random" + n, LayerSymmetryPropertyTest.HEADER
                    + "flow f for T {\n    prior normal()\n" + body + "}\n", n);
            Tensor z = probe.randomField(3, new SplittableRandom(n));
            Judgement z2 = probe.analysis.of("z2");
            double flip = probe.signFlipDefect(z);
            check(z2.holds(), flip, body, "z2");
            if (z2.holds()) z2Holds++; else z2Broken++;
            Judgement translation = probe.analysis.of("translation");
            assertTrue(translation.status() != Status.BROKEN, "convolutions only: translation holds at least for a subgroup");
            for (int[] a : SymmetryProbe.allShifts(new int[] {4, 4})) {
                boolean says = translation.allowsShift(a);
                check(says, probe.shiftDefect(z, a), body, "shift (" + a[0] + ", " + a[1] + ")");
                if (says) shiftsAllowed++; else shiftsRefused++;
            }
        }
        // The generator must exercise both verdicts, or the test proves nothing.
        assertTrue(z2Holds >= 8 && z2Broken >= 8, "z2 verdicts: " + z2Holds + " hold, " + z2Broken + " broken");
        assertTrue(shiftsAllowed >= 100 && shiftsRefused >= 100, "shift verdicts: " + shiftsAllowed + " allowed, " + shiftsRefused + " refused");
    }

    private static void check(boolean says, double defect, String body, String what) {
        if (says) {
            assertTrue(defect < SymmetryProbe.EXACT, "false \"equivariant\" (" + what + ", defect " + defect + ") for\n" + body);
        } else {
            assertTrue(defect > SymmetryProbe.BROKEN, "no counterexample for a \"broken\" verdict (" + what + ", defect " + defect + ") for\n" + body);
        }
    }

    static String architecture(SplittableRandom r) {
        var out = new StringBuilder();
        int layers = 1 + r.nextInt(3);
        // Half the architectures aim at Z2 equivariance (even scale, odd shift), perturbed now and then.
        boolean designed = r.nextBoolean();
        for (int i = 0; i < layers; i++) {
            String mask = pick(r, MASKS).replace("P", String.valueOf(r.nextInt(2)));
            String layer = designed ? switch (r.nextInt(3)) {
                case 0 -> "affine(mask = " + mask + ", shift = " + maybeOdd(r) + ")";
                case 1 -> "affine(mask = " + mask + ", scale = " + pick(r, EVEN) + "(" + maybeOdd(r) + "))";
                default -> "affine(mask = " + mask + ", scale = " + pick(r, EVEN) + "(" + maybeOdd(r) + "), shift = " + maybeOdd(r) + ")";
            } : switch (r.nextInt(5)) {
                case 0 -> "affine(mask = " + mask + ", net = " + net(r) + ")";
                case 1 -> "affine(mask = " + mask + ", shift = " + net(r) + ")";
                case 2 -> "affine(mask = " + mask + ", scale = " + net(r) + ")";
                case 3 -> "spline(mask = " + mask + ", net = " + net(r) + ", bins = 3, bound = 2.0)";
                default -> "affine(mask = " + mask + ", scale = " + pick(r, EVEN) + "(" + net(r) + "), shift = " + net(r) + ")";
            };
            out.append("    ").append(layer).append('\n');
        }
        return out.toString();
    }

    /** An odd net (bias-free, odd activations) five times in six, otherwise any random net. */
    static String maybeOdd(SplittableRandom r) {
        if (r.nextInt(6) == 0) return net(r);
        String hidden = r.nextBoolean() ? "[2]" : "[2, 3]";
        return "cnn(hidden = " + hidden + ", act = " + pick(r, ODD) + ", out_act = " + pick(r, ODD) + ", bias = false, kernel = "
                + (r.nextBoolean() ? 3 : 5) + ")";
    }

    /**
     * A random conditioner: cnn with random activations and bias, or a hand-built chain of stages.
     * Kernels are at least 3: a kernel-1 conditioner sees only its own site, which the mask zeroes,
     * so its coupling is a constant map (the identity without biases), symmetric whatever the
     * checker's conservative verdict says (docs/symmetry.md).
     */
    static String net(SplittableRandom r) {
        String act = activation(r);
        boolean bias = r.nextInt(3) == 0;
        if (r.nextBoolean()) {
            int depth = r.nextInt(3);
            String hidden = depth == 0 ? "[]" : depth == 1 ? "[2]" : "[2, 3]";
            String outAct = r.nextInt(3) == 0 ? ", out_act = " + activation(r) : "";
            return "cnn(hidden = " + hidden + ", act = " + act + ", bias = " + bias + outAct + ", kernel = " + (r.nextBoolean() ? 3 : 5) + ")";
        }
        var chain = new StringBuilder("conv(channels = 2, bias = " + bias + ") >> " + act);
        if (r.nextBoolean()) chain.append(" >> ").append(activation(r));
        chain.append(" >> conv(bias = ").append(r.nextInt(3) == 0).append(")");
        if (r.nextBoolean()) chain.append(" >> ").append(activation(r));
        return chain.toString();
    }

    /** Odd activations most often, so that odd nets (and Z2-equivariant designs) come up. */
    static String activation(SplittableRandom r) {
        int k = r.nextInt(10);
        return k < 6 ? pick(r, ODD) : k < 8 ? pick(r, EVEN) : pick(r, NEITHER);
    }

    static String pick(SplittableRandom r, List<String> from) { return from.get(r.nextInt(from.size())); }
}
