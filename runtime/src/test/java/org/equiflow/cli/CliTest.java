package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, where output goes, no stack traces. */
class CliTest {
    @TempDir
    Path dir;

    static final Path EXAMPLES = Path.of("").toAbsolutePath().resolveSibling("examples");

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void checkPassesOnTheExamples() {
        Run r = run("check", EXAMPLES.resolve("phi4_tutorial.flow").toString(), EXAMPLES.resolve("u1_gauge.flow").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2 passed, 0 failed"), r.out());
    }

    @Test
    void checkFailsWithRenderedDiagnosticsAndNoStackTrace() throws IOException {
        Path bad = dir.resolve("bad.flow");
        Files.writeString(bad, """
                use std.theories.phi4
                theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)
                flow f for T {
                    prior normal()
                    affine(mask = chekerboard(), net = tanh)
                }
                """);
        Run r = run("check", "--color=never", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("error[E0300]: " + bad + ":5:19: unknown name `chekerboard`"), r.err());
        assertTrue(r.err().contains("    affine(mask = chekerboard(), net = tanh)"), r.err());
        assertTrue(r.err().contains("^^^^^^^^^^^"), r.err());
        assertTrue(r.err().contains("help: did you mean `checkerboard`?") || r.err().contains("use std.masks.checkerboard"), r.err());
        assertTrue(r.out().contains("0 passed, 1 failed"), r.out());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    @Test
    void oneBadFileDoesNotHideTheOthers() throws IOException {
        Path empty = dir.resolve("empty.flow");
        Files.writeString(empty, "");
        Path binary = dir.resolve("model.ckpt");
        Files.write(binary, new byte[] {0, 1, 2, 3});
        Run r = run("check", "--color=never", empty.toString(), binary.toString(), EXAMPLES.resolve("free_field.flow").toString(),
                dir.resolve("missing.flow").toString(), dir.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("error[E0004]"), r.err());
        assertTrue(r.err().contains("error[E0002]"), r.err());
        assertTrue(r.err().contains("error[E0001]") && r.err().contains("is a directory"), r.err());
        assertTrue(r.out().contains("1 passed, 4 failed"), r.out());
        assertFalse(r.err().contains("Exception"), r.err());
    }

    /** --strict refuses to train (or run) a flow that breaks a declared symmetry, before any training. */
    @Test
    void strictRefusesToTrainAFlowThatBreaksADeclaredSymmetry(@TempDir Path out) {
        String tutorial = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        for (String command : new String[] {"train", "run"}) {
            Run r = run(command, "--strict", "--color=never", tutorial, "--steps", "1", "--out", out.resolve(command).toString());
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("error[W0410]") && r.err().contains("this is an error because of --strict"), r.err());
            assertFalse(Files.exists(out.resolve(command).resolve("checkpoint.eqf")), "nothing was trained");
        }
    }

    @Test
    void irPrintsTheShapedFlow() {
        Run r = run("ir", EXAMPLES.resolve("phi4_tutorial.flow").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("flow realnvp for T {  // 16 layers, 12960 parameters"), r.out());
        assertTrue(r.out().contains("conv(1→8, k3) leaky_relu(slope = 0.01) conv(8→8, k3) leaky_relu(slope = 0.01) conv(8→2, k3) tanh"), r.out());
    }

    @Test
    void irOfABrokenFileExitsNonZero() throws IOException {
        Path bad = dir.resolve("bad.flow");
        Files.writeString(bad, "theory T = phi4(lattice = [8, 8]\n");
        Run r = run("ir", "--color=never", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("error[E0101]"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void usageErrorsAreExplained() {
        Run r = run("chek");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Unmatched argument") || r.err().contains("chek"), r.err());
        Run none = run("check");
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("Missing required parameter"), none.err());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("check") && r.out().contains("ir"), r.out());
    }

    @Test
    void overridesReSpecialiseTheScript() {
        Run r = run("ir", EXAMPLES.resolve("phi4_tutorial.flow").toString(), "--set", "T.lattice=[16,16]", "--set", "T.m2=-3.5");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("theory T = phi4 on lattice 16×16 (volume 256)"), r.out());
        assertTrue(r.out().contains("param m2 = -3.5"), r.out());
    }

    @Test
    void overrideMistakesAreDiagnosed() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run unknownParameter = run("check", "--color=never", script, "--set", "T.mass=1.0");
        assertEquals(1, unknownParameter.exit());
        assertTrue(unknownParameter.err().contains("error[E0302]") && unknownParameter.err().contains("has no parameter `mass`"),
                unknownParameter.err());
        Run unknownInstance = run("check", "--color=never", script, "--set", "X.m2=1.0");
        assertEquals(1, unknownInstance.exit());
        assertTrue(unknownInstance.err().contains("error[E0300]") && unknownInstance.err().contains("theory instances: T"),
                unknownInstance.err());
        Run notLiteral = run("check", "--color=never", script, "--set", "T.m2=lambda");
        assertEquals(1, notLiteral.exit());
        assertTrue(notLiteral.err().contains("must be a literal"), notLiteral.err());
        Run badLattice = run("check", "--color=never", script, "--set", "T.lattice=[7,7]");
        assertEquals(1, badLattice.exit());
        assertTrue(badLattice.err().contains("error[E0601]"), badLattice.err());
    }

    @Test
    void benchPrintsAMarkdownTableAndAKernelProfile() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = run("bench", "--script", script, "--L", "4", "--batch", "4", "--sample-batch", "8", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--reference", "off", "--profile", "--profile-steps", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| case | equiflow | PyTorch reference | speed-up |"), r.out());
        assertTrue(r.out().contains("| train L=4 B=4 |") && r.out().contains("| sample L=4 B=8 |"), r.out());
        // Every kernel of a step goes through the profiler: the conditioner networks forward and backward among them.
        assertTrue(r.out().contains("| kernel (operands) -> result |") && r.out().contains("Conditioner[conv+leaky_relu"), r.out());
        assertTrue(r.out().contains("on masked sites gradient"), r.out());
        assertTrue(r.out().contains("| outside the kernels"), r.out());
    }

    @Test
    void benchMeasuresEachLatticeSizeInAJvmOfItsOwnAndTabulatesThemAll() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = run("bench", "--script", script, "--L", "4,8", "--cases", "sample", "--sample-batch", "4", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--reference", "off");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("| sample L=4 B=4 |") && r.out().contains("| sample L=8 B=4 |"), r.out());
        assertEquals(1, r.out().split("\\| case \\|", -1).length - 1, "one table for all sizes:\n" + r.out());
    }

    /** A U(1) script is BENCHMARKS.md §B's U(1) case by default: the training step, L=8, batch 64, one kernel thread. */
    @Test
    void benchTimesTheU1TrainingStepOnOneThread() {
        String script = EXAMPLES.resolve("u1_gauge.flow").toString();
        Run r = run("bench", "--script", script, "--min-time", "0", "--warmup", "1", "--warmup-time", "0", "--reference", "off");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("| U(1) train L=8 B=64 |"), r.out());
        assertFalse(r.out().contains("sample") || r.out().contains("L=16"), "only the §B case:\n" + r.out());
        // Measured on one thread whatever this JVM has (in a JVM of its own when it has more).
        assertTrue(r.out().contains("equiflow[cpu, 1 thread(s)] U(1) train  L=8"), r.out());
        assertTrue(r.out().contains("equiflow on CPU, Java Vector API, 1 thread(s)"), r.out());
    }

    /** --threads sets the kernels' thread count; one JVM cannot change its own, so --in-process refuses another. */
    @Test
    void benchThreadsRunsInAJvmWithThatManyKernelThreads() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = run("bench", "--script", script, "--L", "4", "--cases", "sample", "--sample-batch", "4", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--reference", "off", "--threads", "1");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("equiflow[cpu, 1 thread(s)] sample L=4") && r.out().contains("| sample L=4 B=4 |"), r.out());
        int other = org.equiflow.tensor.cpu.CpuParallel.threads() + 1;
        Run refused = run("bench", "--script", script, "--L", "4", "--cases", "sample", "--reference", "off",
                "--threads", String.valueOf(other), "--in-process");
        assertEquals(1, refused.exit(), refused.out());
        assertTrue(refused.err().contains("--in-process cannot measure " + other) && refused.err().contains("help:"), refused.err());
        assertFalse(refused.err().contains("Exception"), refused.err());
    }
}
