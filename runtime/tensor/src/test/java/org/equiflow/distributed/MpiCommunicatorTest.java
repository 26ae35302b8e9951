package org.equiflow.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MpiCommunicator for real: {@link MpiProbe} run as two ranks by Open MPI's mpirun (oversubscribed, so on
 * any machine), every rank's printed results compared with what they must be, and a job one of whose
 * ranks aborts, exits without MPI_Finalize or is killed must end, non-zero, within seconds; and the same
 * collectives through MPICH's library as one rank. Without mpirun (or MPICH's library) a test is
 * skipped, unless the environment variable CI is set (CI installs both: .ci/run), where it fails.
 */
class MpiCommunicatorTest {

    /** A job that has not ended by then hangs. Two JVMs start in about 1.5 s on this machine. */
    private static final long JOB_SECONDS = 30;

    @TempDir
    Path directory;

    @Test
    void twoRanksAgreeOnEveryCollective() throws Exception {
        Job job = runProbe("collectives");
        assertEquals(0, job.exitCode, job.output);
        String sumOfBlocks = Arrays.toString(InProcessCommunicator.sumBlocksInOrder(MpiProbe.BLOCKS, 2));
        for (int rank = 0; rank < 2; rank++) {
            job.expect(rank, "description", "2 MPI ranks (Open MPI v");   // the version is the machine's
            job.expect(rank, "size", "2");
            // 1 + 2; 0.1 + 0.2 (both orders round alike); 1e16 + 1 (ties to even)
            job.expect(rank, "allreduceSum", "[3.0, 0.30000000000000004, 1.0E16]");
            job.expect(rank, "allreduceSumFloat", "[2.0, -1.0]");
            job.expect(rank, "allreduceMax", "[1.0, 0.0]");
            // The blocks added left to right, as one process adds them: 1e16, not the 1e16 + 2 of per-rank partial sums.
            job.expect(rank, "allreduceSumOfBlocks", sumOfBlocks);
            job.expect(rank, "broadcast", "[3.25, -1.0E-300]");
            job.expect(rank, "broadcastBytes", "phi^4 on 2 ranks");
            job.expect(rank, "otherThread", "refused");   // MPI_THREAD_FUNNELED: one thread makes every call
            job.expect(rank, "barrier", "passed");
        }
        assertEquals("[1.0E16, 1.0]", sumOfBlocks);
        job.expect(0, "gather", "[10.0, 20.0, 21.0]");
        job.expect(1, "gather", "[]");
    }

    /**
     * The MPICH family's handles (int constants, not Open MPI's symbols) on a one-rank job: MPICH
     * initialises without a launcher (a singleton) and checks every handle it is given, so a wrong
     * constant would end the job. Needs only the library (Debian: libmpich12), not MPICH's mpiexec.
     */
    @Test
    void theMpichFamilyRunsEveryCollectiveAsOneRank() throws Exception {
        Path mpich = Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/lib", "/usr/lib/aarch64-linux-gnu")
                .flatMap(d -> Stream.of(Path.of(d, "libmpich.so.12"), Path.of(d, "libmpi.so.12")))
                .filter(Files::isRegularFile).findFirst().orElse(null);
        if (mpich == null) {
            if (System.getenv("CI") != null) fail("MPICH's library is not installed; CI installs it with .ci/run (Debian package libmpich12)");
            Assumptions.abort("MPICH's library (libmpich.so.12) is not installed: the MPICH family is not run");
        }
        Job job = run("singleton", List.of(javaCommand(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                MpiProbe.class.getName(), "singleton"), Map.of(MpiLibrary.LIBRARY_VARIABLE, mpich.toString()));
        assertEquals(0, job.exitCode, job.output);
        job.expect(0, "description", "1 MPI rank (MPICH");
        job.expect(0, "size", "1");
        job.expect(0, "allreduceSum", "[1.0, 0.1, 1.0E16]");
        job.expect(0, "allreduceSumFloat", "[0.5, 0.0]");
        job.expect(0, "allreduceMax", "[0.0, 0.0]");
        job.expect(0, "allreduceSumOfBlocks", Arrays.toString(InProcessCommunicator.sumBlocksInOrder(Arrays.copyOf(MpiProbe.BLOCKS, 4), 2)));
        job.expect(0, "broadcast", "[3.25, -1.0E-300]");
        job.expect(0, "broadcastBytes", "phi^4 on 2 ranks");
        job.expect(0, "gather", "[10.0]");
        job.expect(0, "otherThread", "refused");
        job.expect(0, "barrier", "passed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abort", "exit", "kill"})
    void oneRankEndingEndsTheJob(String how) throws Exception {
        long start = System.nanoTime();
        Job job = runProbe(how);
        double seconds = (System.nanoTime() - start) * 1e-9;
        assertNotEquals(0, job.exitCode, "the job whose rank 1 did " + how + " reported success:\n" + job.output);
        assertTrue(seconds < 15, "the job took " + seconds + " s to end after rank 1 did " + how + ":\n" + job.output);
        assertTrue(!job.output.contains("passed a barrier"), "rank 0 passed a barrier rank 1 never entered:\n" + job.output);
    }

    private record Job(int exitCode, String output) {
        void expect(int rank, String what, String value) {
            String prefix = "rank " + rank + " " + what + " ";
            String line = output.lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("rank " + rank + " printed no " + what + ":\n" + output));
            String got = line.substring(prefix.length());
            if (what.equals("description")) {
                assertTrue(got.startsWith(value) && got.endsWith(")"), "rank " + rank + " " + what + ": " + got);
            } else {
                assertEquals(value, got, "rank " + rank + " " + what);
            }
        }
    }

    private Job runProbe(String mode) throws IOException, InterruptedException {
        Path mpirun = mpirunOrSkip();
        List<String> command = new ArrayList<>(List.of(mpirun.toString(), "-np", "2", "--oversubscribe",
                javaCommand(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                MpiProbe.class.getName(), mode));
        // CI runs as root, which Open MPI refuses unless told twice.
        return run(mode, command, Map.of("OMPI_ALLOW_RUN_AS_ROOT", "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"));
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private Job run(String mode, List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve(mode + ".log").toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(JOB_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            fail(mode + " hung for " + JOB_SECONDS + " s:\n" + Files.readString(directory.resolve(mode + ".log")));
        }
        return new Job(process.exitValue(), Files.readString(directory.resolve(mode + ".log")));
    }

    /** Open MPI's mpirun, or skip; on CI (environment variable CI set) its absence fails instead. */
    private static Path mpirunOrSkip() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            Path candidate = Path.of(entry, "mpirun");
            // Open MPI takes the directory it was started from as its installation prefix: /bin/mpirun
            // (merged /usr) would give "/", which it refuses, so start it by its real path.
            if (Files.isExecutable(candidate)) {
                try {
                    return candidate.toRealPath();
                } catch (IOException e) {
                    return candidate;
                }
            }
        }
        if (System.getenv("CI") != null) fail("mpirun is not installed; CI installs it with .ci/run (Debian package openmpi-bin)");
        Assumptions.abort("mpirun is not installed: the two-rank MPI job is not run");
        return null;
    }
}
