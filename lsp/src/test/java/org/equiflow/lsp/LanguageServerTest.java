package org.equiflow.lsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.SymbolKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server end to end through a JSON-RPC client: every request an editor makes, on the examples. */
class LanguageServerTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final String BIASED_SHIFT = "shift = cnn(hidden = [8, 8], act = tanh, bias = true))";

    @TempDir static Path dir;
    static LspSession lsp;
    static String z2;
    static String z2Uri;
    static int version = 1;

    @BeforeAll
    static void start() throws Exception {
        lsp = new LspSession();
        z2 = Files.readString(EXAMPLES.resolve("phi4_z2.flow"));
        Path copy = dir.resolve("phi4_z2.flow");
        Files.writeString(copy, z2);
        z2Uri = copy.toUri().toString();
        lsp.open(z2Uri, z2, version);
        assertEquals(List.of(), lsp.diagnostics(z2Uri, version).getDiagnostics(), "the example checks clean");
    }

    @AfterAll
    static void stop() throws Exception {
        assertEquals(List.of(), lsp.logged.stream().filter(m -> m.getType() == MessageType.Error).toList(), "the server logged failures");
        assertEquals(0, lsp.shutdownAndExit(), "shutdown then exit is a clean end");
    }

    /** Edits the open z2 document to {@code text}; returns its diagnostics. */
    static List<Diagnostic> edit(String text) throws Exception {
        version++;
        lsp.change(z2Uri, text, version);
        return lsp.diagnostics(z2Uri, version).getDiagnostics();
    }

    static String biased() {
        String text = z2.replace("shift = cnn(hidden = [8, 8], act = tanh, bias = false))", BIASED_SHIFT);
        assertFalse(text.equals(z2));
        return text;
    }

    @Test
    void advertisesWhatItAnswers() {
        var c = lsp.initialized.getCapabilities();
        assertTrue(c.getHoverProvider().getLeft());
        assertTrue(c.getDefinitionProvider().getLeft());
        assertTrue(c.getDocumentSymbolProvider().getLeft());
        assertNotNull(c.getCompletionProvider());
        assertNotNull(c.getCodeActionProvider());
    }

    @Test
    void aBiasInTheShiftNetIsTheCheckersErrorWithItsNoteAndHelp() throws Exception {
        String text = biased();
        List<Diagnostic> ds = edit(text);
        assertEquals(1, ds.size(), ds.toString());
        Diagnostic d = ds.get(0);
        assertEquals("E0410", d.getCode().getLeft());
        assertEquals(DiagnosticSeverity.Error, d.getSeverity());
        assertEquals(LspSession.at(text, "cnn(hidden = [8, 8], act = tanh, bias = true)", 0), d.getRange().getStart());
        assertTrue(d.getMessage().startsWith("flow `z2flow` claims `equivariant z2`, so the shift net"), d.getMessage());
        assertTrue(d.getMessage().contains("\nhelp: or add `symmetrize z2` to the flow"), d.getMessage());
        assertEquals(1, d.getRelatedInformation().size());
        assertTrue(d.getRelatedInformation().get(0).getMessage().startsWith("a bias breaks oddness"));
        assertEquals(z2Uri, d.getRelatedInformation().get(0).getLocation().getUri());

        // quick fix: `symmetrize z2` at the end of the flow's body makes the claim hold
        List<CodeAction> actions = lsp.codeActions(z2Uri, d.getRange(), ds);
        CodeAction fix = actions.stream().filter(a -> a.getTitle().equals("Add `symmetrize z2` to the flow")).findFirst().orElseThrow(() -> new AssertionError(actions.toString()));
        String fixed = LspSession.apply(text, z2Uri, fix);
        assertTrue(fixed.contains("        )                   // odd\n    }\n    symmetrize z2\n}\n") || fixed.contains("    }\n    symmetrize z2\n}\n"), fixed);
        assertEquals(List.of(), edit(fixed).stream().filter(x -> x.getSeverity() == DiagnosticSeverity.Error).toList());
        edit(z2);
    }

    @Test
    void hoverOnALayerSaysWhatCheckExplainSays() throws Exception {
        String clean = lsp.hover(z2Uri, LspSession.at(z2, "affine(", 2));
        assertTrue(clean.startsWith("```flow\nextern layer affine(mask: mask, net: net?, scale: net?, shift: net?) is sites\n```"), clean);
        assertContains(clean, "flow `z2flow`: 16 layers (0–15) of 16 come from this call",
                "✓ the shift net is odd: bias-free convolutions and odd activations",
                "z2: holds  [claimed: ok]");

        String text = biased();
        edit(text);
        String broken = lsp.hover(z2Uri, LspSession.at(text, "affine(", 0));
        assertContains(broken, "✗ the shift net of this affine coupling must be odd, but it is neither odd nor even",
                "because a bias breaks oddness",
                "z2: broken  [claimed: ERROR]");
        edit(z2);
    }

    @Test
    void hoverOnAStandardNameShowsItsSignatureAndComment() throws Exception {
        String cnn = lsp.hover(z2Uri, LspSession.at(z2, "cnn(hidden", 1));
        assertTrue(cnn.startsWith("```flow\nnet cnn(hidden: [int] = [8, 8], kernel: int = 3, act: activation = leaky_relu, out_act: activation = identity, bias: bool = true)\n```"), cnn);
        assertContains(cnn, "The notebook's conditioner",
                "*std/nets.flow:");
        String parity = lsp.hover(z2Uri, LspSession.at(z2, "parity = i", 1));
        assertTrue(parity.startsWith("```flow\nparameter parity: int = 0\nof extern mask checkerboard(parity: int = 0) is sites\n```"), parity);
        String counter = lsp.hover(z2Uri, LspSession.at(z2, "i % 2", 0));
        assertTrue(counter.contains("repeat counter i: int"), counter);
    }

    @Test
    void definitionsGoIntoTheDocumentAndTheStandardLibrary() throws Exception {
        Location cnn = lsp.definition(z2Uri, LspSession.at(z2, "cnn(hidden", 0)).get(0);
        assertTrue(cnn.getUri().endsWith("/std/nets.flow"), cnn.getUri());
        String nets = Files.readString(Path.of(URI.create(cnn.getUri())));
        assertEquals("cnn", nets.substring(Positions.offset(nets, cnn.getRange().getStart()), Positions.offset(nets, cnn.getRange().getEnd())));

        Location theory = lsp.definition(z2Uri, LspSession.at(z2, "for T", 4)).get(0);
        assertEquals(z2Uri, theory.getUri());
        assertEquals(LspSession.at(z2, "T = phi4", 0), theory.getRange().getStart());

        Location parity = lsp.definition(z2Uri, LspSession.at(z2, "parity = i", 0)).get(0);
        assertTrue(parity.getUri().endsWith("/std/masks.flow"), parity.getUri());
        String masks = Files.readString(Path.of(URI.create(parity.getUri())));
        assertEquals("parity", masks.substring(Positions.offset(masks, parity.getRange().getStart()), Positions.offset(masks, parity.getRange().getEnd())));

        Location counter = lsp.definition(z2Uri, LspSession.at(z2, "i % 2", 0)).get(0);
        assertEquals(LspSession.at(z2, "i in 0..16", 0), counter.getRange().getStart());
        assertEquals(List.of(), lsp.definition(z2Uri, LspSession.at(z2, "0..16", 0)), "a number is no name");
    }

    @Test
    void documentSymbolsAreTheTheoriesFlowsAndRunBlocks() throws Exception {
        List<DocumentSymbol> symbols = lsp.symbols(z2Uri);
        assertEquals(List.of("use std.theories.phi4", "use std.nets.{cnn, conv}", "use std.masks.checkerboard", "T", "z2flow", "train z2flow", "sample z2flow"),
                symbols.stream().map(DocumentSymbol::getName).toList());
        DocumentSymbol flow = symbols.get(4);
        assertEquals(SymbolKind.Module, flow.getKind());
        assertEquals("flow z2flow for T equivariant z2, translation", flow.getDetail());
        assertEquals(LspSession.at(z2, "z2flow for", 0), flow.getSelectionRange().getStart());
        assertEquals(SymbolKind.Object, symbols.get(3).getKind());
    }

    @Test
    void symbolsOfATheoryDefinitionListItsFieldsAndSymmetries() throws Exception {
        String text = "theory ising(lattice: shape, beta: real) {\n    field phi: real on sites\n    action -beta * sum x { sum mu { phi[x] * phi[x + mu] } }\n"
                + "    symmetry z2: phi -> -phi\n}\n\ntheory I = ising(lattice = [4, 4], beta = 0.3)\n";
        String uri = dir.resolve("ising.flow").toUri().toString();
        lsp.open(uri, text, 1);
        lsp.diagnostics(uri, 1);
        DocumentSymbol theory = lsp.symbols(uri).get(0);
        assertEquals("ising", theory.getName());
        assertEquals(SymbolKind.Class, theory.getKind());
        assertEquals(List.of("phi", "z2"), theory.getChildren().stream().map(DocumentSymbol::getName).toList());
    }

    @Test
    void completionOffersNamesKeywordsAndNamedArguments() throws Exception {
        // half-typed: an argument list left open
        String open = z2.replace("affine(mask  = checkerboard(parity = i % 2),", "affine(mask  = checkerboard(");
        edit(open);
        List<String> args = labels(lsp.completion(z2Uri, LspSession.at(open, "checkerboard(", "checkerboard(".length())));
        assertEquals("parity", args.get(0), args.toString());

        String typing = z2.replace("    repeat i in 0..16 {", "    rep\n    repeat i in 0..16 {");
        edit(typing);
        List<String> keywords = labels(lsp.completion(z2Uri, LspSession.at(typing, "rep\n", 3)));
        assertEquals(List.of("repeat"), keywords);

        String name = z2.replace("shift = cnn(", "shift = cn(");
        edit(name);
        List<String> names = labels(lsp.completion(z2Uri, LspSession.at(name, "shift = cn(", "shift = cn".length())));
        assertEquals(List.of("cnn"), names, "what starts with `cn`: the imported net, no keyword");
        String c = z2.replace("shift = cnn(", "shift = c(");
        edit(c);
        List<String> all = labels(lsp.completion(z2Uri, LspSession.at(c, "shift = c(", "shift = c".length())));
        assertTrue(all.containsAll(List.of("cnn", "conv", "checkerboard", "cos", "cosh")), "imported and prelude names: " + all);
        assertFalse(all.contains("dense"), "not imported: " + all);

        String use = z2.replace("use std.masks.checkerboard", "use std.nets.");
        edit(use);
        List<String> items = labels(lsp.completion(z2Uri, LspSession.at(use, "use std.nets.", "use std.nets.".length())));
        assertTrue(items.containsAll(List.of("conv", "dense", "cnn")), items.toString());
        assertFalse(items.contains("checkerboard") || items.contains("repeat"), "std.nets's definitions only: " + items);

        List<String> locals = labels(lsp.completion(z2Uri, LspSession.at(z2, "i % 2", 0)));
        assertTrue(locals.contains("i"), locals.toString());
        edit(z2);
    }

    @Test
    void didYouMeanIsAQuickFix() throws Exception {
        String text = z2.replace("act = tanh, bias = false))", "act = tahn, bias = false))");
        List<Diagnostic> ds = edit(text);
        Diagnostic d = ds.stream().filter(x -> "E0300".equals(x.getCode().getLeft())).findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
        CodeAction fix = lsp.codeActions(z2Uri, d.getRange(), ds).get(0);
        assertEquals("Replace `tahn` with `tanh`", fix.getTitle());
        assertEquals(z2, LspSession.apply(text, z2Uri, fix));
        edit(z2);
    }

    @Test
    void aMissingImportIsAQuickFix() throws Exception {
        String text = z2.replace("use std.masks.checkerboard\n", "");
        List<Diagnostic> ds = edit(text);
        Diagnostic d = ds.stream().filter(x -> "E0300".equals(x.getCode().getLeft())).findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
        List<CodeAction> actions = lsp.codeActions(z2Uri, d.getRange(), ds);
        CodeAction fix = actions.stream().filter(a -> a.getTitle().equals("Add `use std.masks.checkerboard`")).findFirst().orElseThrow(() -> new AssertionError(actions.toString()));
        String fixed = LspSession.apply(text, z2Uri, fix);
        assertEquals(z2, fixed);
        assertEquals(List.of(), edit(fixed));
    }

    @Test
    void unsavedTextResolvesLocalImportsBesideTheDocumentAndLeavesNothingThere() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.writeString(project.resolve("nets.flow"), "use std.nets.cnn\n\n// the shift net, odd\nnet oddshift() {\n    cnn(act = tanh, bias = flase)\n}\n");
        String text = z2.replace("use std.masks.checkerboard\n", "use std.masks.checkerboard\nuse ./nets.flow\n")
                .replace("shift = cnn(hidden = [8, 8], act = tanh, bias = false))", "shift = oddshift())");
        Path main = project.resolve("main.flow");
        Files.writeString(main, "// not yet saved\n");
        String uri = main.toUri().toString();
        lsp.open(uri, text, 1);
        List<Diagnostic> ds = lsp.diagnostics(uri, 1).getDiagnostics();
        assertEquals(1, ds.size(), ds.toString());
        Diagnostic d = ds.get(0);
        assertEquals("E0300", d.getCode().getLeft());
        assertEquals(new Position(0, 0), d.getRange().getStart(), "an error in an imported file sits at the document's start");
        assertTrue(d.getMessage().startsWith("unknown name `flase` (" + project.resolve("nets.flow") + ":5:28)"), d.getMessage());
        var where = d.getRelatedInformation().get(d.getRelatedInformation().size() - 1).getLocation();
        assertEquals(project.resolve("nets.flow").toUri(), URI.create(where.getUri()));
        assertEquals(new Position(4, 27), where.getRange().getStart());

        Files.writeString(project.resolve("nets.flow"), Files.readString(project.resolve("nets.flow")).replace("flase", "false"));
        lsp.change(uri, text + "\n", 2);
        assertEquals(List.of(), lsp.diagnostics(uri, 2).getDiagnostics());
        Location shift = lsp.definition(uri, LspSession.at(text, "oddshift()", 0)).get(0);
        assertEquals(project.resolve("nets.flow").toUri(), URI.create(shift.getUri()));
        assertTrue(lsp.hover(uri, LspSession.at(text, "oddshift()", 0)).contains("net oddshift()\n```\n\nthe shift net, odd"));
        try (var files = Files.list(project)) {
            assertEquals(List.of("main.flow", "nets.flow"), files.map(p -> p.getFileName().toString()).sorted().toList(), "the checked copy is gone");
        }
    }

    @Test
    void aMisspelledNameThatIsNotImportedIsOneQuickFixForBoth() throws Exception {
        String text = z2.replace("use std.masks.checkerboard\n", "").replace("mask  = checkerboard(", "mask  = chekerboard(");
        List<Diagnostic> ds = edit(text);
        Diagnostic d = ds.stream().filter(x -> "E0300".equals(x.getCode().getLeft())).findFirst().orElseThrow(() -> new AssertionError(ds.toString()));
        List<CodeAction> actions = lsp.codeActions(z2Uri, d.getRange(), ds);
        CodeAction fix = actions.stream().filter(a -> a.getTitle().equals("Replace `chekerboard` with `checkerboard` and add `use std.masks.checkerboard`"))
                .findFirst().orElseThrow(() -> new AssertionError(actions.toString()));
        assertEquals(z2, LspSession.apply(text, z2Uri, fix));
        edit(z2);
    }

    @Test
    void anUnusedImportIsAQuickFix() throws Exception {
        for (String text : List.of(z2.replace("use std.nets.{cnn, conv}", "use std.nets.{cnn, dense, conv}"),
                z2.replace("use std.nets.{cnn, conv}", "use std.nets.{cnn, conv, dense}"),
                z2.replace("use std.masks.checkerboard\n", "use std.masks.checkerboard\nuse std.gauge.link_mask\n"))) {
            List<Diagnostic> ds = edit(text);
            assertEquals(List.of("W0001"), ds.stream().map(x -> x.getCode().getLeft()).toList(), text);
            CodeAction fix = lsp.codeActions(z2Uri, ds.get(0).getRange(), ds).get(0);
            assertTrue(fix.getTitle().startsWith("Remove the unused import `"), fix.getTitle());
            assertEquals(z2, LspSession.apply(text, z2Uri, fix));
        }
        edit(z2);
    }

    @Test
    void anUntitledDocumentIsCheckedToo() throws Exception {
        String uri = "untitled:Untitled-1";
        lsp.open(uri, z2.replace("theory T = phi4", "theory T = phi5"), 1);
        List<Diagnostic> ds = lsp.diagnostics(uri, 1).getDiagnostics();
        // phi5 is unknown, so the import of phi4 is unused: the checker's warning comes with the error
        assertEquals(List.of("W0001", "E0300"), ds.stream().map(d -> d.getCode().getLeft()).toList());
        assertEquals(DiagnosticSeverity.Warning, ds.get(0).getSeverity());
        CodeAction fix = lsp.codeActions(uri, ds.get(1).getRange(), ds).get(0);
        assertEquals("Replace `phi5` with `phi4`", fix.getTitle());
    }

    @Test
    void theNamesOfAUseGoToTheirDefinitions() throws Exception {
        Location cb = lsp.definition(z2Uri, LspSession.at(z2, "checkerboard\n", 0)).get(0);
        assertTrue(cb.getUri().endsWith("/std/masks.flow"), cb.getUri());
        String hover = lsp.hover(z2Uri, LspSession.at(z2, "conv}", 1));
        assertTrue(hover.startsWith("```flow\nextern net conv(channels: int?, kernel: int = 3, bias: bool = true) is translation\n```"), hover);
    }

    static List<String> labels(List<CompletionItem> items) {
        return items.stream().sorted(java.util.Comparator.comparing(i -> i.getSortText() == null ? "1" + i.getLabel() : i.getSortText()))
                .map(CompletionItem::getLabel).toList();
    }

    /** Every part occurs in the text (the text is the failure message). */
    private static void assertContains(String text, String... parts) {
        for (String part : parts) assertTrue(text.contains(part), () -> "no \"" + part + "\" in:\n" + text);
    }
}
