package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.Stmt;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Binds every name expression to its declaration, innermost scope first: reduction variables,
 * locals, parameters and fields, then the module's definitions, imports and the prelude.
 * Postcondition: without errors, {@link Resolution#symbol} answers for every {@link Expr.Name}
 * outside run blocks (whose setting values are names of the settings' own vocabulary), and
 * every flow's theory names a definition. Unused imports are reported as warnings.
 */
public final class Resolver {
    private final Diagnostics diagnostics;
    private final Resolution resolution = new Resolution();
    private final Set<Symbol.Global> used = new HashSet<>();
    private ModuleScope scope;

    private Resolver(Diagnostics diagnostics) { this.diagnostics = diagnostics; }

    public static Resolution resolve(Map<String, ModuleScope> scopes, Diagnostics diagnostics) {
        var resolver = new Resolver(diagnostics);
        for (ModuleScope scope : scopes.values()) resolver.module(scope);
        return resolver.resolution;
    }

    /** A lexical scope: names declared in one block, with the enclosing one behind. */
    private record Env(Map<String, Symbol> names, Env parent) {
        static Env root() { return new Env(new HashMap<>(), null); }

        Env child() { return new Env(new HashMap<>(), this); }

        Symbol find(String name) {
            for (Env e = this; e != null; e = e.parent) if (e.names.containsKey(name)) return e.names.get(name);
            return null;
        }

        void collect(Set<String> into) {
            for (Env e = this; e != null; e = e.parent) into.addAll(e.names.keySet());
        }
    }

    private void module(ModuleScope moduleScope) {
        scope = moduleScope;
        for (Item item : moduleScope.module.ast().items()) {
            if (item instanceof Item.Definition def) resolution.scopeOf.put(def, moduleScope);
            switch (item) {
                case Item.Use use -> { }
                case Item.TheoryDef theory -> theory(theory);
                case Item.TheoryInst inst -> expr(inst.value(), Env.root());
                case Item.FlowDef flow -> flow(flow);
                case Item.NetDef net -> body(net.body(), params(net.params(), Env.root()));
                case Item.MaskDef mask -> expr(mask.body(), params(mask.params(), Env.root()));
                case Item.ExternDef extern -> params(extern.params(), Env.root());
                case Let let -> expr(let.value(), Env.root());
                case Item.RunBlock run -> { }
            }
        }
        if (!moduleScope.module.isStandard()) reportUnusedImports(moduleScope);
    }

    private void reportUnusedImports(ModuleScope moduleScope) {
        for (Item item : moduleScope.module.ast().items()) {
            if (!(item instanceof Item.Use use) || use.star() || use.isFile() || use.names().isEmpty()) continue;
            for (Ident name : use.names()) {
                var symbol = moduleScope.imported.get(name.name());
                if (symbol != null && moduleScope.importedBy.get(name.name()) == use && !used.contains(symbol)
                        && !usedInRunBlocks(moduleScope, name.name())) {
                    diagnostics.add(new Diagnostic(ErrorCode.W0001, Severity.WARNING, name.span(),
                            "`" + name.name() + "` is imported but never used", List.of(), List.of("remove the import")));
                }
            }
        }
    }

    private static boolean usedInRunBlocks(ModuleScope scope, String name) {
        return scope.module.ast().items().stream().anyMatch(i -> i instanceof Item.RunBlock r && r.target().name().equals(name));
    }

    private Env params(List<Param> params, Env outer) {
        Env env = outer.child();
        for (Param p : params) {
            if (p.defaultValue() != null) expr(p.defaultValue(), outer);
            declare(env, p.name(), new Symbol.Parameter(p));
        }
        return env;
    }

    private void declare(Env env, Ident name, Symbol symbol) {
        Symbol previous = env.names.put(name.name(), symbol);
        if (previous != null) {
            diagnostics.add(new Diagnostic(ErrorCode.E0301, Severity.ERROR, name.span(),
                    "`" + name.name() + "` is declared twice in the same scope",
                    List.of(new Diagnostic.Note("first declared here", previous.declaredAt())), List.of("rename one of them")));
        }
    }

    private void theory(Item.TheoryDef theory) {
        Env env = params(theory.params(), Env.root());
        // Fields are visible in the whole body: the action may come before a field's declaration.
        for (var member : theory.members()) {
            if (member instanceof TheoryMember.Field f) declare(env, f.name(), new Symbol.Field(f));
        }
        for (var member : theory.members()) {
            switch (member) {
                case TheoryMember.Field f -> { }
                case TheoryMember.Action a -> expr(a.expr(), env);
                case TheoryMember.Symmetry s -> {
                    if (s.field() != null) {
                        Symbol field = env.find(s.field().name());
                        if (!(field instanceof Symbol.Field)) {
                            var fields = new TreeSet<String>();
                            theory.members().forEach(m -> { if (m instanceof TheoryMember.Field f) fields.add(f.name().name()); });
                            List<String> help = new ArrayList<>();
                            Suggestions.closest(s.field().name(), fields).ifPresent(g -> help.add("did you mean `" + g + "`?"));
                            help.add(fields.isEmpty() ? "declare the field first: `field phi: real on sites`"
                                    : "the theory's fields: " + String.join(", ", fields));
                            diagnostics.add(new Diagnostic(ErrorCode.E0401, Severity.ERROR, s.field().span(),
                                    "symmetry `" + s.name().name() + "` transforms `" + s.field().name()
                                            + "`, which is not a field of theory `" + theory.name().name() + "`", List.of(), help));
                        }
                        expr(s.image(), env);
                    }
                }
                case TheoryMember.Observable o -> expr(o.expr(), env);
                case Let l -> {
                    expr(l.value(), env);
                    declare(env, l.name(), new Symbol.Local(l.name(), Symbol.LocalKind.LET));
                }
            }
        }
    }

    private void flow(Item.FlowDef flow) {
        var theory = scope.lookup(flow.theory().name());
        if (theory.isEmpty()) {
            unknown(flow.theory(), Env.root(), "a flow is `for` a theory instance, e.g. `theory T = phi4(…)`");
        } else {
            used.add(theory.get());
            resolution.flowTheories.put(flow, theory.get());
        }
        body(flow.body(), params(flow.params(), Env.root()));
    }

    private void body(List<Stmt> stmts, Env outer) {
        Env env = outer.child();
        for (Stmt stmt : stmts) {
            switch (stmt) {
                case Stmt.Prior p -> expr(p.prior(), env);
                case Stmt.Repeat r -> {
                    expr(r.from(), env);
                    expr(r.to(), env);
                    Env inner = env.child();
                    declare(inner, r.var(), new Symbol.Local(r.var(), Symbol.LocalKind.REPEAT));
                    body(r.body(), inner);
                }
                case Stmt.For f -> {
                    expr(f.iterable(), env);
                    Env inner = env.child();
                    declare(inner, f.var(), new Symbol.Local(f.var(), Symbol.LocalKind.FOR));
                    body(f.body(), inner);
                }
                case Stmt.Symmetrize s -> { }
                case Let l -> {
                    expr(l.value(), env);
                    declare(env, l.name(), new Symbol.Local(l.name(), Symbol.LocalKind.LET));
                }
                case Stmt.Eval e -> expr(e.expr(), env);
            }
        }
    }

    private void expr(Expr expr, Env env) {
        switch (expr) {
            case Expr.IntLit i -> { }
            case Expr.RealLit r -> { }
            case Expr.BoolLit b -> { }
            case Expr.Name n -> name(n, env);
            case Expr.Index i -> {
                expr(i.target(), env);
                i.indices().forEach(x -> expr(x, env));
            }
            case Expr.Call c -> {
                expr(c.callee(), env);
                for (Arg a : c.args()) expr(a.value(), env);
            }
            case Expr.Member m -> expr(m.target(), env);
            case Expr.Unary u -> expr(u.operand(), env);
            case Expr.Binary b -> {
                expr(b.left(), env);
                expr(b.right(), env);
            }
            case Expr.Reduce r -> {
                Env inner = env.child();
                declare(inner, r.binder().first(), new Symbol.LatticeVar(r.binder().first(), r.binder()));
                if (r.binder().second() != null) {
                    declare(inner, r.binder().second(), new Symbol.LatticeVar(r.binder().second(), r.binder()));
                }
                expr(r.body(), inner);
            }
            case Expr.Tuple t -> t.elements().forEach(x -> expr(x, env));
            case Expr.ListLit l -> l.elements().forEach(x -> expr(x, env));
        }
    }

    private void name(Expr.Name name, Env env) {
        Symbol local = env.find(name.name());
        if (local != null) {
            resolution.names.put(name, local);
            return;
        }
        var global = scope.lookup(name.name());
        if (global.isPresent()) {
            used.add(global.get());
            resolution.names.put(name, global.get());
            return;
        }
        unknown(name.id(), env, null);
    }

    private void unknown(Ident name, Env env, String extraHelp) {
        Set<String> visible = new TreeSet<>(scope.visibleNames());
        env.collect(visible);
        List<String> help = new ArrayList<>();
        var guess = Suggestions.closest(name.name(), visible);
        guess.ifPresent(s -> help.add("did you mean `" + s + "`?"));
        String home = KNOWN_HOMES.get(name.name());
        if (home != null) {
            help.add("`" + name.name() + "` is defined in `" + home + "`: add `use " + home + "." + name.name() + "`");
        } else if (guess.isEmpty()) {
            // A misspelling of a standard name that is not imported yet.
            Suggestions.closest(name.name(), KNOWN_HOMES.keySet()).ifPresent(s -> help.add("did you mean `" + s
                    + "`? It is defined in `" + KNOWN_HOMES.get(s) + "`: add `use " + KNOWN_HOMES.get(s) + "." + s + "`"));
        }
        if (extraHelp != null) help.add(extraHelp);
        diagnostics.add(new Diagnostic(ErrorCode.E0300, Severity.ERROR, name.span(),
                "unknown name `" + name.name() + "`", List.of(), help));
    }

    /** Where standard names live, so a missing import is named rather than guessed. */
    private static final Map<String, String> KNOWN_HOMES = Map.ofEntries(
            Map.entry("phi4", "std.theories"), Map.entry("phi4_standard", "std.theories"),
            Map.entry("phi4_hopping", "std.theories"), Map.entry("u1", "std.theories"),
            Map.entry("cnn", "std.nets"), Map.entry("conv", "std.nets"), Map.entry("dense", "std.nets"),
            Map.entry("checkerboard", "std.masks"), Map.entry("stripes", "std.masks"),
            Map.entry("link_mask", "std.gauge"), Map.entry("plaquette_coupling", "std.gauge"), Map.entry("spectral_coupling", "std.gauge"),
            Map.entry("ncp_mixture", "std.gauge"), Map.entry("circular_spline", "std.gauge"));
}
