package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the CLI's MPI tests share: the CLI started as ranks of a real job by Open MPI's mpirun
 * (oversubscribed, so on any machine) or MPICH's mpiexec.mpich, each rank the test's own java and
 * classpath as bin/equiflow starts it, awaited with a limit so that a hang fails rather than blocks.
 * Without a launcher a test is skipped, except where the environment variable CI is set (.ci/run
 * installs both), where it fails.
 */
final class MpiJobs {
    /** A job not ended by then hangs; 4 JVMs start in about 5 s on a 2-core machine. */
    static final long JOB_SECONDS = 120;

    private MpiJobs() {}

    /** A job's exit status and its ranks' output, standard error included. */
    record Job(int exitCode, String output) {}

    /** The CLI with {@code arguments} as {@code ranks} ranks of one Open MPI job. */
    static ProcessBuilder openMpi(int ranks, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(mpirunOrSkip().toString(), "-np", Integer.toString(ranks), "--oversubscribe"));
        command.addAll(javaCli());
        command.addAll(arguments);
        ProcessBuilder builder = withSignalChaining(new ProcessBuilder(command));
        // CI runs as root, which Open MPI refuses unless told twice.
        builder.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        builder.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        return builder;
    }

    /** The CLI with {@code arguments} as {@code ranks} ranks of one MPICH job (Hydra's mpiexec.mpich). */
    static ProcessBuilder mpich(int ranks, List<String> arguments) {
        Path mpiexec = Path.of("/usr/bin/mpiexec.mpich");
        if (!Files.isExecutable(mpiexec)) {
            if (System.getenv("CI") != null) fail("MPICH's mpiexec.mpich is not installed; CI installs it with .ci/run (Debian package mpich)");
            Assumptions.abort("MPICH's mpiexec.mpich is not installed: the MPICH job is not run");
        }
        List<String> command = new ArrayList<>(List.of(mpiexec.toString(), "-n", Integer.toString(ranks)));
        command.addAll(javaCli());
        command.addAll(arguments);
        return withSignalChaining(new ProcessBuilder(command));
    }

    /**
     * The JDK's libjsig preloaded into the ranks, as bin/equiflow does under an MPI launcher: the MPI
     * library's transports may install SIGSEGV handlers, which then chain behind the JVM's instead of
     * replacing them.
     */
    static ProcessBuilder withSignalChaining(ProcessBuilder builder) {
        Path java = Path.of(javaCli().get(0)).toAbsolutePath();
        try {
            java = java.toRealPath();
        } catch (IOException unresolved) {
            // the path as given
        }
        Path jsig = java.getParent().resolveSibling("lib").resolve("libjsig.so");
        assertTrue(Files.isRegularFile(jsig), "the JDK has no " + jsig);
        String preload = builder.environment().get("LD_PRELOAD");
        builder.environment().put("LD_PRELOAD", jsig + (preload == null || preload.isEmpty() ? "" : ":" + preload));
        return builder;
    }

    /** Starts {@code builder} with its output in {@code log} and waits for its end; a job still running after {@link #JOB_SECONDS} fails. */
    static Job await(ProcessBuilder builder, Path log) throws IOException, InterruptedException {
        return await(builder.redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /** Waits for a started job whose output goes to {@code log}. */
    static Job await(Process process, Path log) throws IOException, InterruptedException {
        if (!process.waitFor(JOB_SECONDS, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
            fail("the job hung for " + JOB_SECONDS + " s:\n" + Files.readString(log));
        }
        return new Job(process.exitValue(), Files.readString(log));
    }

    /** The CLI's main class started as bin/equiflow starts it, with the test's java and classpath. */
    static List<String> javaCli() {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Dpolyglot.engine.WarnInterpreterOnly=false",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }

    /** The regular files of a run directory (its checkpoint, metrics), not its lock. */
    static void copyRun(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(".")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** Open MPI's mpirun, or skip; on CI its absence fails. */
    static Path mpirunOrSkip() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
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
        Assumptions.abort("mpirun is not installed: the MPI jobs are not run");
        return null;
    }
}
