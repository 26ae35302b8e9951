package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.equiflow.compiler.model.BuiltinMeasurement;
import org.equiflow.compiler.model.FieldKind;
import org.equiflow.compiler.model.FieldKinds;
import org.junit.jupiter.api.Test;

/**
 * docs/observables.md documents every built-in measurement and no other: the rows of its table
 * "Built-in measurements" are the names {@code check} accepts without a theory defining them
 * ({@link BuiltinMeasurement#SAMPLER} under {@code sampler}, each {@link FieldKind}'s under its
 * name), and every test class the page cites as a measurement's test exists. Adding a
 * measurement to a field kind without its row, or leaving a row behind, fails here.
 */
class ObservablesDocsTest {
    private static final Path REPOSITORY = Golden.MODULE.getParent();

    private static String page() throws IOException {
        return Files.readString(REPOSITORY.resolve("docs").resolve("observables.md"));
    }

    /**
     * "measurement → kind" pairs, from the rows whose first two cells are backquoted names; a name
     * shared by kinds (polyakov_loop of u1_link and sun_link) has one row per kind.
     */
    private static Set<String> documentedRows() throws IOException {
        String doc = page();
        int start = doc.indexOf("## Built-in measurements");
        assertTrue(start >= 0, "docs/observables.md has no \"Built-in measurements\" section");
        int end = doc.indexOf("\n## ", start + 1);
        Set<String> rows = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `([a-z_0-9]+)` \\| `([a-z_0-9]+)` \\|");
        for (String line : doc.substring(start, end < 0 ? doc.length() : end).split("\n")) {
            Matcher m = row.matcher(line);
            if (!m.find()) continue;
            assertTrue(rows.add(m.group(1) + " → " + m.group(2)), "two rows for `" + m.group(1) + "` under `" + m.group(2) + "`");
        }
        return rows;
    }

    @Test
    void everyBuiltinMeasurementHasOneRowUnderItsKind() throws IOException {
        Set<String> declared = new TreeSet<>();
        BuiltinMeasurement.SAMPLER.forEach(m -> declared.add(m.name() + " → sampler"));
        for (FieldKind kind : FieldKinds.all()) kind.measurements().forEach(m -> declared.add(m.name() + " → " + kind.name()));
        assertEquals(declared, documentedRows(), "docs/observables.md, table \"Built-in measurements\": measurement → kind");
    }

    @Test
    void everyCitedTestClassExists() throws IOException {
        Set<String> cited = new TreeSet<>();
        Matcher m = Pattern.compile("`([A-Z][A-Za-z0-9]*Test)`").matcher(page());
        while (m.find()) cited.add(m.group(1));
        assertTrue(cited.size() > 5, "the page cites its tests: " + cited);
        Set<String> tests = new TreeSet<>();
        Files.walkFileTree(REPOSITORY, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                String name = dir.getFileName().toString();
                return name.equals("target") || name.startsWith(".") && !dir.equals(REPOSITORY)
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                String name = file.getFileName().toString();
                if (file.toString().contains("/src/test/java/") && name.endsWith("Test.java")) tests.add(name.replace(".java", ""));
                return FileVisitResult.CONTINUE;
            }
        });
        Set<String> missing = new TreeSet<>(cited);
        missing.removeAll(tests);
        assertEquals(Set.of(), missing, "test classes docs/observables.md cites that do not exist");
    }
}
