package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.equiflow.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `equiflow hmc` on two MPI ranks divides the chains between them: each rank's chains are
 * independent of the other's (their own seeds), the ensemble holds every chain in chain order, rank
 * 0 alone writes and reports, and ⟨φ²⟩ agrees with one process's within errors. A job with fewer
 * chains than ranks is refused before any trajectory, with one message. Skipped without mpirun,
 * except on CI (environment variable CI set).
 */
class MpiHmcTest {
    private static final int CHAINS = 4, TRAJECTORIES = 1500, VOLUME = 16;

    @TempDir
    Path dir;

    @Test
    void twoRanksRunTheChainsBetweenThemAndAgreeWithOneProcess() throws Exception {
        Path script = dir.resolve("phi4.flow");
        Files.writeString(script, """
                use std.theories.phi4
                theory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)
                """);
        Path one = dir.resolve("one"), two = dir.resolve("two");
        CliTest.Run single = CliTest.run(hmc(script, one, CHAINS).toArray(String[]::new));
        assertEquals(0, single.exit(), single.err());
        MpiJobs.Job job = MpiJobs.await(MpiJobs.openMpi(2, hmc(script, two, CHAINS)), dir.resolve("hmc.log"));
        assertEquals(0, job.exitCode(), job.output());
        assertEquals(1, job.output().lines().filter(l -> l.startsWith("HMC on 2 MPI ranks (Open MPI")).count(), job.output());
        assertEquals(1, job.output().lines().filter(l -> l.startsWith("ensemble: ")).count(), "rank 0 alone reports:\n" + job.output());

        float[] ensemble = Npy.readFloats(two.resolve("result/ensemble.npy")).data();
        assertEquals(CHAINS * TRAJECTORIES * VOLUME, ensemble.length);
        // Chain-major: rank 0 ran chains 0 and 1, rank 1 chains 2 and 3, every history filled and each its own.
        for (int c = 0; c < CHAINS; c++) assertFalse(Arrays.equals(chain(ensemble, c), new float[TRAJECTORIES * VOLUME]), "chain " + c + " is empty");
        assertFalse(Arrays.equals(chain(ensemble, 0), chain(ensemble, 2)), "rank 1's first chain repeats rank 0's");

        double[] a = phi2(single.out()), b = phi2(job.output());
        double pull = (a[0] - b[0]) / Math.hypot(a[1], b[1]);
        assertTrue(Math.abs(pull) < 4, "<phi2> one process " + a[0] + " ± " + a[1] + ", two ranks " + b[0] + " ± " + b[1]);
        assertNotEquals(a[0], b[0], "two ranks ran the one-process chains: rank 1's seed is not its own");
    }

    @Test
    void fewerChainsThanRanksIsRefusedBeforeAnyTrajectory() throws Exception {
        Path script = dir.resolve("phi4.flow");
        Files.writeString(script, "use std.theories.phi4\ntheory T = phi4(lattice = [4, 4], m2 = -1.0, lambda = 1.0)\n");
        MpiJobs.Job job = MpiJobs.await(MpiJobs.openMpi(2, hmc(script, dir.resolve("refused"), 1)), dir.resolve("refused.log"));
        assertNotEquals(0, job.exitCode(), job.output());
        assertEquals(1, job.output().lines().filter(l -> l.contains("--chains 1 is fewer than the job's 2 ranks")).count(), job.output());
        assertFalse(Files.exists(dir.resolve("refused/result")), "nothing was committed");
    }

    private static List<String> hmc(Path script, Path out, int chains) {
        return List.of("hmc", script.toString(), "--chains", Integer.toString(chains), "--trajectories", Integer.toString(TRAJECTORIES),
                "--thermalize", "100", "--seed", "5", "--no-progress", "--color=never", "--out", out.toString());
    }

    private static float[] chain(float[] ensemble, int c) {
        return Arrays.copyOfRange(ensemble, c * TRAJECTORIES * VOLUME, (c + 1) * TRAJECTORIES * VOLUME);
    }

    /** ⟨φ²⟩ and its error from the printed table row {@code | phi2 | value | error | tau_int |}. */
    private static double[] phi2(String output) {
        String row = output.lines().filter(l -> l.startsWith("| phi2 |")).findFirst()
                .orElseThrow(() -> new AssertionError("no phi2 row:\n" + output));
        String[] cells = row.split("\\|");
        return new double[] {Double.parseDouble(cells[2].strip()), Double.parseDouble(cells[3].strip())};
    }
}
