package org.equiflow.compiler.check;

import org.equiflow.compiler.ast.Binder;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.modules.LoadedModule;

/** What a name refers to once resolved. The declaring node identifies the symbol. */
public sealed interface Symbol {
    String name();

    Span declaredAt();

    /** A top-level definition of some module (the prelude included). */
    record Global(Item.Definition definition, LoadedModule module) implements Symbol {
        public String name() { return definition.name().name(); }

        public Span declaredAt() { return definition.name().span(); }
    }

    record Parameter(Param param) implements Symbol {
        public String name() { return param.name().name(); }

        public Span declaredAt() { return param.name().span(); }
    }

    /** A {@code let}, a {@code repeat} counter, or a {@code for} element. */
    record Local(Ident declaration, LocalKind kind) implements Symbol {
        public String name() { return declaration.name(); }

        public Span declaredAt() { return declaration.span(); }
    }

    enum LocalKind { LET, REPEAT, FOR }

    /** A variable bound by a lattice reduction: a site or a direction. */
    record LatticeVar(Ident declaration, Binder binder) implements Symbol {
        public String name() { return declaration.name(); }

        public Span declaredAt() { return declaration.span(); }
    }

    record Field(TheoryMember.Field field) implements Symbol {
        public String name() { return field.name().name(); }

        public Span declaredAt() { return field.name().span(); }
    }
}
