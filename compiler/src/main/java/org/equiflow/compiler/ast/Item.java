package org.equiflow.compiler.ast;

import java.util.List;
import org.equiflow.compiler.diag.Span;

/** A top-level declaration of a module. */
public sealed interface Item extends Node permits Item.Definition, Item.Use, Item.RunBlock {

    /** A definition that introduces a name into its module's scope. */
    sealed interface Definition extends Item permits TheoryDef, TheoryInst, FlowDef, NetDef, MaskDef, ExternDef, Let {
        Ident name();
    }

    /**
     * {@code use std.theories.phi4}, {@code use std.gauge.{a, b}}, {@code use std.nets.*}
     * (modulePath = [std, gauge], names = [a, b]), or {@code use ./local.flow} (filePath set).
     */
    record Use(List<Ident> modulePath, List<Ident> names, boolean star, String filePath, Span span) implements Item {
        public Use {
            modulePath = List.copyOf(modulePath);
            names = List.copyOf(names);
        }

        public boolean isFile() { return filePath != null; }

        /** The module as the user wrote it, for messages: {@code std.gauge} or {@code ./local.flow}. */
        public String moduleName() {
            return isFile() ? filePath : String.join(".", modulePath.stream().map(Ident::name).toList());
        }
    }

    /** {@code theory phi4(lattice: shape, m2: real) { field … action … symmetry … }} */
    record TheoryDef(Ident name, List<Param> params, List<TheoryMember> members, Span span) implements Definition {
        public TheoryDef {
            params = List.copyOf(params);
            members = List.copyOf(members);
        }
    }

    /** {@code theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)} */
    record TheoryInst(Ident name, Expr value, Span span) implements Definition {}

    /** {@code flow realnvp(depth: int = 16) for T equivariant z2 { … }} */
    record FlowDef(Ident name, List<Param> params, Ident theory, List<Ident> claims, List<Stmt> body, Span span)
            implements Definition {
        public FlowDef {
            params = List.copyOf(params);
            claims = List.copyOf(claims);
            body = List.copyOf(body);
        }
    }

    /** {@code net cnn(hidden: [int] = [8, 8]) { conv(…) act … }}: the body lists the stages in order. */
    record NetDef(Ident name, List<Param> params, List<Stmt> body, Span span) implements Definition {
        public NetDef {
            params = List.copyOf(params);
            body = List.copyOf(body);
        }
    }

    /** {@code mask stripes(p: int) = link_mask(mu = p, offset = 0)} */
    record MaskDef(Ident name, List<Param> params, Expr body, Span span) implements Definition {
        public MaskDef { params = List.copyOf(params); }
    }

    /**
     * A primitive implemented in Java: {@code extern activation tanh() is odd}; result is the
     * declared result type of an {@code extern function}, null otherwise.
     */
    record ExternDef(Ident kind, Ident name, List<Param> params, TypeRef result, List<Ident> properties, Span span)
            implements Definition {
        public ExternDef {
            params = List.copyOf(params);
            properties = List.copyOf(properties);
        }

        public boolean has(String property) {
            return properties.stream().anyMatch(p -> p.name().equals(property));
        }
    }

    /** {@code train realnvp { … }}, {@code sample realnvp { … }}, {@code hmc T { … }} */
    record RunBlock(RunKind kind, Ident target, List<Setting> settings, Span span) implements Item {
        public RunBlock { settings = List.copyOf(settings); }
    }

    enum RunKind {
        TRAIN("train"), SAMPLE("sample"), HMC("hmc");

        private final String keyword;

        RunKind(String keyword) { this.keyword = keyword; }

        public String keyword() { return keyword; }
    }
}
