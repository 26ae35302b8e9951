package org.equiflow.compiler.model;

import java.util.List;

/**
 * A measurement a run block may name in {@code measure} without the theory defining it: computed
 * by the sampler ({@link #SAMPLER}) or by the runtime's behaviour of a field kind
 * ({@link FieldKind#measurements()}). {@code check} reads these to refuse a name that does not
 * apply to the theory; the runtime measures exactly these names.
 *
 * @param dimensions the lattice dimensions it is implemented for; empty: any
 */
public record BuiltinMeasurement(String name, List<Integer> dimensions) {
    /** Reported by every sampler whatever the field. */
    public static final List<BuiltinMeasurement> SAMPLER = List.of(any("acceptance"), any("ess"), any("tau_int"));

    public static BuiltinMeasurement any(String name) { return new BuiltinMeasurement(name, List.of()); }

    public boolean runsIn(int dimensions) { return this.dimensions.isEmpty() || this.dimensions.contains(dimensions); }
}
