package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.equiflow.api.RunDirectory;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.Npy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's life as a user lives it: reproducible training, a killed run resumed exactly,
 * checkpoints that are refused when corrupted or when they belong to another script, and a
 * diverging run that stops with a diagnosis and keeps its last good checkpoint.
 */
class TrainingLifecycleTest {
    @TempDir
    Path dir;

    Path script;

    @BeforeEach
    void writeScript() throws IOException {
        script = TinyRuns.twoCouplings(dir, 2, """
                train f { batch 8  steps 6  seed 3  checkpoint_every 1 }
                sample f { count 128  measure magnetization, susceptibility, acceptance }
                """);
    }

    private static CliTest.Run run(String... args) { return CliTest.run(args); }

    private String[] train(Path out, String... extra) {
        return TinyRuns.train(script, out, extra);
    }

    @Test
    void aResumedRunEndsExactlyWhereTheUninterruptedOneDoes() throws IOException {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        assertEquals(0, run(train(straight)).exit());
        assertEquals(0, run(train(resumed, "--steps", "3")).exit());
        var second = run(train(resumed, "--resume", "--steps", "6"));
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("resuming f from step 3"), second.out());
        var a = Checkpoint.load(straight.resolve("checkpoint.eqf"));
        var b = Checkpoint.load(resumed.resolve("checkpoint.eqf"));
        assertEquals(6, a.trainingStep());
        assertEquals(6, b.trainingStep());
        for (String name : a.parameters().keySet()) {
            assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
        }
        assertEquals(7, Files.readAllLines(resumed.resolve("metrics.csv")).size(), "header + 6 steps");
    }

    /**
     * `train --from`: a run at another coupling and lattice size starts from a trained run, saying
     * so; another architecture is an error with its stable name and the parameter that differs, no
     * stack trace; --from with --resume is a usage error.
     */
    @Test
    void aRunStartsFromAnotherRunsParametersOrIsRefusedWithTheReason() throws IOException {
        Path source = dir.resolve("source");
        assertEquals(0, run(train(source)).exit());
        var moved = run(train(dir.resolve("moved"), "--from", source.toString(), "--set", "T.lambda=1.5", "--set", "T.lattice=[8,8]"));
        assertEquals(0, moved.exit(), moved.err());
        assertTrue(moved.out().contains("starting from the parameters of " + source.toAbsolutePath() + " at step 6 (flow f, T.lattice [4,4] → [8,8],"
                + " T.lambda 1.0 → 1.5); optimizer state fresh"), moved.out());
        var described = run("script", dir.resolve("moved").toString());
        assertTrue(described.out().contains("from_run " + source.toAbsolutePath() + ", from_step 6"), described.out());

        Path wider = TinyRuns.twoCouplings(Files.createDirectories(dir.resolve("wider")), 3, "");
        var refused = run(TinyRuns.train(wider, dir.resolve("wide"), "--steps", "2", "--from", source.toString()));
        assertEquals(1, refused.exit());
        assertTrue(refused.err().contains("error: cannot start from " + source + " (DIFFERENT_PARAMETERS)"), refused.err());
        assertTrue(refused.err().contains("layer0.net.conv0.weight: the source has [2, 1, 3, 3], this flow needs [3, 1, 3, 3]"), refused.err());
        assertFalse(refused.err().contains("internal error") || refused.err().contains("\tat "), refused.err());

        var both = run(train(dir.resolve("moved"), "--from", source.toString(), "--resume"));
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("--resume alone"), both.err());
    }

    @Test
    void theSameSeedGivesTheSameFlow() throws IOException {
        Path one = dir.resolve("one"), two = dir.resolve("two");
        assertEquals(0, run(train(one)).exit());
        assertEquals(0, run(train(two)).exit());
        var a = Checkpoint.load(one.resolve("checkpoint.eqf"));
        var b = Checkpoint.load(two.resolve("checkpoint.eqf"));
        for (String name : a.parameters().keySet()) assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
    }

    @Test
    void samplingWritesAnEnsembleNumpyCanRead() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        var r = run("sample", script.toString(), "--color=never", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| susceptibility |"), r.out());
        var ensemble = Npy.read(out.resolve("ensemble.npy"));
        assertArrayEquals(new int[] {128, 4, 4}, ensemble.shape());
        assertTrue(Files.readString(out.resolve("ensemble.json")).contains("\"sampler_method\""));
        assertTrue(Files.exists(out.resolve("report/summary.md")));
    }

    @Test
    void reweightingKeepsEveryProposalWithItsWeight() throws IOException {
        Files.writeString(script, Files.readString(script).replace("sample f { count 128", "sample f { method reweighting  count 128"));
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        var r = run("sample", script.toString(), "--color=never", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("reweighting: ESS"), r.out());
        assertArrayEquals(new int[] {128}, Npy.read(out.resolve("ensemble_log_weights.npy")).shape());
    }

    @Test
    void aCorruptedCheckpointIsRefusedWithAClearMessage() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        Path checkpoint = out.resolve("checkpoint.eqf");
        byte[] bytes = Files.readAllBytes(checkpoint);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(checkpoint, bytes);
        var r = run("sample", script.toString(), "--color=never", "--out", out.toString());
        assertEquals(1, r.exit());
        assertTrue(withoutWarnings(r.err()).startsWith("error: "), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        Files.write(checkpoint, java.util.Arrays.copyOf(bytes, 100));
        var truncated = run("sample", script.toString(), "--color=never", "--out", out.toString());
        assertEquals(1, truncated.exit());
        assertTrue(truncated.err().contains("truncated"), truncated.err());
    }

    @Test
    void aCheckpointOfAnotherLatticeIsRefused() {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        var r = run("sample", script.toString(), "--color=never", "--out", out.toString(), "--set", "T.lattice=[6,6]");
        assertEquals(1, r.exit());
        assertTrue(withoutWarnings(r.err()).startsWith("error: ") && r.err().contains("6"), r.err());
    }

    @Test
    void aDivergingRunStopsWithADiagnosisAndKeepsItsLastGoodCheckpoint() throws IOException {
        Files.writeString(script, Files.readString(script).replace("out_act = tanh", "out_act = identity"));
        Path out = dir.resolve("run");
        var r = run(train(out, "--lr", "1e8", "--steps", "200"));
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.err().contains("training diverged"), r.err());
        assertTrue(r.err().contains("learning rate"), r.err());
        var kept = Checkpoint.load(out.resolve("checkpoint.eqf"));
        assertTrue(kept.trainingStep() < 200);
        for (double[] values : kept.parameters().values()) for (double v : values) assertTrue(Double.isFinite(v));
    }

    @Test
    void samplingWithoutATrainedFlowSaysWhatToDo() {
        var r = run("sample", script.toString(), "--color=never", "--out", dir.resolve("nothing").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no trained flow") && r.err().contains("equiflow train"), r.err());
        assertFalse(Files.exists(dir.resolve("nothing")), "no run directory is made for nothing");
    }

    /**
     * A resumed run is the same run: an uninterrupted run with non-default seed, learning rate,
     * batch and --set ends bit-identical to one interrupted halfway and resumed with none of those
     * flags repeated (only the new total of --steps).
     */
    @Test
    void aResumedRunTakesSeedLrBatchAndSetFromItsCheckpoint() throws IOException {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        String[] runFlags = {"--seed", "11", "--lr", "0.003", "--batch", "4", "--set", "T.m2=-1.5"};
        var uninterrupted = run(train(straight, TinyRuns.concat(runFlags, "--steps", "6")));
        assertEquals(0, uninterrupted.exit(), uninterrupted.err());
        assertEquals(0, run(train(resumed, TinyRuns.concat(runFlags, "--steps", "3"))).exit());
        var second = run(train(resumed, "--resume", "--steps", "6"));
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("with the run's seed 11, lr 0.003, batch 4, --set T.m2=-1.5"), second.out());
        var a = Checkpoint.load(straight.resolve("checkpoint.eqf"));
        var b = Checkpoint.load(resumed.resolve("checkpoint.eqf"));
        assertEquals(6, b.trainingStep());
        for (String name : a.parameters().keySet()) {
            assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
            assertArrayEquals(a.adam().secondMoments().get(name), b.adam().secondMoments().get(name), name);
        }
        assertEquals(a.provenance(), b.provenance());
        assertEquals(Files.readString(straight.resolve("metrics.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                Files.readString(resumed.resolve("metrics.csv")).lines().map(l -> l.substring(0, l.lastIndexOf(','))).toList(),
                "the same history, apart from the seconds each step took");
        // Without --steps a resumed run goes to its own planned total, which it has reached.
        var again = run(train(resumed, "--resume"));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("already done 6 of its 6 steps"), again.out());
    }

    @Test
    void aResumedRunRefusesFlagsThatContradictIt() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out, "--seed", "3", "--steps", "2", "--set", "T.m2=-1.5")).exit());
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.eqf"));
        var seed = run(train(out, "--resume", "--steps", "4", "--seed", "5"));
        assertEquals(2, seed.exit(), seed.err());
        assertTrue(seed.err().contains("--seed 5 contradicts the run being resumed, which uses --seed 3"), seed.err());
        var lr = run(train(out, "--resume", "--steps", "4", "--lr", "0.5"));
        assertEquals(2, lr.exit(), lr.err());
        assertTrue(lr.err().contains("--lr 0.5 contradicts"), lr.err());
        var coupling = run(train(out, "--resume", "--steps", "4", "--set", "T.m2=-2.0"));
        assertEquals(1, coupling.exit(), coupling.err());
        assertTrue(coupling.err().contains("theory parameter T.m2: checkpoint -1.5, this run -2.0 — pass `--set T.m2=-1.5`"), coupling.err());
        var fewer = run(train(out, "--resume", "--steps", "1"));
        assertEquals(2, fewer.exit(), fewer.err());
        assertTrue(fewer.err().contains("--steps is the run's total number of steps, and this run has already done 2"), fewer.err());
        assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve("checkpoint.eqf")), "a refused resume changes nothing");
    }

    @Test
    void aFloat64RunIsResumedAndSampledInFloat64AndOtherPrecisionsAreRefused() throws IOException {
        Path out = dir.resolve("run");
        var trained = run(train(out, "--steps", "3", "--precision", "f64"));
        assertEquals(0, trained.exit(), trained.err());
        assertEquals("f64", Checkpoint.load(out.resolve("checkpoint.eqf")).dtype());
        var resumed = run(train(out, "--resume", "--steps", "4"));
        assertEquals(0, resumed.exit(), resumed.err());
        assertEquals("f64", Checkpoint.load(out.resolve("checkpoint.eqf")).dtype());
        var sampled = run("sample", script.toString(), "--out", out.toString(), "--count", "32", "--no-progress", "--color=never");
        assertEquals(0, sampled.exit(), sampled.err());
        var resumeF32 = run(train(out, "--resume", "--steps", "5", "--precision", "f32"));
        assertEquals(2, resumeF32.exit(), resumeF32.err());
        assertTrue(resumeF32.err().contains("--precision f32 contradicts the run, which was trained in --precision f64"), resumeF32.err());
        var sampleF32 = run("sample", script.toString(), "--out", out.toString(), "--count", "32", "--precision", "f32", "--color=never");
        assertEquals(2, sampleF32.exit(), sampleF32.err());
        assertTrue(sampleF32.err().contains("--precision f32 contradicts"), sampleF32.err());
        var unknown = run(train(dir.resolve("other"), "--precision", "f16"));
        assertEquals(2, unknown.exit(), unknown.err());
        assertTrue(unknown.err().contains("--precision: precision `f16` is not one equiflow computes in: f32 or f64"), unknown.err());
    }

    /**
     * A coupling set with --set is part of the run: sampling the same script without it is
     * refused with the parameter and the flag that restores it, and the run's ensemble survives.
     */
    @Test
    void aCouplingSetForTrainingIsPartOfTheRunsIdentity() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out, "--set", "T.m2=-1.5")).exit());
        var sampled = run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString(), "--set", "T.m2=-1.5");
        assertEquals(0, sampled.exit(), sampled.err());
        byte[] ensemble = Files.readAllBytes(out.resolve("ensemble.npy"));
        String metadata = Files.readString(out.resolve("ensemble.json"));
        assertTrue(metadata.contains("\"T.m2\" : \"-1.5\""), metadata);

        var withoutSet = run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString());
        assertEquals(1, withoutSet.exit(), withoutSet.err());
        assertTrue(withoutSet.err().contains("theory parameter T.m2: checkpoint -1.5, this run -1.0 — pass `--set T.m2=-1.5`"),
                withoutSet.err());
        assertArrayEquals(ensemble, Files.readAllBytes(out.resolve("ensemble.npy")));
        assertEquals(metadata, Files.readString(out.resolve("ensemble.json")));
    }

    /** Comments, formatting and run blocks are not part of what was trained: the checkpoint still serves. */
    @Test
    void aCommentOrAReformattedScriptKeepsTheCheckpoint() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        String edited = "// scan point for the paper\n" + Files.readString(script)
                .replace("m2 = -1.0, lambda = 1.0", "m2 = -1.0,   lambda = 1.0  /* as in the notebook */")
                .replace("count 128", "count 64");
        Files.writeString(script, edited);
        var r = run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertArrayEquals(new int[] {64, 4, 4}, Npy.read(out.resolve("ensemble.npy")).shape());
        // A changed net is another flow: refused, pointing at the command that prints the trained script.
        Files.writeString(script, edited.replace("hidden = [2]", "hidden = [3]"));
        var other = run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString());
        assertEquals(1, other.exit(), other.err());
        assertTrue(other.err().contains("equiflow script"), other.err());
        assertFalse(other.err().contains("Checkpoint.extractScript"), other.err());
    }

    @Test
    void theScriptCommandPrintsTheTrainedScriptAndItsOverrides() throws IOException {
        Path out = dir.resolve("run");
        String original = Files.readString(script);
        assertEquals(0, run(train(out, "--set", "T.m2=-1.5", "--seed", "9")).exit());
        Files.writeString(script, original.replace("lambda = 1.0", "lambda = 2.0"));
        var r = run("script", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("// trained with: --set T.m2=-1.5"), r.out());
        assertTrue(r.out().contains("seed 9"), r.out());
        assertTrue(r.out().endsWith(original), r.out());
        // What it prints is a script that runs again: into a file, sampled with the printed --set.
        Path restored = dir.resolve("restored.flow");
        Files.writeString(restored, r.out());
        var sampled = run("sample", restored.toString(), "--color=never", "--no-progress", "--out", out.toString(), "--set", "T.m2=-1.5");
        assertEquals(0, sampled.exit(), sampled.err());
        var missing = run("script", dir.resolve("nowhere").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("error: no checkpoint at"), missing.err());
    }

    /** Training again into a trained run's directory is refused (nothing touched) unless --resume or --force says what is meant. */
    @Test
    void retrainingIntoATrainedRunNeedsForce() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out, "--steps", "2")).exit());
        assertEquals(0, run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString()).exit());
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.eqf"));
        byte[] ensemble = Files.readAllBytes(out.resolve("ensemble.npy"));
        for (String command : new String[] {"train", "run"}) {
            var r = run(command, script.toString(), "--no-progress", "--color=never", "--out", out.toString(), "--steps", "3");
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("already holds a trained run") && r.err().contains("--resume") && r.err().contains("--force"), r.err());
            assertArrayEquals(checkpoint, Files.readAllBytes(out.resolve("checkpoint.eqf")));
            assertArrayEquals(ensemble, Files.readAllBytes(out.resolve("ensemble.npy")));
        }
        var forced = run(train(out, "--steps", "3", "--force"));
        assertEquals(0, forced.exit(), forced.err());
        assertEquals(3, Checkpoint.load(out.resolve("checkpoint.eqf")).trainingStep());
        assertFalse(Files.exists(out.resolve("ensemble.npy")), "the replaced run's ensemble went with it");
        var both = run(train(out, "--resume", "--force"));
        assertEquals(2, both.exit());
    }

    /** A second command into a directory in use is refused, naming the holder's pid. */
    @Test
    void aRunDirectoryInUseIsRefused() throws IOException {
        Path out = dir.resolve("run");
        try (var held = RunDirectory.open(out)) {
            var r = run(train(out));
            assertEquals(1, r.exit(), r.err());
            assertTrue(r.err().contains("in use by another equiflow command (pid " + ProcessHandle.current().pid() + ")"), r.err());
            assertFalse(Files.exists(out.resolve("checkpoint.eqf")));
        }
        assertEquals(0, run(train(out)).exit(), "released when the holder is done");
    }

    /** A directory that cannot be written is found before any training. */
    @Test
    void anUnwritableRunDirectoryIsFoundBeforeTheWork() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a directory");
        var r = run(train(file.resolve("run")));
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("cannot be created"), r.err());
        assertFalse(r.out().contains("training f"), r.out());
        Path readOnly = dir.resolve("read-only");
        Files.createDirectories(readOnly);
        assertTrue(readOnly.toFile().setWritable(false, false));
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.isWritable(readOnly), "permissions do not bind this user (root)");
            var denied = run(train(readOnly));
            assertEquals(1, denied.exit(), denied.err());
            assertTrue(denied.err().contains("is not writable"), denied.err());
            assertFalse(denied.out().contains("training f"), denied.out());
        } finally {
            readOnly.toFile().setWritable(true, false);
        }
    }

    /** What a killed run left behind (half-written files, a staged result never committed) is removed by the next. */
    @Test
    void leftoversOfAKilledRunAreCleanedUp() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        Path partial = out.resolve(".checkpoint.eqf.8731.partial");
        Path staged = out.resolve(".results/20260101T000000-deadbeef/ensemble.npy");
        Files.createDirectories(staged.getParent());
        Files.writeString(partial, "half");
        Files.writeString(staged, "half");
        assertEquals(0, run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString()).exit());
        assertFalse(Files.exists(partial));
        assertFalse(Files.exists(staged.getParent()));
        try (var results = Files.list(out.resolve(".results"))) {
            assertEquals(List.of(out.resolve("result").toRealPath()), results.map(p -> {
                try {
                    return p.toRealPath();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList(), "only the committed result is left");
        }
    }

    /**
     * A run directory of the layout before results were committed as a unit (plain files, the log
     * weights of an earlier reweighting run) is taken over: no stale file survives beside the new result.
     */
    @Test
    void anOldLayoutIsReplacedByTheCommittedResult() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(0, run(train(out)).exit());
        Files.writeString(out.resolve("ensemble.npy"), "old");
        Files.writeString(out.resolve("ensemble.json"), "{}");
        Files.writeString(out.resolve("ensemble_log_weights.npy"), "old weights");
        Files.createDirectories(out.resolve("report"));
        Files.writeString(out.resolve("report/summary.md"), "old");
        var r = run("sample", script.toString(), "--color=never", "--no-progress", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        for (String entry : List.of("ensemble.npy", "ensemble.json", "report")) assertTrue(Files.isSymbolicLink(out.resolve(entry)), entry);
        assertArrayEquals(new int[] {128, 4, 4}, Npy.read(out.resolve("ensemble.npy")).shape());
        assertFalse(Files.exists(out.resolve("ensemble_log_weights.npy"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "the weights of another run do not stay beside a Metropolis chain");
        assertFalse(Files.readString(out.resolve("report/summary.md")).equals("old"));
    }

    /** Sampling without the --set a run was trained with, in the default directories, points at the trained scan point. */
    @Test
    void samplingWithoutTheSetValuesPointsAtTheTrainedScanPoint() throws IOException {
        Path base = dir.resolve("runs-of-f");
        Path point = base.resolve("T.m2=-1.5");
        assertEquals(0, run(train(point, "--set", "T.m2=-1.5")).exit());
        var r = run("sample", script.toString(), "--color=never", "--no-progress", "--out", base.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no trained flow") && r.err().contains("a run trained with --set is at " + point), r.err());
    }

    @Test
    void theDefaultDirectoryOfAScanPointNamesItsSetValues() {
        assertEquals(Path.of("runs", "phi4", "f"), RunDirectory.defaultPath("examples/phi4.flow", "f", Map.of()));
        assertEquals(Path.of("runs", "phi4", "f", "T.lattice=16x16,T.m2=-3.5"),
                RunDirectory.defaultPath("examples/phi4.flow", "f", Map.of("T.m2", "-3.5", "T.lattice", "[16, 16]")));
        assertEquals("T.name=a_b", RunDirectory.overrideLabel(Map.of("T.name", "a/b")));
    }

    /** The script's flow breaks z2 without claiming it, so the compiler's W0410 warning comes first. */
    private static String withoutWarnings(String err) {
        int at = err.indexOf("\nerror");
        return err.startsWith("warning[") && at >= 0 ? err.substring(at + 1) : err;
    }
}
