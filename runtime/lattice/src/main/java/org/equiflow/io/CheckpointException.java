package org.equiflow.io;

import java.io.IOException;

/**
 * A checkpoint that cannot be used. The message says what is wrong with it and what to do instead; {@link #problem()}
 * lets callers (and tests) tell the cases apart without parsing the message.
 */
public final class CheckpointException extends IOException {

    public enum Problem {
        /** The file could not be read at all (missing, permissions). */
        UNREADABLE,
        /** Not an equiflow checkpoint: wrong magic bytes. */
        NOT_A_CHECKPOINT,
        /** Written by a newer equiflow with a format this one does not know. */
        NEWER_FORMAT,
        /** Shorter than its own header says: an interrupted copy or a full disk. */
        TRUNCATED,
        /** Bytes changed or appended after saving. */
        CORRUPTED,
        /** Intact bytes, but the header lacks fields or contradicts the payload: written by something else. */
        MALFORMED,
        /** A sound checkpoint for a different script, flow or lattice than the one asked for. */
        MISMATCH
    }

    private final Problem problem;

    public CheckpointException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public CheckpointException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
