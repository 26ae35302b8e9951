package org.equiflow.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Half-typed input: every example cut off at every line's end and at every 5th character in
 * between, as the text is while being typed. For each cut the server publishes diagnostics (the
 * checker's, never "could not analyse") and answers hover, definition, completion, document
 * symbols and code actions at the cut and in the middle without an error; afterwards the whole
 * example checks as it did before, on the same server.
 */
class TruncationSweepTest {
    @TempDir Path dir;

    @Test
    void everyTruncatedExampleIsAnsweredAndNeverKillsTheServer() throws Exception {
        List<Path> examples;
        try (Stream<Path> files = Files.list(LanguageServerTest.EXAMPLES)) {
            examples = files.filter(p -> p.toString().endsWith(".flow")).sorted().toList();
        }
        assertTrue(examples.size() >= 8, "the examples were found: " + examples);
        int cutsTried = 0;
        try (var lsp = new LspSession()) {
            for (Path example : examples) {
                String full = Files.readString(example);
                Path copy = dir.resolve(example.getFileName());
                Files.writeString(copy, full);
                String uri = copy.toUri().toString();
                int version = 1;
                lsp.open(uri, full, version);
                List<Diagnostic> clean = lsp.diagnostics(uri, version).getDiagnostics();
                assertFalse(clean.stream().anyMatch(d -> d.getMessage().startsWith("equiflow could not analyse")), example + ": " + clean);
                for (int cut : cuts(full)) {
                    String text = full.substring(0, cut);
                    lsp.change(uri, text, ++version);
                    List<Diagnostic> ds = lsp.diagnostics(uri, version).getDiagnostics();
                    for (Diagnostic d : ds) {
                        assertFalse(d.getMessage().startsWith("equiflow could not analyse"), example + " cut at " + cut + ": " + d.getMessage());
                        assertNotNull(d.getCode(), example + " cut at " + cut + ": a diagnostic without a code: " + d.getMessage());
                    }
                    for (Position at : List.of(Positions.positionIn(text, cut), Positions.positionIn(text, cut / 2))) {
                        lsp.hover(uri, at);
                        assertNotNull(lsp.definition(uri, at));
                        assertNotNull(lsp.completion(uri, at));
                        lsp.codeActions(uri, new Range(at, at), ds);
                    }
                    assertNotNull(lsp.symbols(uri));
                    cutsTried++;
                }
                lsp.change(uri, full, ++version);
                assertEquals(clean, lsp.diagnostics(uri, version).getDiagnostics(), example + " checks as before the sweep");
            }
            assertEquals(List.of(), lsp.logged.stream().filter(m -> m.getType() == MessageType.Error).map(m -> m.getMessage()).toList(),
                    "no request failed inside the server");
            assertEquals(0, lsp.shutdownAndExit());
        }
        assertTrue(cutsTried > 1000, "cuts tried: " + cutsTried);
    }

    /** Every line's end and every 5th offset, without the full length. */
    private static TreeSet<Integer> cuts(String text) {
        var cuts = new TreeSet<Integer>();
        for (int i = 0; i < text.length(); i += 5) cuts.add(i);
        for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) cuts.add(i);
        cuts.remove(text.length());
        return cuts;
    }
}
