package org.equiflow.compiler.model;

import java.util.List;

/** {@code field phi: real on sites}: one real number per site, stored as [B, 1, L…]. */
public final class RealScalarField implements FieldKind {
    public String name() { return "real_scalar"; }

    public FieldSpec.Kind kind() { return FieldSpec.Kind.REAL; }

    public int components(FieldSpec field, int dimensions) { return 1; }

    public boolean compact() { return false; }

    public List<BuiltinMeasurement> measurements() {
        return List.of("susceptibility", "abs_magnetization", "phi2", "two_point", "zero_momentum_correlator",
                "effective_mass", "correlation_length", "binder_cumulant").stream().map(BuiltinMeasurement::any).toList();
    }
}
