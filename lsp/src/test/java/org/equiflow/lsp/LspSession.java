package org.equiflow.lsp;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * A language client for the tests: the server runs in this JVM on a thread, the two talk JSON-RPC
 * over a pair of pipes exactly as an editor and {@code equiflow lsp} do over stdio.
 */
final class LspSession implements AutoCloseable {
    /** Generous bound on waiting for the server, so a hung server fails the test instead of the build. */
    private static final long PATIENCE_S = 300;

    final LanguageServer server;
    final InitializeResult initialized;
    final List<MessageParams> logged = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<PublishDiagnosticsParams> published = new LinkedBlockingQueue<>();
    private final Thread serverThread;
    private final int[] exitStatus = {-1};

    LspSession() throws Exception {
        var toServer = new PipedOutputStream();
        var serverIn = new PipedInputStream(toServer, 1 << 16);
        var fromServer = new PipedOutputStream();
        var clientIn = new PipedInputStream(fromServer, 1 << 16);
        serverThread = new Thread(() -> exitStatus[0] = FlowLanguageServer.run(serverIn, fromServer), "lsp-server-under-test");
        serverThread.setDaemon(true);
        serverThread.start();
        LanguageClient client = new LanguageClient() {
            @Override public void telemetryEvent(Object object) {}

            @Override public void publishDiagnostics(PublishDiagnosticsParams diagnostics) { published.add(diagnostics); }

            @Override public void showMessage(MessageParams message) { logged.add(message); }

            @Override public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams request) {
                return CompletableFuture.completedFuture(null);
            }

            @Override public void logMessage(MessageParams message) { logged.add(message); }
        };
        var launcher = LSPLauncher.createClientLauncher(client, clientIn, toServer);
        launcher.startListening();
        server = launcher.getRemoteProxy();
        var params = new InitializeParams();
        params.setCapabilities(new ClientCapabilities());
        initialized = get(server.initialize(params));
        server.initialized(new InitializedParams());
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(PATIENCE_S, TimeUnit.SECONDS);
    }

    void open(String uri, String text, int version) {
        server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "flow", version, text)));
    }

    void change(String uri, String text, int version) {
        server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, version),
                List.of(new TextDocumentContentChangeEvent(text))));
    }

    /** The diagnostics the server publishes for this version of the document (earlier versions' are skipped). */
    PublishDiagnosticsParams diagnostics(String uri, int version) throws InterruptedException {
        while (true) {
            PublishDiagnosticsParams p = published.poll(PATIENCE_S, TimeUnit.SECONDS);
            assertNotNull(p, "no diagnostics for " + uri + " version " + version);
            if (p.getUri().equals(uri) && p.getVersion() != null && p.getVersion() == version) return p;
        }
    }

    String hover(String uri, Position at) throws Exception {
        var h = get(server.getTextDocumentService().hover(new HoverParams(new TextDocumentIdentifier(uri), at)));
        return h == null ? null : h.getContents().getRight().getValue();
    }

    List<? extends Location> definition(String uri, Position at) throws Exception {
        return get(server.getTextDocumentService().definition(new DefinitionParams(new TextDocumentIdentifier(uri), at))).getLeft();
    }

    List<CompletionItem> completion(String uri, Position at) throws Exception {
        return get(server.getTextDocumentService().completion(new CompletionParams(new TextDocumentIdentifier(uri), at))).getLeft();
    }

    List<DocumentSymbol> symbols(String uri) throws Exception {
        return get(server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(new TextDocumentIdentifier(uri))))
                .stream().map(e -> e.getRight()).toList();
    }

    List<CodeAction> codeActions(String uri, Range range, List<org.eclipse.lsp4j.Diagnostic> diagnostics) throws Exception {
        return get(server.getTextDocumentService().codeAction(new CodeActionParams(new TextDocumentIdentifier(uri), range,
                new CodeActionContext(diagnostics)))).stream().map(e -> e.getRight()).toList();
    }

    /** The text after a code action's edits to this document. */
    static String apply(String text, String uri, CodeAction action) {
        List<TextEdit> edits = new ArrayList<>(action.getEdit().getChanges().get(uri));
        edits.sort(Comparator.comparing((TextEdit e) -> e.getRange().getStart().getLine())
                .thenComparing(e -> e.getRange().getStart().getCharacter()).reversed());
        for (TextEdit e : edits) {
            int from = Positions.offset(text, e.getRange().getStart()), to = Positions.offset(text, e.getRange().getEnd());
            text = text.substring(0, from) + e.getNewText() + text.substring(to);
        }
        return text;
    }

    /** The position of the first occurrence of {@code needle} (plus {@code delta} characters) in {@code text}. */
    static Position at(String text, String needle, int delta) {
        int i = text.indexOf(needle);
        if (i < 0) throw new AssertionError("`" + needle + "` not in the text");
        return Positions.positionIn(text, i + delta);
    }

    /** shutdown then exit, as an editor ends a session; returns the server's exit status. */
    int shutdownAndExit() throws Exception {
        get(server.shutdown());
        server.exit();
        serverThread.join(TimeUnit.SECONDS.toMillis(PATIENCE_S));
        return exitStatus[0];
    }

    @Override
    public void close() throws IOException {
        if (serverThread.isAlive()) {
            server.exit();
        }
    }
}
