package org.equiflow.api;

/**
 * A correlation of ensembles that was refused, with a stable {@link Problem} that says why (the
 * message says it to a person, with what to do). Nothing was written when it is thrown.
 */
public final class CorrelationException extends RunFailure {
    /** Why the correlation was refused; the names are stable. */
    public enum Problem {
        /** The --ensemble path is not a run directory with a sampled ensemble (no ensemble.json / ensemble.npy). */
        NO_ENSEMBLE,
        /** The ensemble's sidecar or array cannot be read, or they disagree on the number of values. */
        UNREADABLE_ENSEMBLE,
        /** The ensemble carries importance weights (a reweighting run): it is not a sample of p₁. */
        WEIGHTED_ENSEMBLE,
        /** The ensemble is of another field kind than the script's theory. */
        DIFFERENT_FIELD,
        /** The ensemble is of another lattice than the script's theory (or --to-set changes the lattice). */
        DIFFERENT_LATTICE,
        /** The ensemble is of another theory, or of this theory at other parameters than the session's α₁. */
        DIFFERENT_THEORY,
        /** Too few configurations for two jackknife bins. */
        TOO_FEW_CONFIGURATIONS,
        /** The map does not start at the identity when its nets' last convolutions are zero. */
        NOT_IDENTITY_AT_START,
        /** A configuration's weight −S₂(f(U)) + log|det J| + S₁(U) is not a finite number. */
        NON_FINITE_WEIGHTS,
        /** The output directory already holds a result (pass force) or is the input ensemble's, or holds a trained flow. */
        RESULT_EXISTS
    }

    private final Problem problem;

    CorrelationException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
