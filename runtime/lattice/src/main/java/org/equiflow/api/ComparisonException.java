package org.equiflow.api;

/**
 * Run directories that cannot be compared, with a stable {@link Problem} that says why (the
 * message says it to a person, with what to do).
 */
public final class ComparisonException extends RunFailure {
    /** Why the comparison was refused; the names are stable. */
    public enum Problem {
        /** Fewer than two directories were given. */
        TOO_FEW_RUNS,
        /** A path that does not exist or is not a directory. */
        NOT_A_DIRECTORY,
        /** A directory without a sampled result (no ensemble.json): not a run directory, or never sampled. */
        NOT_A_RUN,
        /** An ensemble.json or report file that cannot be read. */
        UNREADABLE,
        /** Runs of different theories, or of one theory with different parameters or lattices. */
        DIFFERENT_THEORIES
    }

    private final Problem problem;

    ComparisonException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
