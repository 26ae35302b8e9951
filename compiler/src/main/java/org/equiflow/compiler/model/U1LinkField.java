package org.equiflow.compiler.model;

import java.util.List;

/**
 * {@code field U: U(1) on links}: one angle θ per link, U = exp(iθ), stored as [B, d, L…] with
 * channel μ the link from x along μ. The built-in topological charge, Polyakov loop and square
 * Wilson loops are implemented on 2D lattices only.
 */
public final class U1LinkField implements FieldKind {
    public String name() { return "u1_link"; }

    public FieldSpec.Kind kind() { return FieldSpec.Kind.U1; }

    public int components(FieldSpec field, int dimensions) { return dimensions; }

    public boolean compact() { return true; }

    public List<BuiltinMeasurement> measurements() {
        return List.of("topological_susceptibility", "polyakov_loop", "wilson_loops").stream()
                .map(name -> new BuiltinMeasurement(name, List.of(2))).toList();
    }
}
