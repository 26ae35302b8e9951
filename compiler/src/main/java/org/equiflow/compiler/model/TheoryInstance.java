package org.equiflow.compiler.model;

import java.util.List;
import java.util.Map;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Span;

/**
 * A theory with its parameters bound: {@code theory T = phi4(lattice = [8, 8], …)}. The action
 * and observables stay expressions over the lattice (checked, with the parameters in
 * {@code parameters}); lowering turns them into kernels.
 */
public record TheoryInstance(String name, Item.TheoryDef definition, Map<String, Object> parameters, Lattice lattice,
                             List<FieldSpec> fields, Expr action, List<Symmetry> symmetries,
                             List<Observable> observables, Span span) {

    public record Symmetry(String name, String field, Expr image) {}

    public record Observable(String name, Expr expr) {}

    public boolean declares(String symmetry) {
        return symmetries.stream().anyMatch(s -> s.name().equals(symmetry));
    }

    public FieldSpec field() { return fields.get(0); }

    /** The field values of one configuration: one per site, or one per link (a site's {@code d} links). */
    public long valuesPerConfiguration() {
        return lattice.volume() * FieldKinds.of(field()).components(field(), lattice.dimensions());
    }
}
