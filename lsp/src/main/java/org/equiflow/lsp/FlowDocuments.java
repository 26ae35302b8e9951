package org.equiflow.lsp;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DiagnosticRelatedInformation;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Severity;

/**
 * The open documents and every request on them. One worker thread analyses and answers in the
 * order the client sent things, so a request sees the analysis of the text before it. Nothing a
 * document does reaches the client as an exception: a failure is logged to the client and the
 * request answers empty; a failed analysis is one diagnostic saying so.
 */
final class FlowDocuments implements TextDocumentService {
    private final StandardLibrary std;
    private final Path scratch;
    private final Features features;
    private final Completion completion;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "equiflow-lsp");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> texts = new ConcurrentHashMap<>();
    private final Map<String, Integer> versions = new ConcurrentHashMap<>();
    private final Map<String, Analysis> analyses = new ConcurrentHashMap<>();
    /** Per document, the latest analysis whose text parsed: names for completion while the text is half-typed. */
    private final Map<String, Analysis> parsed = new ConcurrentHashMap<>();
    private volatile LanguageClient client;

    FlowDocuments(StandardLibrary std, Path scratch) {
        this.std = std;
        this.scratch = scratch;
        this.features = new Features(std);
        this.completion = new Completion(std);
    }

    void connect(LanguageClient client) { this.client = client; }

    /** Stops the worker and removes the private scratch directory if it was made (its files go after each check). */
    void close() {
        worker.shutdownNow();
        try {
            java.nio.file.Files.deleteIfExists(scratch);
        } catch (java.io.IOException notEmptyOrGone) {
            // a check still running when the worker was stopped: its own finally removes its file
        }
    }

    @Override
    public void didOpen(DidOpenTextDocumentParams params) {
        var doc = params.getTextDocument();
        texts.put(doc.getUri(), doc.getText());
        versions.put(doc.getUri(), doc.getVersion());
        schedule(doc.getUri());
    }

    @Override
    public void didChange(DidChangeTextDocumentParams params) {
        String uri = params.getTextDocument().getUri();
        String text = texts.getOrDefault(uri, "");
        for (TextDocumentContentChangeEvent change : params.getContentChanges()) {
            if (change.getRange() == null) {
                text = change.getText();
            } else {
                int from = Positions.offset(text, change.getRange().getStart());
                int to = Math.max(from, Positions.offset(text, change.getRange().getEnd()));
                text = text.substring(0, from) + change.getText() + text.substring(to);
            }
        }
        texts.put(uri, text);
        versions.put(uri, params.getTextDocument().getVersion());
        schedule(uri);
    }

    @Override
    public void didClose(DidCloseTextDocumentParams params) {
        String uri = params.getTextDocument().getUri();
        worker.execute(() -> {
            texts.remove(uri);
            versions.remove(uri);
            analyses.remove(uri);
            parsed.remove(uri);
            LanguageClient c = client;
            if (c != null) c.publishDiagnostics(new PublishDiagnosticsParams(uri, List.of()));
        });
    }

    @Override
    public void didSave(DidSaveTextDocumentParams params) {}

    private void schedule(String uri) {
        worker.execute(() -> {
            String text = texts.get(uri);
            Integer version = versions.get(uri);
            if (text == null || version == null) return;
            Analysis current = analyses.get(uri);
            if (current != null && current.version == version && current.text.equals(text)) return;
            List<org.eclipse.lsp4j.Diagnostic> shown;
            try {
                Analysis a = Analysis.of(uri, version, text, scratch);
                analyses.put(uri, a);
                if (a.ast != null) parsed.put(uri, a);
                shown = a.diagnostics.stream().map(d -> toLsp(a, d)).toList();
            } catch (Exception | StackOverflowError | AssertionError e) {
                analyses.remove(uri);
                log("analysis of " + uri + " failed", e);
                var at = new Range(new Position(0, 0), new Position(0, 0));
                var d = new org.eclipse.lsp4j.Diagnostic(at, "equiflow could not analyse this text: " + e, DiagnosticSeverity.Error, "equiflow");
                shown = List.of(d);
            }
            LanguageClient c = client;
            if (c != null) c.publishDiagnostics(new PublishDiagnosticsParams(uri, shown, version));
        });
    }

    /**
     * A checker diagnostic as the editor shows it: code, range, the message with its unplaced notes
     * and `help:` lines (as `equiflow check` prints them), notes with a place as related locations.
     * A diagnostic inside another file (an imported module) sits at the document's start, naming where.
     */
    org.eclipse.lsp4j.Diagnostic toLsp(Analysis a, Diagnostic d) {
        boolean here = a.inDocument(d.span());
        Range range = here ? Positions.range(d.span()) : new Range(new Position(0, 0), new Position(0, 0));
        var message = new StringBuilder(d.message());
        if (!here && d.span() != null) message.append(" (").append(d.span().location()).append(')');
        for (Diagnostic.Note note : d.notes()) {
            if (note.span() == null) message.append("\nnote: ").append(note.message());
        }
        for (String help : d.help()) message.append("\nhelp: ").append(help);
        var out = new org.eclipse.lsp4j.Diagnostic(range, message.toString(),
                d.severity() == Severity.ERROR ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, "equiflow", d.code().id());
        List<DiagnosticRelatedInformation> related = new ArrayList<>();
        for (Diagnostic.Note note : d.notes()) {
            if (note.span() != null) {
                related.add(new DiagnosticRelatedInformation(new Location(features.uri(a, note.span()), Positions.range(note.span())), note.message()));
            }
        }
        if (!here && d.span() != null) {
            related.add(new DiagnosticRelatedInformation(new Location(features.uri(a, d.span()), Positions.range(d.span())), d.message()));
        }
        if (!related.isEmpty()) out.setRelatedInformation(related);
        return out;
    }

    @Override
    public CompletableFuture<Hover> hover(HoverParams params) {
        return answer(params.getTextDocument().getUri(), null, a -> features.hover(a, Positions.offset(a.text, params.getPosition()))
                .map(md -> new Hover(new MarkupContent(MarkupKind.MARKDOWN, md))).orElse(null));
    }

    @Override
    public CompletableFuture<Either<List<? extends Location>, List<? extends LocationLink>>> definition(DefinitionParams params) {
        return answer(params.getTextDocument().getUri(), Either.forLeft(List.of()), a -> {
            List<Location> found = features.definition(a, Positions.offset(a.text, params.getPosition())).map(List::of).orElse(List.of());
            return Either.forLeft(found);
        });
    }

    @Override
    public CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbol(DocumentSymbolParams params) {
        String uri = params.getTextDocument().getUri();
        return answer(uri, List.of(), a -> {
            // While the text does not parse, the outline of its last parsed version is the better answer.
            Analysis source = a.ast != null ? a : parsed.getOrDefault(uri, a);
            return features.symbols(source).stream().map(Either::<SymbolInformation, DocumentSymbol>forRight).toList();
        });
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
        String uri = params.getTextDocument().getUri();
        return answer(uri, Either.forLeft(List.of()), a -> Either.forLeft(
                completion.complete(a, parsed.get(uri), Positions.offset(a.text, params.getPosition()))));
    }

    @Override
    public CompletableFuture<List<Either<Command, CodeAction>>> codeAction(CodeActionParams params) {
        return answer(params.getTextDocument().getUri(), List.of(), a -> {
            Function<Diagnostic, org.eclipse.lsp4j.Diagnostic> shown = d -> toLsp(a, d);
            return Fixes.fixes(a, params.getRange(), shown).stream().map(Either::<Command, CodeAction>forRight).toList();
        });
    }

    /** Runs a request on the worker after every analysis scheduled before it; failures answer {@code empty}. */
    private <T> CompletableFuture<T> answer(String uri, T empty, Function<Analysis, T> request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Analysis a = analyses.get(uri);
                return a == null ? empty : request.apply(a);
            } catch (Exception | StackOverflowError | AssertionError e) {
                log("request on " + uri + " failed", e);
                return empty;
            }
        }, worker);
    }

    private void log(String what, Throwable e) {
        LanguageClient c = client;
        if (c == null) return;
        var trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        c.logMessage(new MessageParams(MessageType.Error, "equiflow lsp: " + what + ": " + trace));
    }
}
