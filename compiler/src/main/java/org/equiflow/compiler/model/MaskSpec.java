package org.equiflow.compiler.model;

import java.util.Map;

/** A mask by name and arguments, e.g. checkerboard(parity = 1); onLinks for link masks. */
public record MaskSpec(String name, Map<String, Object> arguments, boolean onLinks) {
    @Override
    public String toString() { return Printer.call(name, arguments); }
}
