package org.equiflow.compiler.model;

import java.util.List;
import org.equiflow.compiler.diag.Span;

/** A flow with its loops unrolled and every layer shaped: the static graph the runtime builds. */
public record FlowModel(String name, TheoryInstance theory, PriorSpec prior, List<LayerSpec> layers,
                        List<String> symmetrize, List<String> claims, Span span) {
    public FlowModel {
        layers = List.copyOf(layers);
        symmetrize = List.copyOf(symmetrize);
        claims = List.copyOf(claims);
    }
}
