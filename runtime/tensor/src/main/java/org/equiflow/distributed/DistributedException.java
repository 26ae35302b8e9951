package org.equiflow.distributed;

/**
 * A job that was asked to run on MPI and cannot: the message says what to do; {@link #problem()} names
 * the case, stably, for programs (the command line reports it as a run error, exit status 1).
 */
public final class DistributedException extends RuntimeException {

    /** The stable names of the cases. */
    public enum Problem {
        /** No MPI library on the usual paths, or none where EQUIFLOW_MPI_LIBRARY points. */
        LIBRARY_NOT_FOUND,
        /** A library was found but is not one this runtime can call (not Open MPI nor of the MPICH family, or lacking a function). */
        LIBRARY_UNUSABLE,
        /** MPI_Init_thread failed, or the library cannot give the thread support the runtime needs. */
        INIT_FAILED
    }

    private final Problem problem;

    public DistributedException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public DistributedException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
