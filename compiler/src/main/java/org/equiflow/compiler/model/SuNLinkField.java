package org.equiflow.compiler.model;

import java.util.List;

/**
 * {@code field U: SU(N) on links}: one complex N×N matrix per link, stored as [B, d·2N², L…]
 * with channel μ·2N² + 2(iN + j) + part (part 0 real, 1 imaginary) the entry (i, j) of the link
 * from x along μ — the packed layout of the runtime's complex matrix primitives. It has no
 * built-in measurements yet: the theory's own observables (the plaquette of std.theories.su2,
 * su3) are measured.
 */
public final class SuNLinkField implements FieldKind {
    public String name() { return "sun_link"; }

    public FieldSpec.Kind kind() { return FieldSpec.Kind.SUN; }

    public int components(FieldSpec field, int dimensions) { return dimensions * 2 * field.n() * field.n(); }

    /** Matrices are not angles: there is no principal value to keep. */
    public boolean compact() { return false; }

    public List<BuiltinMeasurement> measurements() { return List.of(); }
}
