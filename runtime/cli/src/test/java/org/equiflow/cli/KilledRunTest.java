package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.equiflow.api.RunDirectory;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs killed with SIGKILL. During `sample`, at random moments: the run directory always holds
 * one complete result — the previous one or the new one — whose array matches its metadata,
 * never the array of one run beside the metadata of another. During `train`: resumed with no
 * flag repeated, the run ends bit-identical to one that was never interrupted.
 */
class KilledRunTest {
    private static final int KILLS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aKilledSamplingRunLeavesTheOldResultOrTheNewOneNeverAMix() throws Exception {
        Path script = TinyRuns.oneCoupling(dir);
        Path out = dir.resolve("run");
        assertEquals(0, CliTest.run("train", script.toString(), "--steps", "2", "--batch", "4", "--no-progress", "--color=never",
                "--out", out.toString()).exit());
        // Each sampling run is told apart by its seed, and its count is a function of the seed.
        Map<Long, Long> countOfSeed = new HashMap<>();
        countOfSeed.put(1L, 300L);
        // The first result comes from an uninterrupted child, which also times a child's whole life.
        long started = System.nanoTime();
        Process first = sampling(script, out, 1, 300).start();
        assertEquals(0, first.waitFor(), "an uninterrupted child samples");
        long lifeMillis = (System.nanoTime() - started) / 1_000_000;
        long previous = resultSeed(out, countOfSeed);
        assertEquals(1, previous);

        Random random = new Random(20261204);
        int completed = 0;
        List<String> outcomes = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            long seed = 100 + k;
            long count = 200 + 10L * k;
            countOfSeed.put(seed, count);
            Process child = sampling(script, out, seed, count).start();
            // Kill anywhere from the JVM's start-up (which compiles the script) to a little after a child's usual end,
            // so that some kills land while the result is written and some runs complete.
            Thread.sleep(lifeMillis / 2 + (long) (random.nextDouble() * lifeMillis * 8 / 10));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed child exits");
            long found = resultSeed(out, countOfSeed);
            assertTrue(found == previous || found == seed, "after kill " + k + " the result is of seed " + found
                    + ", neither the previous run's (" + previous + ") nor the killed one's (" + seed + ")");
            if (found == seed) completed++;
            long staged;
            try (var results = Files.list(out.resolve(RunDirectory.RESULTS))) {
                staged = results.count() - 1;
            }
            // "old+staged": killed while writing its result, which the next run removes.
            outcomes.add(found == seed ? "new" : staged > 0 ? "old+staged" : "old");
            previous = found;
        }
        // The directory is still usable: the next run cleans what the kills left and commits its result.
        assertEquals(0, CliTest.run("sample", script.toString(), "--sample-seed", "7", "--count", "50", "--no-progress",
                "--color=never", "--out", out.toString()).exit());
        countOfSeed.put(7L, 50L);
        assertEquals(7, resultSeed(out, countOfSeed));
        try (var results = Files.list(out.resolve(RunDirectory.RESULTS))) {
            assertEquals(1, results.count(), "only the current result remains");
        }
        System.out.println("kills: " + outcomes + " (" + completed + " runs completed before their kill; a child lives "
                + lifeMillis + " ms)");
    }

    /**
     * Killed halfway through training started with non-default seed, learning rate, batch and
     * --set, and with a warm-up, a cosine schedule over the run's 150 steps, gradient clipping and
     * AdamW, then resumed with nothing but --resume and --out: the same weights, optimizer state
     * and history as an uninterrupted run, to the last bit.
     */
    @Test
    void aTrainingRunKilledHalfwayAndResumedWithoutFlagsEndsAsIfNeverInterrupted() throws Exception {
        Path script = TinyRuns.twoCouplings(dir, 4, "train f { batch 8  steps 10  seed 3  optimizer adamw(weight_decay = 0.1)"
                + "  lr_schedule cosine(floor = 0.1)  warmup 5  clip_grad_norm 1.0 }\n");
        String[] runFlags = {"--seed", "11", "--lr", "0.003", "--batch", "4", "--set", "T.m2=-1.5", "--steps", "150",
                "--checkpoint-every", "1", "--no-progress", "--color=never"};
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        var uninterrupted = CliTest.run(TinyRuns.concat(new String[] {"train", script.toString(), "--out", straight.toString()}, runFlags));
        assertEquals(0, uninterrupted.exit(), uninterrupted.err());

        Process child = child(TinyRuns.concat(new String[] {"train", script.toString(), "--out", killed.toString()}, runFlags)).start();
        long step = 0;
        Path checkpoint = killed.resolve("checkpoint.eqf");
        while (child.isAlive() && step < 5) {
            Thread.sleep(5);
            if (Files.exists(checkpoint)) step = Checkpoint.load(checkpoint).trainingStep();
        }
        // While the child trains, the directory is its own: another process's command is refused, naming the child.
        var intruder = CliTest.run("sample", script.toString(), "--no-progress", "--color=never", "--out", killed.toString(),
                "--set", "T.m2=-1.5");
        if (child.isAlive()) {
            assertEquals(1, intruder.exit(), intruder.err());
            assertTrue(intruder.err().contains("in use by another equiflow command (pid " + child.pid() + ")"), intruder.err());
        }
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
        long at = Checkpoint.load(checkpoint).trainingStep();
        org.junit.jupiter.api.Assumptions.assumeTrue(at < 150, "the child finished before it could be killed");

        var resumed = CliTest.run("train", script.toString(), "--out", killed.toString(), "--resume", "--no-progress", "--color=never");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("resuming f from step " + at), resumed.out());
        var a = Checkpoint.load(straight.resolve("checkpoint.eqf"));
        var b = Checkpoint.load(checkpoint);
        assertEquals(150, b.trainingStep());
        for (String name : a.parameters().keySet()) {
            assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
            assertArrayEquals(a.adam().firstMoments().get(name), b.adam().firstMoments().get(name), name);
        }
        assertEquals(withoutSeconds(straight.resolve("metrics.csv")), withoutSeconds(killed.resolve("metrics.csv")));
        System.out.println("training killed at step " + at + " of 150, resumed");
    }

    private static List<String> withoutSeconds(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream().map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }

    /**
     * Reads the current result through the stable paths and checks it is whole: the array's shape
     * is the metadata's, its length the count this seed was run with, the report is there.
     */
    private static long resultSeed(Path out, Map<Long, Long> countOfSeed) throws IOException {
        JsonNode metadata = JSON.readTree(out.resolve("ensemble.json").toFile());
        long seed = metadata.get("seed").asLong();
        long count = metadata.get("count").asLong();
        assertEquals(countOfSeed.get(seed), count, "metadata of seed " + seed + " with the count of another run: " + metadata);
        int[] shape = Npy.read(out.resolve("ensemble.npy")).shape();
        assertEquals(count, shape[0], "array and metadata of different runs");
        assertEquals(metadata.get("shape").toString(), JSON.valueToTree(shape).toString());
        assertTrue(Files.exists(out.resolve("report").resolve("summary.md")), "the report is part of the result");
        return seed;
    }

    private static ProcessBuilder sampling(Path script, Path out, long seed, long count) {
        return child("sample", script.toString(), "--sample-seed", String.valueOf(seed), "--count", String.valueOf(count),
                "--sample-batch", "16", "--no-progress", "--color=never", "--out", out.toString());
    }

    /** equiflow ARGS in a child JVM of this test's classpath, its output discarded. */
    private static ProcessBuilder child(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Coverage or debugger agents of the test JVM would slow the child or clash on their ports.
            if (!argument.startsWith("-javaagent") && !argument.startsWith("-agentlib") && !argument.startsWith("-XX:+Use")
                    && !argument.startsWith("-XX:TieredStopAtLevel")) {
                command.add(argument);
            }
        }
        // A child lives about three seconds, mostly starting up: C1 alone and the serial collector start it fastest.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
}
