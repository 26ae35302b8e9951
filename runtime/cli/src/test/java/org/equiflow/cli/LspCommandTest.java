package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `equiflow lsp` as an editor starts it: a child JVM whose stdin and stdout carry the protocol
 * (nothing else may reach stdout), ended by shutdown and exit with status 0, or with status 1
 * when the client goes away without shutdown, as the protocol asks.
 */
class LspCommandTest {
    private static final long PATIENCE_S = 300;

    @TempDir Path dir;

    @Test
    void speaksTheProtocolOnStdioAndEndsAsAsked() throws Exception {
        String text = Files.readString(Path.of("..", "..", "examples", "phi4_z2.flow"))
                .replace("act = tanh, bias = false))", "act = tanh, bias = true))");
        Path file = dir.resolve("phi4_z2.flow");
        Files.writeString(file, text);

        Process server = child();
        var published = new LinkedBlockingQueue<PublishDiagnosticsParams>();
        LanguageServer remote = connect(server, published);
        remote.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(file.toUri().toString(), "flow", 1, text)));
        PublishDiagnosticsParams diagnostics = published.poll(PATIENCE_S, TimeUnit.SECONDS);
        assertNotNull(diagnostics, "no diagnostics from the child");
        assertEquals(List.of("E0410"), diagnostics.getDiagnostics().stream().map(d -> d.getCode().getLeft()).toList());
        remote.shutdown().get(PATIENCE_S, TimeUnit.SECONDS);
        remote.exit();
        assertEquals(0, exitStatus(server));

        Process abandoned = child();
        connect(abandoned, new LinkedBlockingQueue<>());
        abandoned.getOutputStream().close();
        assertEquals(1, exitStatus(abandoned), "the client went away without shutdown");
    }

    private static LanguageServer connect(Process server, LinkedBlockingQueue<PublishDiagnosticsParams> published) throws Exception {
        LanguageClient client = new LanguageClient() {
            @Override public void telemetryEvent(Object object) {}

            @Override public void publishDiagnostics(PublishDiagnosticsParams diagnostics) { published.add(diagnostics); }

            @Override public void showMessage(MessageParams message) {}

            @Override public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams request) {
                return CompletableFuture.completedFuture(null);
            }

            @Override public void logMessage(MessageParams message) {}
        };
        var launcher = LSPLauncher.createClientLauncher(client, server.getInputStream(), server.getOutputStream());
        launcher.startListening();
        LanguageServer remote = launcher.getRemoteProxy();
        var params = new InitializeParams();
        params.setCapabilities(new ClientCapabilities());
        assertNotNull(remote.initialize(params).get(PATIENCE_S, TimeUnit.SECONDS).getCapabilities().getHoverProvider());
        remote.initialized(new InitializedParams());
        return remote;
    }

    private static int exitStatus(Process p) throws InterruptedException {
        if (!p.waitFor(PATIENCE_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the server did not end");
        }
        return p.exitValue();
    }

    /** `equiflow lsp` in a child JVM of this test's class path; its stderr (JVM warnings) discarded. */
    private static Process child() throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-javaagent") && !argument.startsWith("-agentlib")) command.add(argument);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.add("lsp");
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }
}
