package org.equiflow.api;

/**
 * A setting out of its range, or options that contradict each other or the run being resumed,
 * found before any work starts. The message names the setting — the option when one was given,
 * else the script's run block setting it came from — and the legal range.
 */
public final class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String message) { super(message); }
}
