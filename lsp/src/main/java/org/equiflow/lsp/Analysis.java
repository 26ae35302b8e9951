package org.equiflow.lsp;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.check.ActionSymmetry;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.check.DefinitionCycles;
import org.equiflow.compiler.check.Elaborator;
import org.equiflow.compiler.check.ModuleScope;
import org.equiflow.compiler.check.Resolution;
import org.equiflow.compiler.check.Resolver;
import org.equiflow.compiler.check.ScopeBuilder;
import org.equiflow.compiler.check.TheoryChecker;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.modules.LoadedModule;
import org.equiflow.compiler.modules.ModuleLoader;

/**
 * One version of one open document, analysed. The diagnostics are exactly those of
 * {@code equiflow check} ({@link Compiler#check}); for navigation the same public phases run once
 * more and keep what they built — the AST, the scopes, the resolution of every name, and, when
 * the script elaborates, the checked program whose flows {@code check --explain} describes — as
 * far as the text allows, so that a file with an error still has hover and definitions.
 *
 * The compiler reads files, and an editor's text is usually unsaved: the text is written to a
 * hidden file beside the document (so that {@code use ./other.flow} resolves as it will on disk),
 * checked under the document's own name, and removed. Where that directory cannot be written,
 * a private temporary directory is used instead (then local imports are not found).
 */
final class Analysis {
    final String uri;
    final int version;
    final String text;
    /** The document's name in diagnostics: its absolute path (or the URI when it is not a file). */
    final String display;
    final SourceFile source;
    final List<Diagnostic> diagnostics;
    /** The document's AST when it parses; null otherwise. */
    final Module ast;
    final String rootKey;
    final Map<String, ModuleScope> scopes;
    final Resolution resolution;
    final CheckedProgram program;

    private Analysis(String uri, int version, String text, String display, SourceFile source, List<Diagnostic> diagnostics,
                     Module ast, String rootKey, Map<String, ModuleScope> scopes, Resolution resolution, CheckedProgram program) {
        this.uri = uri;
        this.version = version;
        this.text = text;
        this.display = display;
        this.source = source;
        this.diagnostics = diagnostics;
        this.ast = ast;
        this.rootKey = rootKey;
        this.scopes = scopes;
        this.resolution = resolution;
        this.program = program;
    }

    static Analysis of(String uri, int version, String text, Path scratch) throws IOException {
        Path document = documentPath(uri);
        String display = document == null ? uri : document.toString();
        Path checked = null;
        boolean temporary = false;
        try {
            if (document != null && sameOnDisk(document, text)) {
                checked = document;
            } else {
                checked = writeBeside(document, text, scratch);
                temporary = true;
            }
            List<Diagnostic> diagnostics = Compiler.check(checked, display).diagnostics().sorted();
            return navigate(uri, version, text, display, checked, diagnostics);
        } finally {
            if (temporary && checked != null) {
                Files.deleteIfExists(checked);
                if (checked.getParent().startsWith(scratch)) Files.deleteIfExists(checked.getParent());
            }
        }
    }

    private static Analysis navigate(String uri, int version, String text, String display, Path checked, List<Diagnostic> diagnostics) {
        var phases = new Diagnostics();
        var loader = new ModuleLoader(phases);
        Optional<LoadedModule> root = loader.loadRoot(checked, display);
        if (root.isEmpty()) {
            return new Analysis(uri, version, text, display, SourceFile.of(display, text), diagnostics, null, null, null, null, null);
        }
        Module ast = root.get().ast();
        String key = root.get().key();
        Map<String, ModuleScope> scopes = null;
        Resolution resolution = null;
        CheckedProgram program = null;
        // Past the parse the phases run on text `check` may have refused; whatever they throw on
        // it leaves the analysis with what was built before (the diagnostics are check's own).
        try {
            scopes = ScopeBuilder.build(loader, phases);
            resolution = Resolver.resolve(scopes, phases);
        } catch (RuntimeException | StackOverflowError e) {
            return new Analysis(uri, version, text, display, ast.source(), diagnostics, ast, key, scopes, null, null);
        }
        if (!phases.hasErrors()) try {
            DefinitionCycles.check(scopes, resolution, phases);
            if (!phases.hasErrors()) TheoryChecker.check(scopes, resolution, phases);
            if (!phases.hasErrors()) ActionSymmetry.check(scopes, resolution, phases);
            // The checked program up to elaboration: a flow that breaks a symmetry it claims (an
            // error of the next phase) still has its layers, and hover explains them.
            if (!phases.hasErrors()) {
                CheckedProgram elaborated = Elaborator.elaborate(root.get(), scopes, resolution, Map.of(), phases);
                if (!phases.hasErrors()) program = elaborated;
            }
        } catch (RuntimeException | StackOverflowError e) {
            program = null;
        }
        return new Analysis(uri, version, text, display, ast.source(), diagnostics, ast, key, scopes, resolution, program);
    }

    /** Whether the file holds exactly this text (false for a file that is not UTF-8, unreadable or absent). */
    private static boolean sameOnDisk(Path document, String text) {
        try {
            return Files.isRegularFile(document) && Files.size(document) <= 4L * text.length() + 4 && Files.readString(document).equals(text);
        } catch (IOException | RuntimeException unreadable) {
            return false;
        }
    }

    private static Path writeBeside(Path document, String text, Path scratch) throws IOException {
        if (document != null && document.getParent() != null && Files.isDirectory(document.getParent())) {
            try {
                Path beside = Files.createTempFile(document.getParent(), "." + document.getFileName() + ".", ".equiflow-lsp");
                Files.writeString(beside, text);
                return beside;
            } catch (IOException | SecurityException unwritable) {
                // fall through to the private directory
            }
        }
        Files.createDirectories(scratch);
        Path dir = Files.createTempDirectory(scratch, "doc");
        Path file = dir.resolve(document == null ? "untitled.flow" : document.getFileName().toString());
        Files.writeString(file, text);
        return file;
    }

    static Path documentPath(String uri) {
        try {
            URI parsed = URI.create(uri);
            if (!"file".equalsIgnoreCase(parsed.getScheme())) return null;
            return Path.of(parsed).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    /** The scope of the document's top level, or null when the text did not get that far. */
    ModuleScope rootScope() {
        return scopes == null || rootKey == null ? null : scopes.get(rootKey);
    }

    boolean inDocument(Span span) {
        return span != null && span.file().displayName().equals(display);
    }
}
