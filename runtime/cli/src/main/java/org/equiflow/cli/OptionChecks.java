package org.equiflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Range checks of numeric options, before any work starts. A value out of range is a usage error
 * like an unknown option (exit 2, the message names the legal range), never an exception deep in
 * a kernel. {@code source} names where the value came from: the flag, or the script's setting.
 */
final class OptionChecks {
    /** The largest training or sampling batch: beyond this a batch's arrays no longer fit a Java array. */
    static final long MAX_BATCH = 1 << 20;
    /** Counts index Java arrays of configurations, so they stay below 2³¹. */
    static final long MAX_COUNT = Integer.MAX_VALUE;

    private final CommandSpec spec;

    OptionChecks(CommandSpec spec) { this.spec = spec; }

    /** {@code min ≤ value ≤ max}, else a usage error naming the range. */
    long range(String source, long value, long min, long max) {
        if (value < min || value > max) {
            String range = max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            throw usage(source + " must be " + range + ", got " + value);
        }
        return value;
    }

    int intRange(String source, long value, long min, long max) {
        return (int) range(source, value, min, Math.min(max, Integer.MAX_VALUE));
    }

    /** A finite number greater than zero (learning rates, step sizes). */
    double positive(String source, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw usage(source + " must be a finite number greater than 0, got " + value);
        return value;
    }

    /** A finite number, zero or more (times). */
    double nonNegative(String source, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) throw usage(source + " must be a finite number of at least 0, got " + value);
        return value;
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), "error: " + message);
    }

    /** The flag's name when it was given, else the run block setting it came from. */
    static String source(Object flagValue, String flag, String block, String setting) {
        return flagValue != null ? flag : "`" + setting + "` (the script's `" + block + "` block)";
    }
}
