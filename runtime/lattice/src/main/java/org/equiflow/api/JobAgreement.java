package org.equiflow.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.equiflow.distributed.Communicator;

/**
 * How the ranks of a distributed run stay together when something fails. A step that can fail
 * on one rank alone (opening the run directory, reading a checkpoint) ends in an agreement: every
 * rank learns whether any failed, and all fail together with the message of the lowest failing
 * rank, so none waits forever in a collective the others never reach. A failure inside the
 * training loop, where the ranks are already in step, ends the whole job instead
 * ({@link #endJob}).
 */
final class JobAgreement {
    private JobAgreement() {}

    /** Work that may fail on some ranks only. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} on every rank; if it failed on any, every rank throws: the failing rank
     * its own exception, the others a {@link RunFailure} naming the lowest failing rank and its
     * message. One process just runs it.
     */
    static <T> T agree(Communicator job, Work<T> work) throws IOException {
        if (job.size() == 1) return work.run();
        T value = null;
        Exception failure = null;
        try {
            value = work.run();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        // The largest of size − rank over the failing ranks names the lowest of them; 0: none failed.
        double largest = job.allreduceMax(new double[] {failure == null ? 0 : job.size() - job.rank()})[0];
        if (largest == 0) return value;
        int failed = job.size() - (int) largest;
        byte[] message = job.broadcast(failed == job.rank() ? describe(failure).getBytes(StandardCharsets.UTF_8) : null, failed);
        if (failure instanceof IOException io) throw io;
        if (failure instanceof RuntimeException e) throw e;
        throw new RunFailure("rank " + failed + " of " + job.size() + " failed: " + new String(message, StandardCharsets.UTF_8));
    }

    /**
     * The run directory, opened and locked by rank 0 alone (null on the other ranks, which write
     * nothing), with every rank learning whether that failed ({@link #agree}).
     */
    static RunDirectory openOnRankZero(Communicator job, Path directory) throws IOException {
        return agree(job, () -> job.rank() == 0 ? RunDirectory.open(directory) : null);
    }

    /**
     * Ends every rank of the job now, after saying on standard error which rank failed and why:
     * the others are inside a collective operation this rank will never join. One process does
     * nothing (the caller rethrows).
     */
    static void endJob(Communicator job, String where, Throwable failure) {
        if (job.size() == 1) return;
        System.err.println("equiflow: rank " + job.rank() + " of " + job.size() + " failed " + where + ": " + describe(failure)
                + "\n   the whole job ends now (MPI_Abort); the last checkpoint is intact, continue with --resume");
        System.err.flush();
        job.abort(1);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
