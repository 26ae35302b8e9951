package org.equiflow.lsp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.SymbolKind;
import org.equiflow.compiler.ast.Arg;
import org.equiflow.compiler.ast.Expr;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.TheoryMember;
import org.equiflow.compiler.check.ModuleScope;
import org.equiflow.compiler.check.Symbol;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.symmetry.Explanation;

/** Hover, definition and document symbols on one analysed document. */
final class Features {
    private final StandardLibrary std;

    Features(StandardLibrary std) { this.std = std; }

    /** What the name at a position is: where it was declared, its signature, its comment, and where it was used. */
    record Target(Span declaredAt, String signature, String doc, Span usage) {}

    Optional<Target> target(Analysis a, int offset) {
        if (a.ast == null) return byText(a, offset);
        // a named argument: `parity` in `checkerboard(parity = 0)` is the parameter of checkerboard
        for (Expr.Call call : Nodes.enclosing(a.ast, Expr.Call.class, offset).reversed()) {
            for (Arg arg : call.args()) {
                if (arg.name() == null || !Nodes.contains(arg.name().span(), offset)) continue;
                Optional<Item.Definition> callee = calleeDefinition(a, call);
                if (callee.isEmpty()) return Optional.empty();
                for (Param p : params(callee.get())) {
                    if (p.name().name().equals(arg.name().name())) {
                        return Optional.of(new Target(p.name().span(), "parameter " + Signatures.oneLine(p) + "\nof " + firstLine(Signatures.of(callee.get())),
                                Signatures.docComment(callee.get().span().file(), callee.get().span().start()), arg.name().span()));
                    }
                }
                return Optional.empty();
            }
        }
        Expr.Name name = Nodes.innermost(a.ast, Expr.Name.class, offset);
        if (name != null && a.resolution != null) {
            Optional<Symbol> symbol = a.resolution.lookup(name);
            if (symbol.isPresent()) return Optional.of(targetOf(symbol.get(), name.span()));
        }
        Ident id = Nodes.innermost(a.ast, Ident.class, offset);
        if (id == null) return Optional.empty();
        for (Item item : a.ast.items()) {
            if (item instanceof Item.Definition d && d.name() == id) return Optional.of(targetOf(d, id.span()));
        }
        return global(a, id.name()).map(g -> targetOf(g.definition(), id.span()))
                .or(() -> std.find(id.name()).map(e -> targetOf(e.getValue(), id.span())));
    }

    /** For text that does not parse: the identifier under the cursor, looked up at the top level. */
    private Optional<Target> byText(Analysis a, int offset) {
        int start = offset, end = offset;
        while (start > 0 && Character.isJavaIdentifierPart(a.text.charAt(start - 1))) start--;
        while (end < a.text.length() && Character.isJavaIdentifierPart(a.text.charAt(end))) end++;
        if (start == end) return Optional.empty();
        String word = a.text.substring(start, end);
        Span usage = new Span(a.source, start, end);
        return std.find(word).map(e -> targetOf(e.getValue(), usage));
    }

    private Target targetOf(Symbol symbol, Span usage) {
        if (symbol instanceof Symbol.Global g) return targetOf(g.definition(), usage);
        return new Target(symbol.declaredAt(), Signatures.of(symbol), "", usage);
    }

    private static Target targetOf(Item.Definition d, Span usage) {
        return new Target(d.name().span(), Signatures.of(d), Signatures.docComment(d.span().file(), d.span().start()), usage);
    }

    private Optional<Symbol.Global> global(Analysis a, String name) {
        ModuleScope scope = a.rootScope();
        return scope == null ? Optional.empty() : scope.lookup(name);
    }

    Optional<Item.Definition> calleeDefinition(Analysis a, Expr.Call call) {
        if (!(call.callee() instanceof Expr.Name callee)) return Optional.empty();
        if (a.resolution != null) {
            Optional<Symbol> s = a.resolution.lookup(callee);
            if (s.isPresent()) return s.get() instanceof Symbol.Global g ? Optional.of(g.definition()) : Optional.empty();
        }
        return global(a, callee.name()).map(Symbol.Global::definition).or(() -> std.find(callee.name()).map(Map.Entry::getValue));
    }

    static List<Param> params(Item.Definition d) {
        return switch (d) {
            case Item.ExternDef e -> e.params();
            case Item.NetDef n -> n.params();
            case Item.MaskDef m -> m.params();
            case Item.TheoryDef t -> t.params();
            case Item.FlowDef f -> f.params();
            default -> List.of();
        };
    }

    Optional<Location> definition(Analysis a, int offset) {
        return target(a, offset).map(t -> new Location(uri(a, t.declaredAt()), Positions.range(t.declaredAt())));
    }

    /** The hover's Markdown: signature, comment, and for a coupling layer what `check --explain` says of it. */
    Optional<String> hover(Analysis a, int offset) {
        Optional<Target> target = target(a, offset);
        if (target.isEmpty()) return Optional.empty();
        Target t = target.get();
        var md = new StringBuilder("```flow\n").append(t.signature()).append("\n```\n");
        if (!t.doc().isBlank()) md.append('\n').append(t.doc()).append('\n');
        String where = std.isStandard(t.declaredAt().file().displayName()) ? t.declaredAt().location() : null;
        if (where != null) md.append("\n*").append(where).append("*\n");
        explainLayers(a, t.usage()).ifPresent(text -> md.append('\n').append(text));
        return Optional.of(md.toString());
    }

    /**
     * The layers a call at {@code usage} makes (several when a `repeat` unrolls it), with the
     * per-layer text of {@link Explanation#explain}; layers whose explanations agree are shown once.
     */
    Optional<String> explainLayers(Analysis a, Span usage) {
        if (a.program == null || !a.inDocument(usage)) return Optional.empty();
        var out = new StringBuilder();
        for (FlowModel flow : a.program.flows()) {
            List<Integer> here = new ArrayList<>();
            for (int i = 0; i < flow.layers().size(); i++) {
                Span s = flow.layers().get(i).span();
                if (a.inDocument(s) && s.start() == usage.start()) here.add(i);
            }
            if (here.isEmpty()) continue;
            List<String> lines = Explanation.explain(flow).lines().toList();
            Map<String, List<Integer>> byText = new LinkedHashMap<>();
            for (int i : here) byText.computeIfAbsent(layerBlock(lines, i), k -> new ArrayList<>()).add(i);
            out.append("**Symmetries** (`equiflow check --explain`) of flow `").append(flow.name()).append("`: ")
               .append(here.size() == 1 ? "layer " + here.get(0) : here.size() + " layers (" + ranges(here) + ")")
               .append(" of ").append(flow.layers().size()).append(" come from this call\n");
            for (var e : byText.entrySet()) {
                if (byText.size() > 1) out.append("\nlayer").append(e.getValue().size() == 1 ? " " : "s ").append(ranges(e.getValue())).append(":\n");
                out.append("```\n").append(e.getKey()).append("```\n");
            }
            int verdict = lines.indexOf("  => flow:");
            if (verdict >= 0) {
                out.append("\nthe whole flow:\n```\n");
                for (String line : lines.subList(verdict + 1, lines.size())) out.append(line.strip()).append('\n');
                out.append("```\n");
            }
        }
        return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
    }

    /** Layer i's lines of an explanation, its "layer i" header dropped, indentation kept relative. */
    private static String layerBlock(List<String> lines, int layer) {
        String head = "  layer " + layer + " ";
        var block = new StringBuilder();
        boolean in = false;
        for (String line : lines) {
            if (line.startsWith(head)) {
                in = true;
                block.append(line.substring(head.length())).append('\n');
                continue;
            }
            if (in && (line.startsWith("  layer ") || line.startsWith("  symmetrize") || line.startsWith("  =>"))) break;
            if (in) block.append(line.length() > 4 ? line.substring(4) : line.strip()).append('\n');
        }
        return block.toString();
    }

    /** 0, 2, 4, 6 → "0, 2, 4, 6"; 0..15 → "0–15". */
    static String ranges(List<Integer> xs) {
        if (xs.size() > 2 && xs.get(xs.size() - 1) - xs.get(0) == xs.size() - 1) return xs.get(0) + "–" + xs.get(xs.size() - 1);
        return xs.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    List<DocumentSymbol> symbols(Analysis a) {
        if (a.ast == null) return List.of();
        return symbols(a.ast);
    }

    static List<DocumentSymbol> symbols(Module module) {
        List<DocumentSymbol> out = new ArrayList<>();
        for (Item item : module.items()) {
            switch (item) {
                case Item.Use u -> out.add(symbol("use " + u.moduleName() + (u.names().isEmpty() ? "" : "." + names(u)), SymbolKind.Namespace, u.span(), u.span(), null));
                case Item.RunBlock r -> out.add(symbol(r.kind().keyword() + " " + r.target().name(), SymbolKind.Event, r.span(), r.target().span(), null));
                case Item.Definition d -> {
                    DocumentSymbol s = symbol(d.name().name(), kind(d), d.span(), d.name().span(), firstLine(Signatures.of(d)));
                    if (d instanceof Item.TheoryDef t) {
                        List<DocumentSymbol> members = new ArrayList<>();
                        for (TheoryMember m : t.members()) {
                            switch (m) {
                                case TheoryMember.Field f -> members.add(symbol(f.name().name(), SymbolKind.Field, f.span(), f.name().span(), Signatures.oneLine(f)));
                                case TheoryMember.Symmetry y -> members.add(symbol(y.name().name(), SymbolKind.EnumMember, y.span(), y.name().span(), Signatures.oneLine(y)));
                                case TheoryMember.Observable o -> members.add(symbol(o.name().name(), SymbolKind.Property, o.span(), o.name().span(), null));
                                default -> { }
                            }
                        }
                        s.setChildren(members);
                    }
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static String names(Item.Use u) {
        if (u.star()) return "*";
        return u.names().size() == 1 ? u.names().get(0).name() : "{" + u.names().stream().map(Ident::name).collect(Collectors.joining(", ")) + "}";
    }

    static SymbolKind kind(Item.Definition d) {
        return switch (d) {
            case Item.TheoryDef t -> SymbolKind.Class;
            case Item.TheoryInst t -> SymbolKind.Object;
            case Item.FlowDef f -> SymbolKind.Module;
            case Item.NetDef n -> SymbolKind.Function;
            case Item.MaskDef m -> SymbolKind.Function;
            case Item.ExternDef e -> SymbolKind.Function;
            case org.equiflow.compiler.ast.Let l -> SymbolKind.Constant;
        };
    }

    private static DocumentSymbol symbol(String name, SymbolKind kind, Span range, Span selection, String detail) {
        var s = new DocumentSymbol(name, kind, Positions.range(range), Positions.range(selection));
        if (detail != null) s.setDetail(detail);
        return s;
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The URI of the file a span is in: the document, a standard module's copy, or an imported local file. */
    String uri(Analysis a, Span span) {
        String name = span.file().displayName();
        if (name.equals(a.display)) return a.uri;
        if (std.isStandard(name)) return std.uri(name);
        return Path.of(name).toAbsolutePath().normalize().toUri().toString();
    }
}
