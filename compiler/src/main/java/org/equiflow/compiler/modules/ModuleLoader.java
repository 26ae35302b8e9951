package org.equiflow.compiler.modules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.equiflow.compiler.ast.Ident;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.ErrorCode;
import org.equiflow.compiler.diag.Severity;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.diag.Span;
import org.equiflow.compiler.parse.SourceParser;
import org.equiflow.compiler.parse.SourceReader;
import org.equiflow.compiler.parse.Suggestions;

/**
 * Loads a root module and everything it imports, transitively. The standard library is read
 * from the classpath ({@code std/*.flow} resources of stdlib-flows), so it needs no
 * configuration; local files are resolved relative to the importing file. Every module but the
 * prelude implicitly imports {@code std/prelude.flow}.
 *
 * Postcondition: without errors, every {@code use} of every loaded module names a loaded
 * module (see {@link #target}), and the import graph has no cycle.
 */
public final class ModuleLoader {
    public static final String PRELUDE = "std/prelude.flow";

    /** The standard modules, for "did you mean" and for listing in help. */
    public static final List<String> STANDARD_MODULES = List.of("std.prelude", "std.theories", "std.nets", "std.masks", "std.gauge");

    private final Diagnostics diagnostics;
    private final Map<String, LoadedModule> loaded = new LinkedHashMap<>();
    private final Map<Item.Use, String> targets = new java.util.IdentityHashMap<>();
    private final List<String> loading = new ArrayList<>();
    private final Map<Item.Use, Boolean> wholeModule = new java.util.IdentityHashMap<>();

    public ModuleLoader(Diagnostics diagnostics) { this.diagnostics = diagnostics; }

    /** Loads a user's file and its imports; returns the root module if it could be parsed. */
    public Optional<LoadedModule> loadRoot(Path file, String displayName) {
        loadStandard(PRELUDE, null);
        Path absolute = file.toAbsolutePath().normalize();
        return loadFile(absolute, displayName, null);
    }

    public Map<String, LoadedModule> modules() { return loaded; }

    /** The key of the module a resolved {@code use} refers to. */
    public String target(Item.Use use) { return targets.get(use); }

    /** True when {@code use a.b} named a whole module rather than an item of module {@code a}. */
    public boolean importsWholeModule(Item.Use use) { return use.star() || use.isFile() || wholeModule.getOrDefault(use, false); }

    public LoadedModule prelude() { return loaded.get(PRELUDE); }

    private final Map<String, String> displayNames = new java.util.HashMap<>();

    private Optional<LoadedModule> loadFile(Path absolute, String displayName, Item.Use via) {
        String key = absolute.toString();
        if (loaded.containsKey(key)) return Optional.of(loaded.get(key));
        if (loading.contains(key)) return Optional.empty();
        displayNames.put(key, displayName);
        int before = diagnostics.all().size();
        Optional<SourceFile> source = SourceReader.read(absolute, displayName, diagnostics);
        if (source.isEmpty() && via != null) {
            // The file itself has no useful position: say where it was imported.
            for (int i = before; i < diagnostics.all().size(); i++) {
                int at = i;
                diagnostics.amend(at, d -> d.withNote("imported here", via.span()));
            }
        }
        if (source.isEmpty()) return Optional.empty();
        return parseAndFollow(key, source.get(), absolute.getParent(), false);
    }

    /**
     * Standard modules are immutable resources: each is read and parsed once per JVM. Their ASTs
     * are shared between compilations, which key their own tables by node identity.
     */
    private static final Map<String, org.equiflow.compiler.ast.Module> STANDARD_ASTS = new java.util.concurrent.ConcurrentHashMap<>();

    private Optional<LoadedModule> loadStandard(String key, Item.Use via) {
        if (loaded.containsKey(key)) return Optional.of(loaded.get(key));
        displayNames.put(key, key);
        var cached = STANDARD_ASTS.get(key);
        if (cached != null) return follow(key, cached, null, true);
        byte[] bytes;
        try (InputStream in = ModuleLoader.class.getClassLoader().getResourceAsStream(key)) {
            if (in == null) return Optional.empty();
            bytes = in.readAllBytes();
        } catch (IOException e) {
            diagnostics.error(ErrorCode.E0001, via == null ? null : via.span(),
                    "cannot read the standard module `" + key + "`: " + e.getMessage());
            return Optional.empty();
        }
        Optional<SourceFile> source = SourceReader.decode(bytes, key, diagnostics);
        if (source.isEmpty()) return Optional.empty();
        return parseAndFollow(key, source.get(), null, true);
    }

    private Optional<LoadedModule> parseAndFollow(String key, SourceFile source, Path directory, boolean standard) {
        int errorsBefore = (int) diagnostics.errorCount();
        var ast = SourceParser.parse(source, diagnostics);
        if (ast.isEmpty()) return Optional.empty();
        if (standard && diagnostics.errorCount() == errorsBefore) STANDARD_ASTS.put(key, ast.get());
        return follow(key, ast.get(), directory, standard);
    }

    private Optional<LoadedModule> follow(String key, org.equiflow.compiler.ast.Module ast, Path directory, boolean standard) {
        var module = new LoadedModule(key, ast, directory, standard);
        loading.add(key);
        for (Item item : module.ast().items()) {
            if (item instanceof Item.Use use) follow(module, use);
        }
        loading.remove(key);
        loaded.put(key, module);
        return Optional.of(module);
    }

    private void follow(LoadedModule from, Item.Use use) {
        if (use.isFile()) {
            if (from.directory() == null) {
                diagnostics.error(ErrorCode.E0200, use.span(), "the standard library cannot import local files");
                return;
            }
            Path target = from.directory().resolve(use.filePath()).normalize();
            String key = target.toString();
            if (cycle(key, use)) return;
            // Imported files are named relative to the file that names them, as the user wrote it.
            Path importer = Path.of(from.displayName()).getParent();
            String display = (importer == null ? Path.of(use.filePath()) : importer.resolve(use.filePath())).normalize().toString();
            if (!java.nio.file.Files.exists(target)) {
                diagnostics.add(new Diagnostic(ErrorCode.E0200, Severity.ERROR, use.span(),
                        "cannot find module `" + use.filePath() + "` (looked for " + display + ")", List.of(),
                        List.of("local imports are resolved relative to the importing file")));
                return;
            }
            if (java.nio.file.Files.isDirectory(target)) {
                diagnostics.add(new Diagnostic(ErrorCode.E0001, Severity.ERROR, use.span(),
                        "cannot import `" + use.filePath() + "`: it is a directory", List.of(),
                        List.of("import a .flow file, e.g. `use " + use.filePath().replaceAll("/+$", "") + "/name.flow`")));
                return;
            }
            loadFile(target, display, use).ifPresent(m -> targets.put(use, m.key()));
            return;
        }
        List<Ident> path = use.modulePath();
        String dotted = use.moduleName();
        if (!path.get(0).name().equals("std")) {
            unknownModule(use, dotted, "modules are the standard library (`std.…`) or local files (`use ./file.flow`)");
            return;
        }
        // `use std.theories.phi4` names item phi4 of std/theories.flow; `use std.theories` (no item)
        // is parsed as item `theories` of `std`, which is really the whole module std/theories.flow.
        String key = standardKey(path);
        if (use.names().size() == 1 && !use.star() && resource(key) == null) {
            List<Ident> longer = new ArrayList<>(path);
            longer.add(use.names().get(0));
            String wholeKey = standardKey(longer);
            if (resource(wholeKey) != null) {
                key = wholeKey;
                dotted = dotted + "." + use.names().get(0).name();
                wholeModule.put(use, true);
            }
        }
        if (cycle(key, use)) return;
        var module = loadStandard(key, use);
        if (module.isEmpty()) {
            if (resource(key) == null) unknownModule(use, dotted, null);
            return;
        }
        targets.put(use, key);
    }

    private boolean cycle(String key, Item.Use use) {
        int at = loading.indexOf(key);
        if (at < 0) return false;
        List<String> chain = new ArrayList<>(loading.subList(at, loading.size()));
        chain.add(key);
        List<String> shown = chain.stream().map(k -> displayNames.getOrDefault(k, k)).toList();
        diagnostics.add(new Diagnostic(ErrorCode.E0201, Severity.ERROR, use.span(),
                "import cycle: " + String.join(" → ", shown), List.of(),
                List.of("move the shared definitions into a module that both can import")));
        return true;
    }

    private void unknownModule(Item.Use use, String dotted, String extraHelp) {
        Span at = use.modulePath().isEmpty() ? use.span()
                : use.modulePath().get(0).span().to(use.modulePath().get(use.modulePath().size() - 1).span());
        List<String> help = new ArrayList<>();
        var candidates = new TreeSet<>(STANDARD_MODULES);
        Suggestions.closest(dotted, candidates).ifPresent(s -> help.add("did you mean `" + s + "`?"));
        help.add("standard modules: " + String.join(", ", STANDARD_MODULES));
        if (extraHelp != null) help.add(extraHelp);
        diagnostics.add(new Diagnostic(ErrorCode.E0200, Severity.ERROR, at, "unknown module `" + dotted + "`", List.of(), help));
    }

    private static String standardKey(List<Ident> path) {
        return String.join("/", path.stream().map(Ident::name).toList()) + ".flow";
    }

    private static java.net.URL resource(String key) {
        return ModuleLoader.class.getClassLoader().getResource(key);
    }
}
