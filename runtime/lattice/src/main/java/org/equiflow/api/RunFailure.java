package org.equiflow.api;

/**
 * A failure the user must act on, already phrased as what happened and what to do (a run
 * directory held by another command, a checkpoint of another flow, a job too large for the
 * heap). Nothing has been half done when it is thrown: a run directory is left as it was.
 */
public class RunFailure extends RuntimeException {
    public RunFailure(String message) { super(message); }
}
