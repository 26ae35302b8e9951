package org.equiflow.cli;

import org.equiflow.api.InvalidSettingException;
import org.equiflow.api.Limits;
import org.equiflow.api.Precision;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Range checks of numeric options given on the command line, before the script is even compiled:
 * a value out of range is a usage error like an unknown option (exit 2, the message names the
 * legal range). The API checks the values it merges from the script by the same {@link Limits},
 * and Main reports its {@link InvalidSettingException} as the same usage error.
 */
final class OptionChecks {
    static final long MAX_BATCH = Limits.MAX_BATCH;
    static final long MAX_COUNT = Limits.MAX_COUNT;

    private final CommandSpec spec;

    OptionChecks(CommandSpec spec) { this.spec = spec; }

    /** {@code --precision f32|f64} (null when not given), else a usage error naming both. */
    Precision precision(String value) {
        if (value == null) return null;
        try {
            return Precision.named(value);
        } catch (InvalidSettingException e) {
            throw usage("--precision: " + e.getMessage());
        }
    }

    /** {@code min ≤ value ≤ max}, else a usage error naming the range. */
    long range(String source, long value, long min, long max) {
        try {
            return Limits.range(source, value, min, max);
        } catch (InvalidSettingException e) {
            throw usage(e.getMessage());
        }
    }

    /** A finite number greater than zero (learning rates, step sizes). */
    double positive(String source, double value) {
        try {
            return Limits.positive(source, value);
        } catch (InvalidSettingException e) {
            throw usage(e.getMessage());
        }
    }

    /** A finite number, zero or more (times). */
    double nonNegative(String source, double value) {
        try {
            return Limits.nonNegative(source, value);
        } catch (InvalidSettingException e) {
            throw usage(e.getMessage());
        }
    }

    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), "error: " + message);
    }
}
