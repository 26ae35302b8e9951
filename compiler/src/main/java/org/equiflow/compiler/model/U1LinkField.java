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
        // The topological charge Σ arg P / 2π is an integer only on the 2D torus; loops close in any dimension.
        return List.of(new BuiltinMeasurement("topological_susceptibility", List.of(2)),
                BuiltinMeasurement.any("polyakov_loop"), BuiltinMeasurement.any("wilson_loops"));
    }
}
