package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.equiflow.compiler.diag.Diagnostic;

/** Shared plumbing of the golden tests: where the files are, how results are written, updating. */
final class Golden {
    private Golden() {}

    /** The module directory (tests run with it as the working directory under Maven). */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.resolve("src/test/resources/golden");
    static final Path EXAMPLES = MODULE.resolveSibling("examples");

    static boolean updating() { return Boolean.getBoolean("golden.update"); }

    /** One line per diagnostic: severity, code, file:line:col and message, then notes and help indented. */
    static String describe(Compiler.Result result) {
        return result.diagnostics().sorted().stream().map(Golden::describe).collect(Collectors.joining());
    }

    static String describe(Diagnostic d) {
        var sb = new StringBuilder();
        sb.append(d.severity().label()).append(' ').append(d.code().id()).append(' ')
          .append(d.span() == null ? "-" : d.span().location()).append(' ').append(d.message()).append('\n');
        for (var note : d.notes()) {
            sb.append("    note: ").append(note.message());
            if (note.span() != null) sb.append(" (").append(note.span().location().replace(MODULE.toString() + "/", "")).append(')');
            sb.append('\n');
        }
        for (var help : d.help()) sb.append("    help: ").append(help).append('\n');
        return sb.toString().replace(MODULE.toString() + "/", "").replace(MODULE.getParent().toString() + "/", "");
    }

    /** Compares with the golden file, or rewrites it with -Dgolden.update=true. */
    static void compare(Path golden, String actual) {
        try {
            if (updating()) {
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
                return;
            }
            assertTrue(Files.exists(golden), "missing golden file " + golden + "; run with -Dgolden.update=true to create it, then review it");
            assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "output differs from " + golden);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Diagnostics name files relative to the golden folder: {@code invalid/E0300_x.flow}. */
    static String relative(Path p) {
        return ROOT.relativize(p.toAbsolutePath()).toString();
    }
}
