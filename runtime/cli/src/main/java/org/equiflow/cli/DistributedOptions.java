package org.equiflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Map;
import java.util.function.Function;
import org.equiflow.api.RunFailure;
import org.equiflow.distributed.Communicator;
import org.equiflow.distributed.Communicators;
import org.equiflow.distributed.DistributedException;
import org.equiflow.distributed.InProcessCommunicator;
import org.equiflow.distributed.MpiCommunicator;
import picocli.CommandLine.Option;

/**
 * {@code --distributed auto|mpi|none}, for a command that can run on several MPI ranks ({@code train}, {@code sample}, {@code run}, {@code hmc}):
 * add it with {@code @Mixin DistributedOptions distributed;} and {@link #open} the job once, from the
 * command's thread, before any collective work. Commands that cannot ({@link #refuseSeveralRanks}) say
 * so rather than run the same work N times over one run directory.
 */
final class DistributedOptions {
    @Option(names = "--distributed", paramLabel = "auto|mpi|none", defaultValue = "auto",
            description = "auto (default): on MPI when started by mpirun, mpiexec or srun, else one process; mpi: on MPI,"
                    + " and an error when no MPI library can be used; none: one process even under an MPI launcher.")
    String mode;

    /** The job this process belongs to, as {@code --distributed} says. */
    Communicator open() {
        try {
            return switch (mode) {
                case "auto" -> Communicators.detect();
                case "mpi" -> MpiCommunicator.open(System.getenv());
                case "none" -> new InProcessCommunicator();
                default -> throw new RunFailure("--distributed " + mode + " is not one of auto, mpi, none"
                        + "\n   help: --distributed auto (MPI when an MPI launcher started equiflow), mpi or none");
            };
        } catch (DistributedException e) {
            throw new RunFailure(e.getMessage() + " [" + e.problem() + "]");
        }
    }

    /** What a command does as one rank of its job, printing to this rank's streams. */
    @FunctionalInterface
    interface RankWork {
        int run(Communicator job, PrintWriter out, PrintWriter err) throws IOException;
    }

    /**
     * Runs {@code work} as this process's rank of the job: opens the job, gives rank 0 the command's
     * streams and the other ranks silent ones, makes the device current, says once how the job is
     * distributed ({@code announcement} of the job's description, e.g. "2 MPI ranks (Open MPI v4.1.4)";
     * nothing on one process), and closes the job however the work ends. A failure every rank shares
     * (the API agrees on failures before its work) is reported by rank 0 alone, whose status is the
     * job's; the others exit 0.
     */
    int runAsRank(PrintWriter out, PrintWriter err, DeviceOptions device, Function<String, String> announcement, RankWork work)
            throws IOException {
        Communicator job = open();
        try {
            PrintWriter rankOut = quietUnlessRankZero(job, out), rankErr = quietUnlessRankZero(job, err);
            device.activate(rankErr);
            if (job.size() > 1) {
                rankOut.println(announcement.apply(job.description()));
                rankOut.flush();
            }
            return work.run(job, rankOut, rankErr);
        } catch (RuntimeException | IOException e) {
            // Rank 0 reports it and ends non-zero; the others exit 0, since a non-zero status would make
            // the launcher end the job, rank 0 included, perhaps before rank 0 has printed why.
            if (job.rank() != 0) return 0;
            throw e;
        } finally {
            job.close();
        }
    }

    /** The job's streams for this rank: rank 0 speaks for the job, the others print nothing. */
    static PrintWriter quietUnlessRankZero(Communicator job, PrintWriter stream) {
        return job.rank() == 0 ? stream : new PrintWriter(Writer.nullWriter());
    }

    /**
     * Whether an MPI launcher started this one-process command on several ranks, which it then
     * refuses on every rank: N copies would fight over one run directory. Rank 0 alone prints why.
     */
    static boolean refusedOnSeveralRanks(String command, PrintWriter err) {
        Map<String, String> environment = System.getenv();
        int ranks = Communicators.launchedRanks(environment);
        if (ranks <= 1) return false;
        if (!launchedAsOtherThanRankZero(environment)) {
            err.println("error: `equiflow " + command + "` runs on one process, and an MPI launcher started " + ranks + " of it");
            err.println("   help: run it without mpirun/mpiexec/srun (or with -np 1); `equiflow train`, `sample`, `run` and `hmc` are the commands that run on several ranks");
            err.flush();
        }
        return true;
    }

    /**
     * Whether an MPI launcher started this process as a rank other than 0 of several: such a rank
     * keeps quiet about what every rank finds alike (a usage error), which rank 0 reports.
     */
    static boolean launchedAsOtherThanRankZero(Map<String, String> environment) {
        return Communicators.launchedRanks(environment) > 1 && Communicators.launchedRank(environment) > 0;
    }
}
