package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.equiflow.io.Checkpoint;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `equiflow train` on several MPI ranks (Open MPI's mpirun, oversubscribed so that it runs on any
 * machine): the checkpoint is byte for byte the one a single process writes, also when a 2-rank
 * run is resumed on 1 or 4 ranks; the job says once how it is distributed; and a rank killed
 * mid-run ends the job within seconds, naming the rank, with the last checkpoint intact. The
 * tutorial's flow with batch 128 is cut into 4 blocks of 32 configurations, so 2 ranks compute
 * 2 blocks each and 4 ranks one each. Skipped without mpirun, except on CI (environment variable
 * CI set), where it fails: .ci/run installs Open MPI.
 */
class MpiTrainingTest {
    private static final Path SCRIPT = Repository.root().resolve("examples/phi4_tutorial.flow");

    @TempDir
    Path dir;

    @Test
    void twoRanksWriteTheCheckpointOneProcessWrites() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("two");
        assertEquals(0, CliTest.run(train(one, 6).toArray(String[]::new)).exit());
        MpiJobs.Job job = mpirun(2, train(two, 6));
        assertEquals(0, job.exitCode(), job.output());
        assertEquals(1, job.output().lines().filter(l -> l.startsWith("training on 2 MPI ranks (Open MPI")).count(),
                "the job says once how it is distributed:\n" + job.output());
        assertEquals(1, job.output().lines().filter(l -> l.startsWith("trained 6 steps")).count(), "rank 0 alone reports:\n" + job.output());
        assertSameRun(one, two);
    }

    /**
     * `equiflow run` on 2 ranks trains and samples under one lock; its sampling reads the checkpoint
     * rank 0 writes at the last step (a barrier keeps rank 1 from reading it sooner): the checkpoint
     * and the ensemble are one process's.
     */
    @Test
    void twoRanksRunTrainingAndSamplingAsOneProcess() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("two");
        CliTest.Run single = CliTest.run(run(one).toArray(String[]::new));
        assertEquals(0, single.exit(), single.err());
        MpiJobs.Job job = mpirun(2, run(two));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("training and sampling on 2 MPI ranks"), job.output());
        assertArrayEquals(Files.readAllBytes(one.resolve("checkpoint.eqf")), Files.readAllBytes(two.resolve("checkpoint.eqf")));
        assertArrayEquals(Files.readAllBytes(one.resolve("result/ensemble.npy")), Files.readAllBytes(two.resolve("result/ensemble.npy")));
    }

    private static List<String> run(Path out) {
        return List.of("run", SCRIPT.toString(), "--steps", "3", "--batch", "128", "--count", "256", "--no-progress", "--color=never",
                "--out", out.toString());
    }

    /**
     * The MPICH family (Hydra's mpiexec.mpich; its int handles, its UCX transport, whose signal
     * handlers the communicator keeps off the JVM's) trains the same checkpoint as one process.
     */
    @Test
    void mpichTrainsTheCheckpointOneProcessWrites() throws Exception {
        Path one = dir.resolve("one"), two = dir.resolve("mpich");
        assertEquals(0, CliTest.run(train(one, 6).toArray(String[]::new)).exit());
        MpiJobs.Job job = MpiJobs.await(MpiJobs.mpich(2, train(two, 6)), dir.resolve("mpich.log"));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("training on 2 MPI ranks (MPICH"), job.output());
        assertSameRun(one, two);
    }

    /**
     * --reduction rank-sums groups the additions by rank, so its last bits may differ from one
     * process's; it must still be the same run within float rounding (f32 here), on every rank alike.
     */
    @Test
    void rankSumsAgreeWithOneProcessWithinRounding() throws Exception {
        Path one = dir.resolve("one"), sums = dir.resolve("sums");
        assertEquals(0, CliTest.run(train(one, 6).toArray(String[]::new)).exit());
        List<String> arguments = new ArrayList<>(train(sums, 6));
        arguments.addAll(List.of("--reduction", "rank-sums"));
        MpiJobs.Job job = mpirun(2, arguments);
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("gradients added in rank sums"), job.output());
        var expected = Checkpoint.load(one.resolve("checkpoint.eqf")).parameters();
        var actual = Checkpoint.load(sums.resolve("checkpoint.eqf")).parameters();
        assertEquals(expected.keySet(), actual.keySet());
        double largest = 0;
        for (var entry : expected.entrySet()) {
            double[] a = entry.getValue(), b = actual.get(entry.getKey());
            for (int i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
        }
        // Adam moves each parameter by at most about lr = 1e-3 a step; rounding differences move it by far less.
        assertTrue(largest < 1e-5, "largest parameter difference " + largest);
    }

    @Test
    void aTwoRankRunResumedOnOneOrFourRanksIsTheUninterruptedRun() throws Exception {
        Path uninterrupted = dir.resolve("uninterrupted"), onOne = dir.resolve("on1"), onFour = dir.resolve("on4");
        assertEquals(0, CliTest.run(train(uninterrupted, 6).toArray(String[]::new)).exit());
        MpiJobs.Job half = mpirun(2, train(onOne, 3));
        assertEquals(0, half.exitCode(), half.output());
        MpiJobs.copyRun(onOne, onFour);
        assertEquals(0, CliTest.run(resume(onOne, 6).toArray(String[]::new)).exit());
        MpiJobs.Job four = mpirun(4, resume(onFour, 6));
        assertEquals(0, four.exitCode(), four.output());
        assertTrue(four.output().contains("training on 4 MPI ranks"), four.output());
        assertSameRun(uninterrupted, onOne);
        assertSameRun(uninterrupted, onFour);
    }

    /**
     * Rank 0 cannot lock the run directory (another command holds it): every rank learns it before
     * the first step and the job ends, non-zero, with rank 0's message printed once, not a hang of
     * rank 1 in a collective rank 0 never reaches.
     */
    @Test
    void aFailureOfRankZeroBeforeTheFirstStepEndsEveryRank() throws Exception {
        Path run = dir.resolve("locked");
        Files.createDirectories(run);
        try (var channel = java.nio.channels.FileChannel.open(run.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var lock = channel.lock()) {
            MpiJobs.Job job = mpirun(2, train(run, 6));
            assertNotEquals(0, job.exitCode(), job.output());
            assertEquals(1, job.output().lines().filter(l -> l.startsWith("error: ")).count(), "one error, from rank 0:\n" + job.output());
            assertTrue(job.output().contains("lock"), job.output());
            assertTrue(!Files.exists(run.resolve("checkpoint.eqf")), "nothing was trained");
        }
    }

    /** Every rank parses the same bad command line; rank 0 alone prints the usage error. */
    @Test
    void aUsageErrorIsPrintedOnce() throws Exception {
        List<String> arguments = new ArrayList<>(train(dir.resolve("bad"), 6));
        arguments.add("--no-such-option");
        MpiJobs.Job job = mpirun(2, arguments);
        assertNotEquals(0, job.exitCode(), job.output());
        assertEquals(1, job.output().lines().filter(l -> l.contains("--no-such-option")).count(), job.output());
    }

    @Test
    void aKilledRankEndsTheJobWithinSecondsAndTheCheckpointSurvives() throws Exception {
        Path run = dir.resolve("killed");
        Process launcher = MpiJobs.openMpi(2, train(run, 100_000, 2)).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path checkpoint = run.resolve("checkpoint.eqf");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MpiJobs.JOB_SECONDS);
        while (!Files.exists(checkpoint) && System.nanoTime() < deadline && launcher.isAlive()) Thread.sleep(100);
        assertTrue(Files.exists(checkpoint), "no checkpoint appeared:\n" + Files.readString(dir.resolve("killed.log")));
        ProcessHandle rankOne = launcher.descendants().filter(p -> rankOf(p) == 1).findFirst()
                .orElseThrow(() -> new AssertionError("no process of rank 1 among the launcher's"));
        long killed = System.nanoTime();
        rankOne.destroyForcibly();
        boolean ended = launcher.waitFor(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - killed) * 1e-9;
        String output = Files.readString(dir.resolve("killed.log"));
        if (!ended) {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
            fail("the job hung after rank 1 was killed:\n" + output);
        }
        assertNotEquals(0, launcher.exitValue(), output);
        assertTrue(seconds < 15, "the job took " + seconds + " s to end:\n" + output);
        assertTrue(output.contains("rank 1"), "the launcher names the killed rank:\n" + output);
        // Whatever the moment of the kill, the checkpoint is a whole one, and the run continues from it.
        long step = Checkpoint.load(checkpoint).trainingStep();
        assertTrue(step >= 2 && step % 2 == 0, "checkpoint at step " + step);
        assertEquals(0, CliTest.run(resume(run, (int) step + 1).toArray(String[]::new)).exit());
    }

    private static List<String> train(Path out, int steps) {
        return train(out, steps, 3);
    }

    private static List<String> train(Path out, int steps, int checkpointEvery) {
        return List.of("train", SCRIPT.toString(), "--steps", Integer.toString(steps), "--batch", "128",
                "--checkpoint-every", Integer.toString(checkpointEvery),
                "--no-progress", "--color=never", "--out", out.toString());
    }

    private static List<String> resume(Path out, int steps) {
        return List.of("train", SCRIPT.toString(), "--steps", Integer.toString(steps), "--resume", "--checkpoint-every", "3",
                "--no-progress", "--color=never", "--out", out.toString());
    }

    /** The same parameters, optimizer state and history (bytes of the checkpoint), and the same metrics but the timings. */
    private static void assertSameRun(Path expected, Path actual) throws IOException {
        assertArrayEquals(Files.readAllBytes(expected.resolve("checkpoint.eqf")), Files.readAllBytes(actual.resolve("checkpoint.eqf")),
                actual + "'s checkpoint differs from " + expected + "'s");
        assertEquals(withoutSeconds(expected.resolve("metrics.csv")), withoutSeconds(actual.resolve("metrics.csv")));
    }

    /** metrics.csv without its last column, the step's wall time. */
    private static List<String> withoutSeconds(Path metrics) throws IOException {
        return Files.readAllLines(metrics).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    private MpiJobs.Job mpirun(int ranks, List<String> arguments) throws IOException, InterruptedException {
        return MpiJobs.await(MpiJobs.openMpi(ranks, arguments), dir.resolve("mpirun-" + System.nanoTime() + ".log"));
    }

    /** The MPI rank of a process Open MPI started (from its environment), or -1. */
    private static int rankOf(ProcessHandle process) {
        try {
            String environment = Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ"));
            for (String entry : environment.split("\0")) {
                if (entry.startsWith("OMPI_COMM_WORLD_RANK=")) return Integer.parseInt(entry.substring("OMPI_COMM_WORLD_RANK=".length()));
            }
        } catch (IOException | RuntimeException e) {
            // A process that ended or is not ours has no rank to read.
        }
        return -1;
    }
}
