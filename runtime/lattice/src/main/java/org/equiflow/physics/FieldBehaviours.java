package org.equiflow.physics;

import java.util.List;
import org.equiflow.compiler.model.FieldKinds;
import org.equiflow.compiler.model.FieldSpec;

/**
 * The runtime's behaviour of every implemented field kind, in one place, keyed by the names of
 * {@link FieldKinds}: adding a kind is a descriptor there, a {@link FieldBehaviour} here, one
 * entry in each registry and a row in the field-kind law test.
 */
public final class FieldBehaviours {
    private FieldBehaviours() {}

    private static final List<FieldBehaviour> ALL = List.of(new RealScalarBehaviour(), new U1LinkBehaviour(), new SuNLinkBehaviour());

    public static List<FieldBehaviour> all() { return ALL; }

    /** The behaviour of a checked theory's field. */
    public static FieldBehaviour of(FieldSpec field) {
        String name = FieldKinds.of(field).name();
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException(
                "internal error, please report: field kind `" + name + "` has no runtime behaviour"));
    }
}
