package org.equiflow.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionOptions;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * The equiflow language server: the checker's diagnostics as you type, hover, definitions,
 * document symbols, completion and quick fixes for {@code .flow} files (LSP 3.17 over JSON-RPC).
 * {@link #run} serves one client on a pair of streams until it says {@code exit}.
 */
public final class FlowLanguageServer implements LanguageServer, LanguageClientAware {
    private final FlowDocuments documents;
    private final WorkspaceService workspace = new WorkspaceService() {
        @Override public void didChangeConfiguration(org.eclipse.lsp4j.DidChangeConfigurationParams params) {}

        @Override public void didChangeWatchedFiles(org.eclipse.lsp4j.DidChangeWatchedFilesParams params) {}
    };
    private volatile boolean shutdown;
    private volatile Future<Void> listening;

    /** A server whose standard-library copies and scratch files live under {@code scratch}. */
    public FlowLanguageServer(Path scratch) {
        this.documents = new FlowDocuments(StandardLibrary.extract(scratch), scratch.resolve("equiflow-lsp-scratch-" + ProcessHandle.current().pid()));
    }

    /**
     * Serves one client over {@code in}/{@code out} until the client's {@code exit} notification
     * or the end of {@code in}. Returns the exit status the protocol asks for: 0 when
     * {@code shutdown} came before {@code exit} (or the stream ended after it), 1 otherwise.
     */
    public static int run(InputStream in, OutputStream out) {
        var server = new FlowLanguageServer(Path.of(System.getProperty("java.io.tmpdir")));
        Launcher<LanguageClient> launcher = LSPLauncher.createServerLauncher(server, in, out);
        server.connect(launcher.getRemoteProxy());
        server.listening = launcher.startListening();
        try {
            server.listening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            // the stream closed or exit cancelled the listener: either way the session is over
        }
        server.documents.close();
        return server.shutdown ? 0 : 1;
    }

    @Override
    public void connect(LanguageClient client) { documents.connect(client); }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        var capabilities = new ServerCapabilities();
        capabilities.setTextDocumentSync(TextDocumentSyncKind.Full);
        capabilities.setHoverProvider(true);
        capabilities.setDefinitionProvider(true);
        capabilities.setDocumentSymbolProvider(true);
        capabilities.setCompletionProvider(new CompletionOptions(false, List.of("(", ",", ".", " ")));
        capabilities.setCodeActionProvider(new CodeActionOptions(List.of(CodeActionKind.QuickFix)));
        String version = FlowLanguageServer.class.getPackage().getImplementationVersion();
        return CompletableFuture.completedFuture(new InitializeResult(capabilities, new ServerInfo("equiflow", version)));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdown = true;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        Future<Void> l = listening;
        if (l != null) l.cancel(true);
    }

    @Override
    public TextDocumentService getTextDocumentService() { return documents; }

    @Override
    public WorkspaceService getWorkspaceService() { return workspace; }
}
