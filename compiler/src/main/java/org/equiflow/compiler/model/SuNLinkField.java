package org.equiflow.compiler.model;

import java.util.List;

/**
 * {@code field U: SU(N) on links}: one complex N×N matrix per link, stored as [B, d·2N², L…]
 * with channel μ·2N² + 2(iN + j) + part (part 0 real, 1 imaginary) the entry (i, j) of the link
 * from x along μ — the packed layout of the runtime's complex matrix primitives. Its built-in
 * measurements, on 2–4D lattices, are U(1)'s Polyakov loop and square Wilson loops under the same
 * names (their SU(N) versions, with (1/N) tr), so that {@code compare} lines the two kinds up;
 * U(1)'s topological susceptibility has no SU(N) counterpart in 2D (π₁ of SU(N) is trivial).
 */
public final class SuNLinkField implements FieldKind {
    public String name() { return "sun_link"; }

    public FieldSpec.Kind kind() { return FieldSpec.Kind.SUN; }

    public int components(FieldSpec field, int dimensions) { return dimensions * 2 * field.n() * field.n(); }

    /** Matrices are not angles: there is no principal value to keep. */
    public boolean compact() { return false; }

    public List<BuiltinMeasurement> measurements() {
        return List.of(BuiltinMeasurement.any("polyakov_loop"), BuiltinMeasurement.any("wilson_loops"));
    }
}
