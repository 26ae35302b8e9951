package org.equiflow.cli;

import picocli.CommandLine.Option;

/**
 * The diagnostic options of commands that check or use flows, with `--strict`; `hmc` samples the
 * theory alone, so a flow's symmetries are no concern of it and it does not offer the flag.
 */
final class FlowDiagnosticOptions extends DiagnosticOptions {
    @Option(names = "--strict",
            description = "Treat a flow that breaks a symmetry its theory declares (without claiming it) as an error, not a warning.")
    boolean strict;

    @Override
    boolean strict() { return strict; }
}
