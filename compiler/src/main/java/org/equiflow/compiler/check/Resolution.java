package org.equiflow.compiler.check;

import java.util.IdentityHashMap;
import java.util.Map;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;

/** The result of name resolution: what every name expression refers to, and where it was written. */
public final class Resolution {
    final Map<Expr.Name, Symbol> names = new IdentityHashMap<>();
    final Map<Item.FlowDef, Symbol.Global> flowTheories = new IdentityHashMap<>();
    final Map<Item.Definition, ModuleScope> scopeOf = new IdentityHashMap<>();
    /** Site or direction, for every variable a lattice reduction binds (decided by {@link TheoryChecker}). */
    final Map<org.equiflow.compiler.ast.Ident, LatticeType> latticeVariableKinds = new IdentityHashMap<>();

    public Symbol symbol(Expr.Name name) {
        Symbol s = names.get(name);
        if (s == null) throw new IllegalStateException("unresolved name " + name.name() + " at " + name.span());
        return s;
    }

    public Symbol.Global theoryOf(Item.FlowDef flow) { return flowTheories.get(flow); }

    /** Whether a reduction's variable (its declaring identifier) ranges over sites rather than directions. */
    public boolean rangesOverSites(org.equiflow.compiler.ast.Ident variable) {
        LatticeType kind = latticeVariableKinds.get(variable);
        if (kind == null) throw new IllegalStateException("lattice variable " + variable.name() + " at " + variable.span() + " was never checked");
        return kind instanceof LatticeType.Site;
    }

    /** What a name refers to, or empty for names outside the checked program (run-block settings). */
    public java.util.Optional<Symbol> lookup(Expr.Name name) { return java.util.Optional.ofNullable(names.get(name)); }
}
