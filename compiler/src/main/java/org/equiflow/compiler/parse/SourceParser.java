package org.equiflow.compiler.parse;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;
import org.equiflow.grammar.FlowLexer;
import org.equiflow.grammar.FlowParser;

/**
 * Source text to AST. Postcondition: either a {@link Module} whose every node has a span, or
 * at least one syntax error in {@code diagnostics} and no module. ANTLR's raw messages never
 * reach the user: they are rewritten into coded diagnostics (missing brace, unknown keyword,
 * stray character, unexpected token with the expected alternatives).
 */
public final class SourceParser {
    /** Errors after this many in one file are cascades of the first ones, not news. */
    private static final int MAX_SYNTAX_ERRORS = 25;
    /** Real scripts nest a handful of levels; thousands are generated input that would exhaust the parser. */
    static final int MAX_NESTING = 200;

    private SourceParser() {}

    public static Optional<Module> parse(SourceFile file, Diagnostics diagnostics) {
        var lexer = new FlowLexer(CharStreams.fromString(file.text(), file.displayName()));
        lexer.removeErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        tokens.fill();

        int before = diagnostics.all().size();
        if (tokens.getTokens().stream().allMatch(t -> t.getType() == Token.EOF || t.getChannel() != Token.DEFAULT_CHANNEL
                && t.getType() != FlowLexer.UNTERMINATED_COMMENT)) {
            diagnostics.add(new Diagnostic(ErrorCode.E0004, Severity.ERROR, new Span(file, 0, 0),
                    "`" + file.displayName() + "` holds only comments: there is nothing to check", List.of(),
                    List.of("a script declares at least a theory, e.g. `theory T = phi4(lattice = [8, 8], m2 = -4.0, lambda = 8.0)`")));
            return Optional.empty();
        }
        checkTokens(file, tokens.getTokens(), diagnostics);
        if (diagnostics.all().size() > before) return Optional.empty();
        checkDelimiters(file, tokens.getTokens(), diagnostics);
        if (diagnostics.all().size() > before) return Optional.empty();

        var parser = new FlowParser(tokens);
        parser.removeErrorListeners();
        var listener = new RewritingErrorListener(file, diagnostics);
        parser.addErrorListener(listener);
        FlowParser.ProgramContext tree = parser.program();
        if (listener.count > 0) return Optional.empty();
        return new AstBuilder(file, diagnostics).module(tree);
    }

    private static Span spanOf(SourceFile file, Token t) {
        if (t.getType() == Token.EOF) return new Span(file, file.text().length(), file.text().length());
        return new Span(file, t.getStartIndex(), t.getStopIndex() + 1);
    }

    /** Characters no token accepts, and block comments that never end. */
    private static void checkTokens(SourceFile file, List<Token> tokens, Diagnostics diagnostics) {
        for (Token t : tokens) {
            if (t.getType() == FlowLexer.STRAY) {
                String shown = describeChar(t.getText());
                var d = diagnostics.error(ErrorCode.E0103, spanOf(file, t), "stray character " + shown + " in the program");
                String help = switch (t.getText()) {
                    case "\"", "'" -> "the language has no strings; names are written bare, e.g. `act = tanh`";
                    case "#" -> "comments start with `//` or are written `/* … */`";
                    case "&" -> "logical and is written `and` (or `&&`)";
                    case "|" -> "logical or is written `or` (or `||`)";
                    default -> "remove it; operators are + - * / % ^ >> and comparisons";
                };
                diagnostics.amendLast(x -> x.withHelp(help));
            } else if (t.getType() == FlowLexer.UNTERMINATED_COMMENT) {
                var span = new Span(file, t.getStartIndex(), t.getStartIndex() + 2);
                diagnostics.add(new Diagnostic(ErrorCode.E0104, Severity.ERROR, span,
                        "block comment is never closed", List.of(), List.of("close it with `*/`")));
            }
        }
    }

    private static String describeChar(String text) {
        int cp = text.codePointAt(0);
        if (cp < 0x20 || cp == 0x7f) return String.format("U+%04X", cp);
        return "`" + text + "`" + (cp > 0x7f ? String.format(" (U+%04X)", cp) : "");
    }

    private record Open(Token token, int lineIndent) {}

    /**
     * Brackets must pair up. This runs before the parser, because an unbalanced brace makes the
     * parser's errors point far from the real mistake; indentation tells which brace is missing.
     */
    private static void checkDelimiters(SourceFile file, List<Token> tokens, Diagnostics diagnostics) {
        Deque<Open> stack = new ArrayDeque<>();
        Open suspicious = null;
        Token suspiciousCloser = null;
        for (Token t : tokens) {
            if (t.getChannel() != Token.DEFAULT_CHANNEL) continue;
            switch (t.getType()) {
                case FlowLexer.LPAREN, FlowLexer.LBRACK, FlowLexer.LBRACE -> {
                    stack.push(new Open(t, indentOf(file, t)));
                    if (stack.size() > MAX_NESTING) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0106, Severity.ERROR, spanOf(file, t),
                                "brackets are nested more than " + MAX_NESTING + " deep here", List.of(),
                                List.of("split the expression with `let` definitions")));
                        return;
                    }
                }
                case FlowLexer.RPAREN, FlowLexer.RBRACK, FlowLexer.RBRACE -> {
                    String closer = t.getText();
                    if (stack.isEmpty()) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0101, Severity.ERROR, spanOf(file, t),
                                "unexpected `" + closer + "`: nothing is open here", List.of(),
                                List.of("remove it, or add the opening `" + opening(closer) + "` it was meant to close")));
                        return;
                    }
                    Open open = stack.pop();
                    if (!closing(open.token().getText()).equals(closer)) {
                        diagnostics.add(new Diagnostic(ErrorCode.E0101, Severity.ERROR, spanOf(file, t),
                                "mismatched `" + closer + "`: the innermost open delimiter is `" + open.token().getText() + "`",
                                List.of(new Diagnostic.Note("`" + open.token().getText() + "` opened here", spanOf(file, open.token()))),
                                List.of("close `" + open.token().getText() + "` with `" + closing(open.token().getText()) + "` first")));
                        return;
                    }
                    boolean firstOnLine = isFirstOnLine(file, t);
                    if (suspicious == null && open.token().getType() == FlowLexer.LBRACE && firstOnLine
                            && file.columnOf(t.getStartIndex()) - 1 != open.lineIndent()) {
                        suspicious = open;
                        suspiciousCloser = t;
                    }
                }
                default -> { }
            }
        }
        if (stack.isEmpty()) return;
        Open unclosed = stack.peekLast();
        List<Diagnostic.Note> notes = new ArrayList<>();
        if (suspicious != null) {
            notes.add(new Diagnostic.Note("the `}` here is indented like an outer block, so it probably closes that one",
                    spanOf(file, suspiciousCloser)));
            unclosed = suspicious;
        }
        notes.add(new Diagnostic.Note("the file ends here", new Span(file, file.text().length(), file.text().length())));
        String open = unclosed.token().getText();
        diagnostics.add(new Diagnostic(ErrorCode.E0101, Severity.ERROR, spanOf(file, unclosed.token()),
                "this `" + open + "` is never closed", notes,
                List.of("add the missing `" + closing(open) + "`")));
    }

    private static boolean isFirstOnLine(SourceFile file, Token t) {
        int line = file.lineOf(t.getStartIndex());
        String text = file.lineText(line);
        int col = file.columnOf(t.getStartIndex()) - 1;
        return text.substring(0, Math.min(col, text.length())).isBlank();
    }

    private static int indentOf(SourceFile file, Token t) {
        String text = file.lineText(file.lineOf(t.getStartIndex()));
        int i = 0;
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
        return i;
    }

    private static String closing(String open) {
        return switch (open) { case "(" -> ")"; case "[" -> "]"; default -> "}"; };
    }

    private static String opening(String close) {
        return switch (close) { case ")" -> "("; case "]" -> "["; default -> "{"; };
    }

    /** Keywords that may begin a top-level item; a misspelling of one is an unknown keyword. */
    /** Keywords that are also ordinary names (grammar rule `name`); where a name may stand they are not news. */
    static final Set<String> SOFT_KEYWORDS = Set.of("mask", "net", "prior", "field", "action", "symmetry", "observable",
            "theory", "flow", "train", "sample", "hmc");

    private static String literal(int type) {
        String l = FlowLexer.VOCABULARY.getLiteralName(type);
        return l == null ? "" : l.substring(1, l.length() - 1);
    }

    static final Set<String> ITEM_KEYWORDS = new LinkedHashSet<>(List.of(
            "use", "theory", "flow", "net", "mask", "extern", "let", "train", "sample", "hmc"));

    private static final class RewritingErrorListener extends BaseErrorListener {
        private final SourceFile file;
        private final Diagnostics diagnostics;
        private int count;
        private int lastLine = -1;

        RewritingErrorListener(SourceFile file, Diagnostics diagnostics) {
            this.file = file;
            this.diagnostics = diagnostics;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                String msg, RecognitionException e) {
            // One error per line: the rest are the parser's recovery talking.
            if (line == lastLine || count >= MAX_SYNTAX_ERRORS) { count++; return; }
            lastLine = line;
            count++;
            Parser parser = (Parser) recognizer;
            Token offending = (Token) offendingSymbol;
            IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
            diagnostics.add(rewrite(parser, offending, expected));
        }

        private Diagnostic rewrite(Parser parser, Token offending, IntervalSet expected) {
            Span span = spanOf(file, offending);
            Set<String> keywords = new TreeSet<>();
            for (int type : expected.toArray()) {
                String literal = FlowLexer.VOCABULARY.getLiteralName(type);
                if (literal != null && Character.isLetter(literal.charAt(1))) keywords.add(literal.substring(1, literal.length() - 1));
            }
            boolean expectsName = expected.contains(FlowLexer.ID);
            if (expectsName) keywords.removeAll(SOFT_KEYWORDS);
            // An identifier where only keywords may stand is a misspelt keyword when it resembles
            // one, or when it starts a declaration (every declaration starts with a keyword).
            String word = offending.getText();
            var candidates = topLevel(parser) ? ITEM_KEYWORDS : keywords;
            var guess = Suggestions.closest(word, candidates);
            if (offending.getType() == FlowLexer.ID && !keywords.isEmpty() && !expectsName
                    && (guess.isPresent() || topLevel(parser))) {
                List<String> help = new ArrayList<>();
                guess.ifPresent(g -> help.add("did you mean `" + g + "`?"));
                help.add("expected one of: " + String.join(", ", candidates));
                return new Diagnostic(ErrorCode.E0102, Severity.ERROR, span,
                        "unknown keyword `" + word + "`", List.of(), help);
            }
            if (isKeyword(offending) && expectsName) {
                return new Diagnostic(ErrorCode.E0100, Severity.ERROR, span,
                        "`" + offending.getText() + "` is a keyword and cannot be used as a name", List.of(),
                        List.of("choose another name, e.g. `" + offending.getText() + "_`"));
            }
            String found = offending.getType() == Token.EOF ? "end of file" : "`" + offending.getText() + "`";
            return new Diagnostic(ErrorCode.E0100, Severity.ERROR, span, "unexpected " + found
                    + ", expected " + describe(expected), List.of(), List.of());
        }

        private static boolean topLevel(Parser parser) {
            return parser.getContext() instanceof FlowParser.ProgramContext
                    || parser.getContext() instanceof FlowParser.ItemContext && parser.getContext().getStart() == parser.getCurrentToken();
        }

        private static boolean isKeyword(Token t) {
            String literal = FlowLexer.VOCABULARY.getLiteralName(t.getType());
            return literal != null && Character.isLetter(literal.charAt(1));
        }

        /** Expected sets at expression positions are long; name the category instead. */
        private static String describe(IntervalSet expected) {
            List<String> parts = new ArrayList<>();
            boolean expression = expected.contains(FlowLexer.INT) && expected.contains(FlowLexer.ID);
            if (expression) parts.add("an expression");
            else if (expected.contains(FlowLexer.ID)) parts.add("a name");
            for (int type : expected.toArray()) {
                if (type == Token.EOF) { parts.add("end of file"); continue; }
                if (type == FlowLexer.ID) continue;
                if (expected.contains(FlowLexer.ID) && SOFT_KEYWORDS.contains(literal(type))) continue;
                if (expression && (type == FlowLexer.INT || type == FlowLexer.REAL || type == FlowLexer.TRUE
                        || type == FlowLexer.FALSE || type == FlowLexer.MINUS || type == FlowLexer.PLUS
                        || type == FlowLexer.NOT || type == FlowLexer.LPAREN || type == FlowLexer.LBRACK)) continue;
                if (type == FlowLexer.INT) { parts.add("an integer"); continue; }
                if (type == FlowLexer.REAL) { parts.add("a number"); continue; }
                if (type == FlowLexer.PATH) { parts.add("a file path such as ./local.flow"); continue; }
                String literal = FlowLexer.VOCABULARY.getLiteralName(type);
                if (literal != null) parts.add("`" + literal.substring(1, literal.length() - 1) + "`");
            }
            if (parts.isEmpty()) return "something else";
            if (parts.size() == 1) return parts.get(0);
            if (parts.size() == 2) return parts.get(0) + " or " + parts.get(1);
            return "one of " + String.join(", ", parts);
        }
    }
}
