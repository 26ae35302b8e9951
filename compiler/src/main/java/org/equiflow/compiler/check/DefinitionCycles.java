package org.equiflow.compiler.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Let;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.Span;

/**
 * Top-level definitions whose values depend on themselves ({@code let a = b  let b = a}, or a
 * theory instance built from a constant that reads the instance). Evaluating them would recurse
 * without end, so this phase runs before anything evaluates a value.
 *
 * Postcondition: without errors, the graph of top-level {@code let}s and theory instances,
 * with an edge wherever one's value names another, is acyclic. Each cycle is reported once
 * (E0311) at its first definition in source order, with the chain ({@code a → b → a}) in the
 * message and a note at each use that closes a link of it.
 */
public final class DefinitionCycles {
    private DefinitionCycles() {}

    /** A use of one definition in the value of another: the name written, and what it names. */
    private record Use(Expr.Name at, Item.Definition target) {}

    public static void check(Map<String, ModuleScope> scopes, Resolution resolution, Diagnostics diagnostics) {
        Map<Item.Definition, List<Use>> uses = new LinkedHashMap<>();
        for (ModuleScope scope : scopes.values()) {
            for (Item item : scope.module.ast().items()) {
                Expr value = switch (item) {
                    case Let let -> let.value();
                    case Item.TheoryInst inst -> inst.value();
                    default -> null;
                };
                if (value == null) continue;
                List<Use> out = new ArrayList<>();
                collect(value, resolution, out);
                uses.put((Item.Definition) item, out);
            }
        }
        new Search(uses, diagnostics).run();
    }

    private static void collect(Expr e, Resolution resolution, List<Use> out) {
        switch (e) {
            case Expr.Name n -> {
                if (resolution.names.get(n) instanceof Symbol.Global g
                        && (g.definition() instanceof Let || g.definition() instanceof Item.TheoryInst)) {
                    out.add(new Use(n, g.definition()));
                }
            }
            case Expr.Index i -> {
                collect(i.target(), resolution, out);
                i.indices().forEach(x -> collect(x, resolution, out));
            }
            case Expr.Call c -> {
                collect(c.callee(), resolution, out);
                for (Arg a : c.args()) collect(a.value(), resolution, out);
            }
            case Expr.Member m -> collect(m.target(), resolution, out);
            case Expr.Unary u -> collect(u.operand(), resolution, out);
            case Expr.Binary b -> {
                collect(b.left(), resolution, out);
                collect(b.right(), resolution, out);
            }
            case Expr.Reduce r -> collect(r.body(), resolution, out);
            case Expr.Tuple t -> t.elements().forEach(x -> collect(x, resolution, out));
            case Expr.ListLit l -> l.elements().forEach(x -> collect(x, resolution, out));
            case Expr.IntLit i -> { }
            case Expr.RealLit r -> { }
            case Expr.BoolLit b -> { }
        }
    }

    /** Depth-first search; a use that reaches a definition still on the path closes a cycle. */
    private static final class Search {
        private final Map<Item.Definition, List<Use>> uses;
        private final Diagnostics diagnostics;
        private final Map<Item.Definition, Boolean> finished = new IdentityHashMap<>();
        private final List<Item.Definition> path = new ArrayList<>();
        private final List<Use> via = new ArrayList<>();
        private final Set<Item.Definition> reported = Collections.newSetFromMap(new IdentityHashMap<>());

        Search(Map<Item.Definition, List<Use>> uses, Diagnostics diagnostics) {
            this.uses = uses;
            this.diagnostics = diagnostics;
        }

        void run() {
            for (Item.Definition d : uses.keySet()) visit(d);
        }

        private void visit(Item.Definition d) {
            if (finished.containsKey(d)) return;
            int onPath = indexOnPath(d);
            if (onPath >= 0) {
                report(onPath);
                return;
            }
            path.add(d);
            for (Use u : uses.getOrDefault(d, List.of())) {
                via.add(u);
                visit(u.target());
                via.remove(via.size() - 1);
            }
            path.remove(path.size() - 1);
            finished.put(d, true);
        }

        private int indexOnPath(Item.Definition d) {
            for (int i = 0; i < path.size(); i++) if (path.get(i) == d) return i;
            return -1;
        }

        private void report(int from) {
            List<Item.Definition> cycle = path.subList(from, path.size());
            if (cycle.stream().anyMatch(reported::contains)) return;
            reported.addAll(cycle);
            StringBuilder chain = new StringBuilder();
            List<Diagnostic.Note> notes = new ArrayList<>();
            for (int i = from; i < path.size(); i++) {
                Use u = via.get(i);
                chain.append(name(path.get(i))).append(" → ");
                notes.add(new Diagnostic.Note("`" + name(path.get(i)) + "` uses `" + u.at().name() + "` here", u.at().span()));
            }
            chain.append(name(path.get(from)));
            Item.Definition first = path.get(from);
            diagnostics.add(new Diagnostic(ErrorCode.E0311, Severity.ERROR, nameSpan(first),
                    "`" + name(first) + "` is defined in terms of itself: " + chain, notes,
                    List.of("give one of these definitions a value that does not depend on the others")));
        }

        private static String name(Item.Definition d) {
            return switch (d) {
                case Let let -> let.name().name();
                case Item.TheoryInst inst -> inst.name().name();
                default -> d.toString();
            };
        }

        private static Span nameSpan(Item.Definition d) {
            return switch (d) {
                case Let let -> let.name().span();
                case Item.TheoryInst inst -> inst.name().span();
                default -> null;
            };
        }
    }
}
