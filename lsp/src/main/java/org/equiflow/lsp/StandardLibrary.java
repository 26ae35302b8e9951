package org.equiflow.lsp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.ast.Module;
import org.equiflow.compiler.diag.Diagnostics;
import org.equiflow.compiler.diag.SourceFile;
import org.equiflow.compiler.modules.ModuleLoader;
import org.equiflow.compiler.parse.SourceParser;

/**
 * The standard library as an editor sees it. The compiler reads {@code std/*.flow} from its class
 * path, which an editor cannot open; so the server copies each module once into a directory named
 * by the hash of their contents (read-only, shared by servers of the same version) and points
 * definitions there. Each module is also parsed here, for completion of names not yet imported.
 */
final class StandardLibrary {
    private final Path root;
    private final Map<String, Module> modules = new LinkedHashMap<>();

    private StandardLibrary(Path root) { this.root = root; }

    /** Copies the standard modules under {@code parent} (normally the system's temporary directory). */
    static StandardLibrary extract(Path parent) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String module : ModuleLoader.STANDARD_MODULES) {
            String key = key(module);
            try (InputStream in = ModuleLoader.class.getClassLoader().getResourceAsStream(key)) {
                if (in != null) texts.put(key, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the standard module " + key, e);
            }
        }
        Path root = parent.resolve("equiflow-lsp-std-" + hash(texts));
        var library = new StandardLibrary(root);
        for (var e : texts.entrySet()) {
            Path file = root.resolve(e.getKey());
            try {
                if (!Files.exists(file) || !Files.readString(file).equals(e.getValue())) {
                    Files.createDirectories(file.getParent());
                    Path partial = Files.createTempFile(file.getParent(), ".partial", ".flow");
                    Files.writeString(partial, e.getValue());
                    Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    file.toFile().setReadOnly();
                }
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot copy the standard module " + e.getKey() + " to " + file, ex);
            }
            SourceParser.parse(SourceFile.of(e.getKey(), e.getValue()), new Diagnostics())
                    .ifPresent(m -> library.modules.put(e.getKey(), m));
        }
        return library;
    }

    /** {@code std.nets} → {@code std/nets.flow}, the compiler's key and display name of a standard module. */
    static String key(String dottedModule) { return dottedModule.replace('.', '/') + ".flow"; }

    boolean isStandard(String displayName) { return modules.containsKey(displayName); }

    /** The file URI of a standard module, by its display name ({@code std/nets.flow}). */
    String uri(String displayName) { return root.resolve(displayName).toUri().toString(); }

    Path root() { return root; }

    /** Parsed standard modules by key. */
    Map<String, Module> modules() { return modules; }

    /** A definition of a standard module by name, with the module's key. */
    Optional<Map.Entry<String, Item.Definition>> find(String name) {
        for (var e : modules.entrySet()) {
            for (Item item : e.getValue().items()) {
                if (item instanceof Item.Definition d && d.name().name().equals(name)) return Optional.of(Map.entry(e.getKey(), d));
            }
        }
        return Optional.empty();
    }

    private static String hash(Map<String, String> texts) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (var e : texts.entrySet()) {
                digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
