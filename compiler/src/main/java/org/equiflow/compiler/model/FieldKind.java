package org.equiflow.compiler.model;

import java.util.List;

/**
 * What the compiler knows about a field kind the runtime implements: how a configuration is
 * stored and which built-in measurements apply to it. Each kind is one file, listed in
 * {@link FieldKinds}; the runtime's behaviour of the same kind (HMC update, measurements) is
 * one file in {@code org.equiflow.physics}, found under the same {@link #name()}.
 *
 * The language's kinds are {@link FieldSpec.Kind}; a kind with no descriptor here is refused
 * by {@code check} with E0800 (the lowering's {@code requireImplementedField}).
 */
public interface FieldKind {
    /** The key of this kind in the compiler's and the runtime's registry, e.g. {@code u1_link}. */
    String name();

    /** The language's field kind this implements. */
    FieldSpec.Kind kind();

    /**
     * Channels C of a configuration of {@code field} (a field of this kind; SU(N) reads its N)
     * stored as [B, C, L0, L1, …] on a lattice of this many dimensions.
     */
    int components(FieldSpec field, int dimensions);

    /** Values are angles, equal modulo 2π: samplers keep principal values in [−π, π). */
    boolean compact();

    /** The built-in measurements of a field of this kind, besides {@link BuiltinMeasurement#SAMPLER}'s. */
    List<BuiltinMeasurement> measurements();
}
