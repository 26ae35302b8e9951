package org.equiflow.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.equiflow.lsp.FlowLanguageServer;
import picocli.CommandLine.Command;

/** `equiflow lsp`: the language server for editors, speaking LSP over standard input and output. */
@Command(name = "lsp", mixinStandardHelpOptions = true,
        description = {"Run the language server (LSP over stdin/stdout) for editors: diagnostics as you type, hover,",
                "go to definition, document symbols, completion and quick fixes for .flow files (docs/editor.md)."})
final class LspCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        // Standard output carries the protocol: anything else printed there would corrupt it.
        var protocol = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        return FlowLanguageServer.run(System.in, protocol);
    }
}
