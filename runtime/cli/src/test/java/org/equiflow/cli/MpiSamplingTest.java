package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `equiflow sample` on two MPI ranks (Open MPI's mpirun, oversubscribed) gives the ensemble one
 * process gives, byte for byte, and the same printed acceptance, ESS and measurements: every rank
 * draws the same latent fields, pushes its share of each batch's blocks through the flow, and all
 * ranks complete the batch and run the same chain. The tutorial's 8×8 flow with --sample-batch 128
 * is cut into 4 blocks of 32 configurations, 2 per rank. Both the independence Metropolis chain
 * and reweighting are compared (and, where MPICH's mpiexec.mpich is installed, the chain under
 * MPICH): the chain of a flow trained 3 steps accepts a few proposals only,
 * so its ensemble checks above all that every log-weight (every accept decision) is the same;
 * reweighting keeps every proposal with its log-weight, so its arrays check every configuration
 * of both ranks' blocks. Skipped without mpirun, except on CI (environment variable CI set).
 */
class MpiSamplingTest {
    private static final Path SCRIPT = Repository.root().resolve("examples/phi4_tutorial.flow");

    @TempDir
    Path dir;

    @Test
    void twoRanksDrawTheEnsembleOneProcessDraws() throws Exception {
        Path trained = dir.resolve("trained");
        assertEquals(0, CliTest.run("train", SCRIPT.toString(), "--steps", "3", "--batch", "64", "--no-progress", "--color=never",
                "--out", trained.toString()).exit());
        Path reweighting = dir.resolve("phi4_reweighting.flow");
        String script = Files.readString(SCRIPT);
        assertTrue(script.contains("method  independence_metropolis"), "the tutorial's sample block changed");
        // The same flow and theory (the checkpoint's identity), sampled by reweighting instead.
        Files.writeString(reweighting, script.replace("method  independence_metropolis", "method  reweighting"));
        for (Path file : List.of(SCRIPT, reweighting)) {
            Path one = dir.resolve(file.getFileName() + "-one"), two = dir.resolve(file.getFileName() + "-two");
            MpiJobs.copyRun(trained, one);
            MpiJobs.copyRun(trained, two);
            CliTest.Run single = CliTest.run(sample(file, one).toArray(String[]::new));
            assertEquals(0, single.exit(), single.err());
            MpiJobs.Job job = MpiJobs.await(MpiJobs.openMpi(2, sample(file, two)), dir.resolve("sample.log"));
            assertEquals(0, job.exitCode(), job.output());
            assertEquals(1, job.output().lines().filter(l -> l.startsWith("sampling on 2 MPI ranks (Open MPI")).count(),
                    "the job says once how it is distributed:\n" + job.output());
            assertEquals(1, job.output().lines().filter(l -> l.startsWith("ensemble: ")).count(), "rank 0 alone reports:\n" + job.output());
            List<String> measured = measuredLines(single.out());
            assertFalse(measured.isEmpty(), single.out());
            assertTrue(measured.stream().anyMatch(l -> l.startsWith(file == SCRIPT ? "acceptance " : "reweighting: ESS")), single.out());
            assertEquals(measured, measuredLines(job.output()), "the printed acceptance, ESS and measurements");
            Path current = Path.of("result");
            List<String> arrays = npyFiles(one.resolve(current));
            assertEquals(file == SCRIPT ? List.of("ensemble.npy") : List.of("ensemble.npy", "ensemble_log_weights.npy"), arrays);
            assertEquals(arrays, npyFiles(two.resolve(current)));
            for (String array : arrays) {
                assertArrayEquals(Files.readAllBytes(one.resolve(current).resolve(array)), Files.readAllBytes(two.resolve(current).resolve(array)),
                        array + " of the 2-rank job differs from one process's (" + file.getFileName() + ")");
            }
        }
    }

    /**
     * MPICH (Hydra's mpiexec.mpich, its int handles) draws the same chain as one process too, and its
     * UCX transport leaves libc's memory functions alone: UCX's memory hooks, which rewrite mmap,
     * munmap, madvise … under the JVM's threads, are off (their debug log names every hook it
     * installs).
     */
    @Test
    void mpichDrawsTheEnsembleOneProcessDraws() throws Exception {
        Path trained = dir.resolve("trained"), one = dir.resolve("one"), two = dir.resolve("mpich");
        assertEquals(0, CliTest.run("train", SCRIPT.toString(), "--steps", "3", "--batch", "64", "--no-progress", "--color=never",
                "--out", trained.toString()).exit());
        MpiJobs.copyRun(trained, one);
        MpiJobs.copyRun(trained, two);
        CliTest.Run single = CliTest.run(sample(SCRIPT, one).toArray(String[]::new));
        assertEquals(0, single.exit(), single.err());
        ProcessBuilder mpich = MpiJobs.mpich(2, sample(SCRIPT, two));
        mpich.environment().put("UCX_MEM_LOG_LEVEL", "debug");
        MpiJobs.Job job = MpiJobs.await(mpich, dir.resolve("mpich.log"));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("sampling on 2 MPI ranks (MPICH"), job.output());
        assertTrue(job.output().lines().noneMatch(l -> l.contains("installing bistro hook") || l.contains("hooks are ready")),
                "UCX hooked libc's memory functions in a rank:\n" + job.output());
        assertEquals(measuredLines(single.out()), measuredLines(job.output()));
        assertArrayEquals(Files.readAllBytes(one.resolve("result/ensemble.npy")), Files.readAllBytes(two.resolve("result/ensemble.npy")));
    }

    private static List<String> sample(Path script, Path out) {
        return List.of("sample", script.toString(), "--count", "256", "--sample-batch", "128", "--no-progress", "--color=never",
                "--out", out.toString());
    }

    /** The lines that carry numbers of the chain: acceptance and ESS, and the measurement tables. */
    private static List<String> measuredLines(String output) {
        return output.lines().filter(l -> l.startsWith("acceptance ") || l.startsWith("reweighting: ") || l.startsWith("|")).toList();
    }

    private static List<String> npyFiles(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".npy")).sorted().toList();
        }
    }
}
