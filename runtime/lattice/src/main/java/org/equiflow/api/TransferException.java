package org.equiflow.api;

/**
 * A run that cannot start from the one {@link TrainingOptions#from()} names, with a stable
 * {@link Problem} that says why (the message says it to a person, with what to do). Nothing was
 * written when it is thrown: neither the source run nor the new run directory changed.
 */
public final class TransferException extends RunFailure {
    /** Why the transfer was refused; the names are stable, and the message starts with one. */
    public enum Problem {
        /** The path holds no checkpoint: not a run directory, or a run that never saved one. */
        NOT_A_RUN,
        /** The source's checkpoint cannot be read: corrupted, truncated, newer format, no permission. */
        UNREADABLE,
        /** The source is the new run's own directory, which the new run would replace. */
        SAME_RUN,
        /**
         * The source flow's parameters are not this flow's: a parameter missing on one side, or of
         * another shape (another architecture, depth, width or kernel, another field kind or lattice
         * dimension). The couplings and the lattice size may differ; these may not.
         */
        DIFFERENT_PARAMETERS
    }

    private final Problem problem;

    TransferException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
