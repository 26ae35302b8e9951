package org.equiflow.compiler.model;

import java.util.List;
import java.util.Optional;

/**
 * The field kinds the runtime implements, in one place: adding one is one file implementing
 * {@link FieldKind} and one entry here (and its runtime behaviour under the same name). The
 * order is the order of help texts listing built-in measurements.
 */
public final class FieldKinds {
    private FieldKinds() {}

    private static final List<FieldKind> ALL = List.of(new RealScalarField(), new U1LinkField(), new SuNLinkField());

    public static List<FieldKind> all() { return ALL; }

    /** The implementation of a language kind; empty where the runtime does not implement it. */
    public static Optional<FieldKind> implementing(FieldSpec.Kind kind) {
        return ALL.stream().filter(k -> k.kind() == kind).findFirst();
    }

    /** The kind of a field that passed {@code check}, which refuses the kinds not implemented. */
    public static FieldKind of(FieldSpec field) {
        return implementing(field.kind()).orElseThrow(() -> new IllegalStateException(
                "internal error, please report: field kind " + field.kind() + " passed check but is not implemented"));
    }

    public static FieldKind named(String name) {
        return ALL.stream().filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no field kind `" + name + "`"));
    }
}
