package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.equiflow.testing.Repository;

/** The command line as a user meets it: exit codes, where output goes, no stack traces. */
class CliTest {
    @TempDir
    Path dir;

    static final Path EXAMPLES = Repository.examples();

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

    /** On a 2D SU(N) torus ln Z is known, so a sample reports the trained flow's exact KL(q‖p), printed and in the ensemble's metadata. */
    @Test
    void sampleReportsTheExactKlWhereLnZIsKnown(@TempDir Path out) throws IOException {
        String script = EXAMPLES.resolve("su2_2d.flow").toString();
        Run trained = run("train", "--no-progress", script, "--steps", "3", "--out", out.toString());
        assertEquals(0, trained.exit(), trained.out() + trained.err());
        Run sampled = run("sample", "--no-progress", script, "--count", "256", "--out", out.toString());
        assertEquals(0, sampled.exit(), sampled.out() + sampled.err());
        assertTrue(sampled.out().contains("exact_kl"), sampled.out());
        String metadata = Files.readString(out.resolve("result").resolve("ensemble.json"));
        assertTrue(metadata.contains("\"exact_kl\""), metadata);
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
        // the conditioners' arithmetic rate is printed: a number, not a dash, in their rows
        assertTrue(r.out().lines().anyMatch(l -> l.contains("on masked sites gradient") && l.matches(".*\\| \\d+\\.\\d \\|$")), r.out());
        assertFalse(r.out().contains("Multiply-add peak"), r.out());
    }

    /** --peak adds the machine's multiply-add peak and each convolution kernel's share of it; without --profile it is refused. */
    @Test
    void benchPeakGivesTheConvolutionKernelsShareOfTheMultiplyAddPeak() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = run("bench", "--script", script, "--L", "4", "--batch", "4", "--cases", "train", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--reference", "off", "--profile", "--profile-steps", "2", "--peak", "--in-process");
        assertEquals(0, r.exit(), r.err());
        var peak = java.util.regex.Pattern.compile("Multiply-add peak: (\\d+\\.\\d) GFLOP per CPU-second per thread").matcher(r.out());
        assertTrue(peak.find(), r.out());
        assertTrue(Double.parseDouble(peak.group(1)) > 0.1, r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("on masked sites gradient") && l.matches(".*\\| \\d+\\.\\d \\(\\d+ %\\) \\|$")), r.out());
        Run alone = run("bench", "--script", script, "--peak", "--reference", "off");
        assertEquals(2, alone.exit(), alone.out());
        assertTrue(alone.err().contains("add --profile"), alone.err());
    }

    @Test
    void benchMeasuresEachLatticeSizeInAJvmOfItsOwnAndTabulatesThemAll() {
        String script = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run r = run("bench", "--script", script, "--L", "4,8", "--cases", "sample", "--sample-batch", "4", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--reference", "off");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("| sample L=4 B=4 |") && r.out().contains("| sample L=8 B=4 |"), r.out());
        assertEquals(1, r.out().split("\\| case \\|", -1).length - 1, "one table for all sizes:\n" + r.out());
        assertEquals(1, (r.out() + r.err()).split("warning\\[W0410\\]", -1).length - 1, "the symmetry warning once, not once per JVM:\n"
                + r.out() + r.err());
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

    /** Every SU(N) case runs from its bundled script at a tiny size; the SU(2) training step is profiled kernel by kernel. */
    @Test
    void benchRunsEverySuNCaseWithAKernelProfile() {
        Run r = run("bench", "--cases", "sun", "--L", "4", "--batch", "2", "--sample-batch", "4", "--chains", "2", "--min-time", "0",
                "--warmup", "1", "--warmup-time", "0", "--profile", "--profile-steps", "1");
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String row : List.of("| su2_spectral_train L=4 B=2 |", "| su2_spectral_sample L=4 B=4 |", "| su2_hmc L=4 chains=2 |",
                "| su3_spectral_train L=4 B=2 |", "| su3_spectral_sample L=4 B=4 |", "| su3_haar_sample L=4 B=4 |", "| su3_hmc L=4 chains=2 |"))
            assertTrue(r.out().contains(row), row + " missing:\n" + r.out());
        assertTrue(r.out().contains("Profile, su2_spectral_train L=4 B=2:") && r.out().contains("| outside the kernels"), r.out());
        assertFalse(r.out().contains("| train L=") || r.out().contains("PyTorch reference |"), "no script case, no reference column:\n" + r.out());
        Run one = run("bench", "--cases", "su3_hmc", "--L", "4", "--chains", "1", "--min-time", "0", "--warmup", "0", "--warmup-time", "0");
        assertEquals(0, one.exit(), one.out() + one.err());
        assertTrue(one.out().contains("| su3_hmc L=4 chains=1 |") && !one.out().contains("su2_"), one.out());
        Run mixed = run("bench", "--cases", "train,su2_hmc", "--reference", "off");
        assertEquals(2, mixed.exit(), mixed.out());
        assertTrue(mixed.err().contains("cannot run with train or sample"), mixed.err());
        Run noReference = run("bench", "--cases", "su2_hmc", "--reference", "on");
        assertEquals(1, noReference.exit(), noReference.out());
        assertTrue(noReference.err().contains("no PyTorch reference exists for the SU(N) cases") && noReference.err().contains("help:"),
                noReference.err());
        Run unknown = run("bench", "--cases", "su4_hmc", "--reference", "off");
        assertEquals(2, unknown.exit(), unknown.out());
        assertTrue(unknown.err().contains("unknown case `su4_hmc`") && unknown.err().contains("su2_spectral_train"), unknown.err());
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

    /** Every numeric option of every command is range-checked: a usage error naming the legal range, never a stack trace. */
    @Test
    void numericOptionsOutOfRangeAreUsageErrors() {
        String tutorial = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        String out = dir.resolve("never").toString();
        String[][] cases = {
            {"train", "--batch", "0"}, {"train", "--batch", "-5"}, {"train", "--lr", "0"}, {"train", "--lr", "-1"},
            {"train", "--lr", "NaN"}, {"train", "--checkpoint-every", "0"}, {"train", "--steps", "-10"},
            {"run", "--batch", "0"}, {"run", "--count", "0"},
            {"sample", "--count", "0"}, {"sample", "--count", "-3"}, {"sample", "--count", "3000000000"}, {"sample", "--sample-batch", "0"},
            {"hmc", "--chains", "0"}, {"hmc", "--trajectories", "0"}, {"hmc", "--step-size", "0"}, {"hmc", "--md-steps", "0"},
            {"hmc", "--thermalize", "-1"},
            {"scan", "--steps", "0"}, {"scan", "--count", "0"},
        };
        for (String[] c : cases) {
            String[] args = {c[0], tutorial, c[1], c[2], "--color=never", "--out", out};
            if (c[0].equals("scan")) args = TinyRuns.concat(args, "--set", "T.m2=-3,-4");
            Run r = run(args);
            String what = String.join(" ", c) + ": ";
            assertEquals(2, r.exit(), what + r.err());
            assertTrue(r.err().contains("error: " + c[1] + " must be "), what + r.err());
            assertTrue(r.err().contains("between") || r.err().contains("at least") || r.err().contains("greater than 0"), what + r.err());
            assertFalse(r.err().contains("internal error") || r.err().contains("Exception"), what + r.err());
        }
        assertFalse(Files.exists(dir.resolve("never")), "nothing was created");
        Run bench = run("bench", "--batch", "0", "--reference", "off");
        assertEquals(2, bench.exit(), bench.err());
        assertTrue(bench.err().contains("--batch must be between 1 and"), bench.err());
    }

    /** A flow far too large for the heap is refused at once with the estimate and what to change, not after minutes in an OutOfMemoryError. */
    @Test
    void aJobThatCannotFitTheHeapIsRefusedBeforeItStarts() throws IOException {
        Path huge = dir.resolve("huge.flow");
        Files.writeString(huge, Files.readString(EXAMPLES.resolve("phi4_tutorial.flow")).replace("hidden = [8, 8]", "hidden = [8192, 8192]"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.readString(huge).contains("8192"), "the tutorial's nets changed");
        long started = System.nanoTime();
        Run r = run("train", huge.toString(), "--batch", "256", "--color=never", "--no-progress", "--out", dir.resolve("huge").toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("needs about") && r.err().contains("EQUIFLOW_JAVA_OPTS=-Xmx") && r.err().contains("--batch"), r.err());
        assertTrue((System.nanoTime() - started) / 1e9 < 30, "refused before any work");
        assertFalse(Files.exists(dir.resolve("huge").resolve("checkpoint.eqf")));
        Run sample = run("sample", EXAMPLES.resolve("free_field.flow").toString(), "--untrained", "--count", "2000000000", "--no-progress",
                "--color=never", "--out", dir.resolve("big").toString());
        assertEquals(1, sample.exit(), sample.err());
        assertTrue(sample.err().contains("needs about") && sample.err().contains("--count"), sample.err());
    }

    /** --no-progress silences every progress bar; the bars go to System.err, so that is where the test looks. */
    @Test
    void noProgressSilencesEveryBar() throws IOException {
        Path script = TinyRuns.oneCoupling(dir);
        var console = new java.io.ByteArrayOutputStream();
        var original = System.err;
        System.setErr(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            String out = dir.resolve("run").toString();
            assertEquals(0, run("run", script.toString(), "--steps", "2", "--batch", "4", "--count", "64", "--no-progress", "--out", out).exit());
            assertEquals(0, run("sample", script.toString(), "--count", "64", "--no-progress", "--out", out).exit());
            assertEquals(0, run("hmc", script.toString(), "--trajectories", "3", "--thermalize", "1", "--chains", "2", "--no-progress",
                    "--out", dir.resolve("hmc").toString()).exit());
        } finally {
            System.setErr(original);
        }
        String bars = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(bars.contains("%") || bars.contains("[="), bars);
    }

    /** `hmc --out DIR` leaves a run as `run` does: the ensemble with its metadata and the report, replaced whole by a rerun. */
    @Test
    void hmcCommitsItsEnsembleAndReportToOut() throws IOException {
        String tutorial = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Path out = dir.resolve("hmc");
        for (String seed : new String[] {"1", "2"}) {
            Run r = run("hmc", tutorial, "--trajectories", "4", "--thermalize", "1", "--chains", "2", "--no-progress", "--seed", seed,
                    "--set", "T.lattice=[4,4]", "--out", out.toString());
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("ensemble: " + out.resolve("result/ensemble.npy")), r.out());
            assertTrue(r.out().contains("| magnetization |"), "every observable of the theory, unasked:\n" + r.out());
        }
        String sidecar = Files.readString(out.resolve("ensemble.json"));
        assertTrue(sidecar.contains("\"sampler_method\" : \"hmc\"") && sidecar.contains("\"seed\" : 2")
                && sidecar.contains("\"shape\" : [ 8, 4, 4 ]"), sidecar);
        assertTrue(Files.readString(out.resolve("report/summary.md")).contains("| susceptibility |"));
        try (var results = Files.list(out.resolve(".results"))) {
            assertEquals(1, results.count());
        }
    }

    /** The symmetry warning is about the flow: once per command that uses it, never from hmc. */
    @Test
    void theSymmetryWarningIsPrintedOnceAndOnlyWhereTheFlowIsUsed() {
        String tutorial = EXAMPLES.resolve("phi4_tutorial.flow").toString();
        Run run = run("run", tutorial, "--steps", "1", "--batch", "4", "--count", "16", "--no-progress", "--color=never",
                "--out", dir.resolve("run").toString(), "--set", "T.lattice=[4,4]");
        assertEquals(0, run.exit(), run.err());
        assertEquals(1, run.err().split("warning\\[W0410\\]", -1).length - 1, run.err());
        Run hmc = run("hmc", tutorial, "--trajectories", "2", "--thermalize", "0", "--chains", "2", "--no-progress", "--color=never",
                "--set", "T.lattice=[4,4]", "--out", dir.resolve("hmc").toString());
        assertEquals(0, hmc.exit(), hmc.err());
        assertFalse(hmc.err().contains("W0410"), hmc.err());
        // Nor does hmc offer --strict, which would be accepted and ignored there.
        Run strict = run("hmc", tutorial, "--strict", "--trajectories", "2", "--no-progress", "--set", "T.lattice=[4,4]",
                "--out", dir.resolve("strict").toString());
        assertEquals(2, strict.exit(), strict.err());
        assertTrue(strict.err().contains("--strict"), strict.err());
    }

    /** Help texts name only options that exist: every --flag a command's help mentions is one of its options. */
    @Test
    void helpTextsNameOnlyOptionsThatExist() {
        var main = new picocli.CommandLine(new Main());
        for (var command : main.getSubcommands().values()) {
            var spec = command.getCommandSpec();
            var known = new java.util.HashSet<String>();
            spec.options().forEach(o -> known.addAll(java.util.List.of(o.names())));
            var matcher = java.util.regex.Pattern.compile("--[a-z][a-z-]*[a-z]").matcher(command.getUsageMessage());
            while (matcher.find()) {
                assertTrue(known.contains(matcher.group()), spec.name() + " --help names " + matcher.group() + ", which it does not have");
            }
        }
    }

    /** `scan` prints each point's state and the table; a rerun skips every point; a --set list it cannot scan is a usage error. */
    @Test
    void scanRunsEachPointOnceAndRefusesListsItCannotScan() throws IOException {
        Path script = TinyRuns.twoCouplings(dir, 2, "");
        Path out = dir.resolve("scan");
        String[] scan = {"scan", script.toString(), "--set", "T.m2=-1,-2", "--steps", "3", "--batch", "8", "--count", "32",
            "--no-progress", "--color=never", "--out", out.toString()};
        Run first = run(scan);
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().contains("== point 2/2: --set T.m2=-2 (" + out.resolve("T.m2=-2") + "): training"), first.out());
        assertTrue(first.out().contains("| T.m2 | steps | acceptance | ESS |"), first.out());
        assertTrue(Files.isRegularFile(out.resolve("scan-T.m2=-1_-2/scan.csv")));
        Run again = run(scan);
        assertEquals(0, again.exit(), again.err());
        assertEquals(2, again.out().split("finished, skipped", -1).length - 1, again.out());
        assertFalse(again.out().contains("training f"), again.out());
        for (String[] set : new String[][] {{"T.m2="}, {"T.m2=-1,,-2"}, {"T.m2=-1,x"}, {"T.m2=-1,-1"}, {"T.m2=-1", "--set", "T.m2=-2"}}) {
            Run r = run(TinyRuns.concat(new String[] {"scan", script.toString(), "--color=never", "--out", dir.resolve("never").toString(), "--set"}, set));
            assertEquals(2, r.exit(), String.join(" ", set) + r.err());
            assertTrue(r.err().startsWith("error: --set T.m2"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("never")));
    }

    /** A run directory as `hmc` writes its sidecar, reduced to what `compare` reads. */
    private Path runDirectory(String name, String m2, double susceptibility) throws IOException {
        Path directory = Files.createDirectories(dir.resolve(name));
        Files.writeString(directory.resolve("ensemble.json"), """
                {"theory": "T", "theory_parameters": {"lattice": [4, 4], "m2": %s, "lambda": 8.0}, "lattice": [4, 4],
                 "flow": null, "sampler_method": "hmc", "seed": 1, "count": 1000, "acceptance": 0.9, "created_at": "2026-12-01T00:00:00Z",
                 "observables": {"susceptibility": {"value": %s, "error": 0.25, "tau_int": 2.0}}}
                """.formatted(m2, susceptibility));
        return directory;
    }

    @Test
    void compareTabulatesPullsMarksLargeOnesAndRefusesWhatItCannotCompare() throws IOException {
        Path a = runDirectory("a", "-4.0", 10.0), b = runDirectory("b", "-4.0", 11.5), c = runDirectory("c", "-3.0", 10.0);
        Run text = run("compare", a.toString(), b.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("susceptibility") && text.out().contains("+4.24 !!"), text.out());
        Path csv = dir.resolve("table.csv");
        Run markdown = run("compare", a.toString(), b.toString(), "--markdown", "--csv", csv.toString());
        assertEquals(0, markdown.exit(), markdown.err());
        assertTrue(markdown.out().contains("| susceptibility | 10.00 ± 0.25 | ref | 11.50 ± 0.25 | +4.24 !! |"), markdown.out());
        assertTrue(Files.isRegularFile(csv) && Files.isRegularFile(dir.resolve("table-cost.csv")), markdown.out());

        Run different = run("compare", a.toString(), c.toString());
        assertEquals(1, different.exit());
        assertTrue(different.err().startsWith("error: the runs sample different theories") && different.err().contains("m2 = -4.0 vs -3.0"),
                different.err());
        Run missing = run("compare", a.toString(), dir.resolve("nowhere").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("error: no such directory: "), missing.err());
        Run notARun = run("compare", a.toString(), dir.toString());
        assertEquals(1, notARun.exit());
        assertTrue(notARun.err().contains("not a run directory") && notARun.err().contains("note: " + a + " is a run directory"), notARun.err());
        for (Run r : List.of(different, missing, notARun)) assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals(2, run("compare").exit(), "a usage error: no directories");
    }
}
