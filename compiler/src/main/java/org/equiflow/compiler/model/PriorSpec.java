package org.equiflow.compiler.model;

import java.util.Map;

/** The base distribution of a flow, e.g. normal(sigma = 1.0) or haar(). */
public record PriorSpec(String name, Map<String, Object> arguments) {
    @Override
    public String toString() { return Printer.call(name, arguments); }
}
