package org.equiflow.lsp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.ast.Node;
import org.equiflow.compiler.ast.Param;
import org.equiflow.compiler.ast.Stmt;
import org.equiflow.compiler.check.ModuleScope;
import org.equiflow.compiler.check.Symbol;
import org.equiflow.compiler.modules.ModuleLoader;
import org.equiflow.grammar.FlowLexer;

/**
 * Completion from the text before the cursor, which is usually half-typed and does not parse: the
 * lexer (not the parser) finds the context — a {@code use} line, the argument list of a call, or
 * anywhere else — and the names come from the latest analysis whose text did parse.
 */
final class Completion {
    /** The language's keywords: the lexer's literal tokens that are words. */
    static final List<String> KEYWORDS = keywords();

    private final StandardLibrary std;

    Completion(StandardLibrary std) { this.std = std; }

    /**
     * @param a       the document as it is now
     * @param parsed  the latest analysis of this document whose text parsed (may be {@code a}, or null)
     */
    List<CompletionItem> complete(Analysis a, Analysis parsed, int offset) {
        String text = a.text;
        int start = offset;
        while (start > 0 && Character.isJavaIdentifierPart(text.charAt(start - 1))) start--;
        String prefix = text.substring(start, offset);
        String before = text.substring(0, start);
        String line = before.substring(before.lastIndexOf('\n') + 1).strip();
        Map<String, CompletionItem> items = new LinkedHashMap<>();
        if (line.equals("use") || line.startsWith("use ")) {
            useItems(line.substring(3).strip(), items);
        } else {
            Optional<String> callee = argumentPositionOf(before);
            Analysis names = parsed != null ? parsed : a;
            if (callee.isPresent()) argumentItems(names, callee.get(), items);
            localItems(names, offset, items);
            scopeItems(names, items);
            for (String k : KEYWORDS) items.putIfAbsent(k, item(k, CompletionItemKind.Keyword, "keyword", null));
        }
        List<CompletionItem> out = new ArrayList<>();
        for (CompletionItem item : items.values()) {
            if (item.getLabel().toLowerCase(java.util.Locale.ROOT).startsWith(prefix.toLowerCase(java.util.Locale.ROOT))) out.add(item);
        }
        return out;
    }

    /**
     * When the cursor is where an argument's name goes — right after {@code (} or {@code ,} of an
     * unclosed call {@code f(} — the name {@code f}.
     */
    static Optional<String> argumentPositionOf(String before) {
        var lexer = new FlowLexer(CharStreams.fromString(before));
        lexer.removeErrorListeners();
        List<Token> tokens = new ArrayList<>();
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            if (t.getChannel() == Token.DEFAULT_CHANNEL) tokens.add(t);
        }
        Deque<Integer> open = new ArrayDeque<>();
        for (int i = 0; i < tokens.size(); i++) {
            int type = tokens.get(i).getType();
            if (type == FlowLexer.LPAREN || type == FlowLexer.LBRACK || type == FlowLexer.LBRACE) open.push(i);
            else if ((type == FlowLexer.RPAREN || type == FlowLexer.RBRACK || type == FlowLexer.RBRACE) && !open.isEmpty()) open.pop();
        }
        if (open.isEmpty() || tokens.isEmpty()) return Optional.empty();
        int paren = open.peek();
        if (tokens.get(paren).getType() != FlowLexer.LPAREN || paren == 0) return Optional.empty();
        int last = tokens.get(tokens.size() - 1).getType();
        if (last != FlowLexer.LPAREN && last != FlowLexer.COMMA) return Optional.empty();
        Token callee = tokens.get(paren - 1);
        return callee.getType() == FlowLexer.ID ? Optional.of(callee.getText()) : Optional.empty();
    }

    private void useItems(String path, Map<String, CompletionItem> items) {
        var module = java.util.regex.Pattern.compile("(std(?:\\.\\w+)*)\\.(?:\\{[^}]*)?").matcher(path);
        if (module.matches()) {
            Module m = std.modules().get(StandardLibrary.key(module.group(1)));
            if (m != null) {
                for (Item item : m.items()) {
                    if (item instanceof Item.Definition d) items.putIfAbsent(d.name().name(), definitionItem(d));
                }
                return;
            }
        }
        for (String name : ModuleLoader.STANDARD_MODULES) {
            String last = name.substring(name.lastIndexOf('.') + 1);
            String label = path.startsWith("std.") ? last : name;
            items.putIfAbsent(label, item(label, CompletionItemKind.Module, name, null));
        }
    }

    private void argumentItems(Analysis a, String callee, Map<String, CompletionItem> items) {
        ModuleScope scope = a.rootScope();
        Optional<Item.Definition> def = scope == null ? Optional.empty() : scope.lookup(callee).map(Symbol.Global::definition);
        if (def.isEmpty()) def = std.find(callee).map(Map.Entry::getValue);
        if (def.isEmpty()) return;
        for (Param p : Features.params(def.get())) {
            CompletionItem item = item(p.name().name(), CompletionItemKind.Property, Signatures.oneLine(p), null);
            item.setInsertText(p.name().name() + " = ");
            item.setSortText("0" + p.name().name());
            items.putIfAbsent(p.name().name(), item);
        }
    }

    /** Parameters, lets and loop variables of the definition the cursor is in. */
    private static void localItems(Analysis a, int offset, Map<String, CompletionItem> items) {
        if (a.ast == null) return;
        for (Item item : a.ast.items()) {
            if (!(item instanceof Item.Definition d) || !Nodes.contains(d.span(), Math.min(offset, d.span().end()))
                    || offset > d.span().end()) continue;
            for (Param p : Features.params(d)) items.putIfAbsent(p.name().name(), item(p.name().name(), CompletionItemKind.Variable, Signatures.oneLine(p), null));
            Nodes.walk(d, (Node n) -> {
                Ident v = switch (n) {
                    case org.equiflow.compiler.ast.Let l when l != d -> l.name();
                    case Stmt.Repeat r -> r.var();
                    case Stmt.For f -> f.var();
                    default -> null;
                };
                if (v != null) items.putIfAbsent(v.name(), item(v.name(), CompletionItemKind.Variable, "local", null));
            });
        }
    }

    private static void scopeItems(Analysis a, Map<String, CompletionItem> items) {
        ModuleScope scope = a.rootScope();
        if (scope == null) return;
        for (String name : scope.visibleNames()) {
            scope.lookup(name).ifPresent(g -> items.putIfAbsent(name, definitionItem(g.definition())));
        }
    }

    private static CompletionItem definitionItem(Item.Definition d) {
        CompletionItemKind kind = switch (d) {
            case Item.TheoryDef t -> CompletionItemKind.Class;
            case Item.TheoryInst t -> CompletionItemKind.Variable;
            case Item.FlowDef f -> CompletionItemKind.Module;
            case org.equiflow.compiler.ast.Let l -> CompletionItemKind.Constant;
            default -> CompletionItemKind.Function;
        };
        return item(d.name().name(), kind, Features.firstLine(Signatures.of(d)), Signatures.docComment(d.span().file(), d.span().start()));
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail, String doc) {
        var item = new CompletionItem(label);
        item.setKind(kind);
        item.setDetail(detail);
        if (doc != null && !doc.isBlank()) item.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, doc));
        return item;
    }

    private static List<String> keywords() {
        List<String> out = new ArrayList<>();
        var vocabulary = FlowLexer.VOCABULARY;
        for (int t = 1; t <= vocabulary.getMaxTokenType(); t++) {
            String literal = vocabulary.getLiteralName(t);
            if (literal != null && literal.matches("'[a-z_]+'")) out.add(literal.substring(1, literal.length() - 1));
        }
        return List.copyOf(out);
    }
}
