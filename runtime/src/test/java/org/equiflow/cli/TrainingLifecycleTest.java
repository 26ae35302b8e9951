package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        script = dir.resolve("tiny.flow");
        Files.writeString(script, """
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)
                flow f for T {
                    prior normal()
                    repeat i in 0..2 {
                        affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [2], out_act = tanh))
                    }
                }
                train f { batch 8  steps 6  seed 3  checkpoint_every 1 }
                sample f { count 128  measure magnetization, susceptibility, acceptance }
                """);
    }

    private static CliTest.Run run(String... args) { return CliTest.run(args); }

    private String[] train(Path out, String... extra) {
        String[] base = {"train", script.toString(), "--no-progress", "--color=never", "--out", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void aResumedRunEndsExactlyWhereTheUninterruptedOneDoes() throws IOException {
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        assertEquals(0, run(train(straight)).exit());
        assertEquals(0, run(train(resumed, "--steps", "3")).exit());
        var second = run(train(resumed, "--resume"));
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
    }

    /** The script's flow breaks z2 without claiming it, so the compiler's W0410 warning comes first. */
    private static String withoutWarnings(String err) {
        int at = err.indexOf("\nerror");
        return err.startsWith("warning[") && at >= 0 ? err.substring(at + 1) : err;
    }
}
