package org.equiflow.api;

/**
 * The ranges of numeric settings, checked before any work starts: a value out of range is an
 * {@link InvalidSettingException} naming the legal range, never an exception deep in a kernel.
 * {@code source} names where the value came from: the option, or the script's setting.
 */
public final class Limits {
    /** The largest training or sampling batch: beyond this a batch's arrays no longer fit a Java array. */
    public static final long MAX_BATCH = 1 << 20;
    /** Counts index Java arrays of configurations, so they stay below 2³¹. */
    public static final long MAX_COUNT = Integer.MAX_VALUE;

    private Limits() {}

    /** {@code min ≤ value ≤ max}, else an {@link InvalidSettingException} naming the range. */
    public static long range(String source, long value, long min, long max) {
        if (value < min || value > max) {
            String range = max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
            throw new InvalidSettingException(source + " must be " + range + ", got " + value);
        }
        return value;
    }

    public static int intRange(String source, long value, long min, long max) {
        return (int) range(source, value, min, Math.min(max, Integer.MAX_VALUE));
    }

    /** A finite number greater than zero (learning rates, step sizes). */
    public static double positive(String source, double value) {
        if (!(value > 0) || !Double.isFinite(value)) throw new InvalidSettingException(source + " must be a finite number greater than 0, got " + value);
        return value;
    }

    /** A finite number, zero or more (times). */
    public static double nonNegative(String source, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) throw new InvalidSettingException(source + " must be a finite number of at least 0, got " + value);
        return value;
    }

    /** The option's name when it was given, else the run block setting it came from. */
    public static String source(Object optionValue, String option, String block, String setting) {
        return optionValue != null ? option : "`" + setting + "` (the script's `" + block + "` block)";
    }
}
