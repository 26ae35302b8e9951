package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sample`, `hmc` and `train` say when their statistics cannot be trusted — a `warning:` line and a
 * `help:` line on stderr — and say nothing on healthy runs.
 */
class TrustWarningsTest {
    @TempDir
    Path dir;

    Path script;

    /**
     * The free field with a flow whose prior is its Gaussian up to the kinetic term's factor 2
     * (a healthy, imperfect sampler: acceptance ≈ 0.2 untrained) and a well-tuned HMC block.
     */
    @BeforeEach
    void writeScript() throws IOException {
        script = dir.resolve("free.flow");
        Files.writeString(script, """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory Free = phi4(lattice = [4, 4], m2 = 1.25, lambda = 0.0)
                flow near for Free {
                    prior free_field(m2 = 1.25)
                    affine(mask = checkerboard(parity = 0), shift = cnn(hidden = [2], act = tanh, bias = false))
                }
                train near { batch 8  steps 4  seed 1 }
                sample near { count 512  batch 64  measure magnetization, susceptibility, acceptance, ess }
                hmc Free { trajectories 200  thermalize 50  step_size 0.15  md_steps 4  measure magnetization, susceptibility }
                """);
    }

    private static CliTest.Run run(String... args) { return CliTest.run(args); }

    private static List<String> warnings(CliTest.Run r) {
        return r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
    }

    private static void assertWarns(CliTest.Run r, String what, String help) {
        assertTrue(warnings(r).stream().anyMatch(l -> l.contains(what)), "expected a warning about `" + what + "`:\n" + r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("   help: ") && l.contains(help)), r.err());
    }

    private String[] sample(String... extra) {
        return TinyRuns.concat(new String[] {"sample", script.toString(), "--color=never", "--untrained", "--out",
                dir.resolve("run").toString()}, extra);
    }

    @Test
    void healthyRunsPrintNoWarning() {
        var sample = run(sample());
        assertEquals(0, sample.exit(), sample.err());
        assertEquals(List.of(), warnings(sample), sample.out() + sample.err());
        var hmc = run("hmc", script.toString(), "--chains", "4", "--out", dir.resolve("hmc1").toString());
        assertEquals(0, hmc.exit(), hmc.err());
        assertEquals(List.of(), warnings(hmc), hmc.out() + hmc.err());
        var train = run("train", script.toString(), "--no-progress", "--out", dir.resolve("trained").toString());
        assertEquals(0, train.exit(), train.err());
        assertEquals(List.of(), warnings(train), train.err());
        assertFalse(train.err().contains("error"), train.err());
    }

    /**
     * A gradient flow integrated too coarsely for its coefficients (Lüscher's leading order at a
     * large β in one Euler step) gets a log-density that moves when the steps are doubled; the
     * same flow at small β in 20 cg3 steps does not.
     */
    @Test
    void aGradientFlowIntegratedTooCoarselyIsFlagged() throws IOException {
        Path flow = dir.resolve("gradient.flow");
        Files.writeString(flow, """
                use std.theories.su2
                use std.gauge.{gradient_flow, rectangle, euler, cg3}
                theory G = su2(lattice = [4, 4], beta = 8.0)
                flow coarse for G {
                    prior haar
                    gradient_flow(loops = [rectangle()], steps = 1, integrator = euler, perturbative = 1)
                }
                flow fine for G {
                    prior haar
                    gradient_flow(loops = [rectangle()], steps = 20, integrator = cg3, perturbative = 1)
                }
                sample coarse { count 128  batch 64  measure acceptance, ess }
                sample fine { count 128  batch 64  measure acceptance, ess }
                """);
        String what = "log-density changes by up to";
        var coarse = run("sample", flow.toString(), "--color=never", "--untrained", "--flow", "coarse", "--out", dir.resolve("coarse").toString());
        assertEquals(0, coarse.exit(), coarse.err());
        assertWarns(coarse, what, "raise `steps` of `gradient_flow`");
        // training says it too, before anything is sampled
        var trained = run("train", flow.toString(), "--no-progress", "--flow", "coarse", "--steps", "1", "--batch", "4",
                "--out", dir.resolve("coarse-trained").toString());
        assertEquals(0, trained.exit(), trained.err());
        assertWarns(trained, what, "raise `steps` of `gradient_flow`");
        var fine = run("sample", flow.toString(), "--color=never", "--untrained", "--flow", "fine", "--set", "G.beta=1.0",
                "--out", dir.resolve("fine").toString());
        assertEquals(0, fine.exit(), fine.err());
        assertTrue(warnings(fine).stream().noneMatch(l -> l.contains(what)), fine.err());
    }

    @Test
    void aFlowThatCannotSampleTheTargetIsFlagged() {
        // The deep broken phase from an untrained flow: ESS of one proposal in 512, τ_int ≈ N/9.
        var r = run(sample("--set", "Free.m2=-12.0", "--set", "Free.lambda=2.0"));
        assertEquals(0, r.exit(), r.err());
        assertWarns(r, "effective sample size", "train the flow longer");
        assertWarns(r, "τ_int of", "longer chain");
    }

    @Test
    void hmcStuckInOneModeOfAZ2TheoryIsFlagged() {
        // One chain in a double well 288 deep: it never tunnels, and ⟨m⟩ comes out far from its exact 0.
        var r = run("hmc", script.toString(), "--chains", "1", "--set", "Free.m2=-12.0", "--set", "Free.lambda=2.0",
                "--out", dir.resolve("hmc2").toString());
        assertEquals(0, r.exit(), r.err());
        assertWarns(r, "`magnetization`", "tunnel");
    }

    @Test
    void hmcWithAVanishingStepIsFlaggedAsNotMoving() {
        // A step of 0 is refused as an option; one of 1e-12 moves the field by nothing measurable.
        var zero = run("hmc", script.toString(), "--chains", "2", "--step-size", "0", "--out", dir.resolve("hmc3").toString());
        assertEquals(2, zero.exit(), zero.err());
        assertTrue(zero.err().contains("--step-size"), zero.err());
        var r = run("hmc", script.toString(), "--chains", "2", "--step-size", "1e-12", "--out", dir.resolve("hmc4").toString());
        assertWarns(r, "do not move the field", "step_size");
    }

    @Test
    void hmcThatRejectsEverythingIsFlagged() {
        var r = run("hmc", script.toString(), "--chains", "2", "--step-size", "3", "--out", dir.resolve("hmc5").toString());
        assertEquals(0, r.exit(), r.err());
        assertWarns(r, "HMC accepted 0.0%", "lower `step_size`");
    }

    @Test
    void anActionUnboundedBelowIsRefusedByHmcAndTraining() {
        var hmc = run("hmc", script.toString(), "--chains", "2", "--set", "Free.lambda=-1.0", "--out", dir.resolve("hmc6").toString());
        assertEquals(1, hmc.exit(), hmc.out() + hmc.err());
        assertTrue(hmc.err().contains("error: the action of `Free` is unbounded below"), hmc.err());
        assertTrue(hmc.err().contains("help: check the signs of the couplings"), hmc.err());
        assertFalse(java.nio.file.Files.exists(dir.resolve("hmc6")), "a refused run makes no run directory");
        assertFalse(hmc.out().contains("| magnetization"), "no numbers for a distribution that does not exist: " + hmc.out());
        var train = run("train", script.toString(), "--no-progress", "--out", dir.resolve("t").toString(), "--set", "Free.lambda=-1.0");
        assertEquals(1, train.exit(), train.out() + train.err());
        assertTrue(train.err().contains("unbounded below"), train.err());
    }

    @Test
    void trainingOnAnActionUnboundedOnlyAlongAStaggeredFieldIsFlagged() throws IOException {
        // S = φᵀ(A + 3)φ, A the lattice adjacency: positive along the constant and random fields the up-front probe tries,
        // negative along the staggered field (eigenvalue −1). Training finds that direction; its samples show it.
        Path staggered = dir.resolve("staggered.flow");
        Files.writeString(staggered, """
                use std.nets.cnn
                use std.masks.checkerboard
                theory stag(lattice: shape, a: real) {
                    field phi: real on sites
                    action sum x { phi[x] * sum mu { phi[x + mu] + phi[x - mu] } + a * phi[x]^2 }
                }
                theory S = stag(lattice = [4, 4], a = 3.0)
                flow f for S {
                    prior normal()
                    repeat i in 0..2 {
                        affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [4], out_act = tanh))
                    }
                }
                train f { batch 16  steps 30  seed 1  optimizer adam(lr = 1e-2) }
                """);
        var trained = run("train", staggered.toString(), "--no-progress", "--out", dir.resolve("s").toString());
        assertEquals(0, trained.exit(), trained.err());
        assertWarns(trained, "unbounded below along φ = c·x, x a sample of the flow", "signs of the couplings");
        // A single step leaves the flow near its Gaussian prior, whose samples do not point along the runaway direction.
        var untrained = run("train", staggered.toString(), "--no-progress", "--steps", "1", "--out", dir.resolve("s1").toString());
        assertEquals(List.of(), warnings(untrained), untrained.err());
    }
}
