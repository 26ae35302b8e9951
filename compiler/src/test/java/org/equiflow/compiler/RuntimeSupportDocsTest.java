package org.equiflow.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.equiflow.compiler.ast.Item;
import org.equiflow.compiler.check.Primitives;
import org.equiflow.compiler.check.RunChecker;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.compiler.model.FieldSpec;
import org.junit.jupiter.api.Test;

/**
 * docs/language.md, "What runs today", says what {@link RuntimeSupport} says: per row, the names
 * in the "runs" column are the table's, and the "refused with E0800" column names the rest of
 * what the language defines. Changing the table without the page (or the page without the
 * table) fails here.
 */
class RuntimeSupportDocsTest {

    /** Row label → (names that run, names refused), the names being the backquoted words of each cell. */
    private static Map<String, List<List<String>>> rows() throws IOException {
        String doc = Files.readString(Golden.MODULE.resolveSibling("docs").resolve("language.md"));
        int start = doc.indexOf("## What runs today");
        assertTrue(start >= 0, "docs/language.md has no \"What runs today\" section");
        int end = doc.indexOf("\n## ", start + 1);
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        Map<String, List<List<String>>> rows = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| ") || line.startsWith("| construct") || line.startsWith("|---")) continue;
            String[] cells = line.split("\\|", -1);
            rows.put(cells[1].trim(), List.of(names(cells[2]), names(cells[3])));
        }
        return rows;
    }

    private static List<String> names(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("`([a-z_0-9]+)`").matcher(cell);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static List<String> notRunning(String kind) {
        return Primitives.names(kind).stream().filter(n -> !RuntimeSupport.runs(kind, n)).sorted().toList();
    }

    private static List<String> sorted(List<String> names) { return names.stream().sorted().toList(); }

    @Test
    void everyPrimitiveRowAgreesWithTheTable() throws IOException {
        var rows = rows();
        Map<String, String> kinds = Map.of("activations (net stages, and elementwise in actions)", "activation", "net stages", "net",
                "priors", "prior", "layers", "layer", "transforms", "transform", "masks", "mask", "lattice functions", "function",
                "loops (of `gradient_flow`)", "loop", "integrators (of `gradient_flow`)", "integrator");
        for (var e : kinds.entrySet()) {
            var row = rows.get(e.getKey());
            assertTrue(row != null, "no row `" + e.getKey() + "` in What runs today: " + rows.keySet());
            assertEquals(sorted(RuntimeSupport.primitives(e.getValue())), sorted(row.get(0)), e.getKey() + ": what runs");
            assertEquals(notRunning(e.getValue()), sorted(row.get(1)), e.getKey() + ": what is refused");
        }
    }

    @Test
    void everyRunSettingChoiceRowAgreesWithTheTable() throws IOException {
        var rows = rows();
        for (var e : RuntimeSupport.CHOICES.entrySet()) {
            String setting = e.getKey();
            var row = rows.get("`" + setting + "`");
            assertTrue(row != null, "no row for `" + setting + "` in What runs today: " + rows.keySet());
            List<String> all = new ArrayList<>();
            for (Item.RunKind kind : Item.RunKind.values()) all.addAll(RunChecker.choiceNames(kind, setting));
            assertEquals(sorted(e.getValue()), sorted(row.get(0)), setting + ": what runs");
            assertEquals(all.stream().filter(c -> !e.getValue().contains(c)).sorted().toList(), sorted(row.get(1)), setting + ": what is refused");
        }
    }

    @Test
    void everyChoiceArgumentRowAgreesWithTheTable() throws IOException {
        var rows = rows();
        for (var e : RuntimeSupport.CHOICE_ARGUMENTS.entrySet()) {
            var row = rows.get("arguments of `" + e.getKey() + "`");
            assertTrue(row != null, "no row for the arguments of `" + e.getKey() + "` in What runs today: " + rows.keySet());
            List<String> all = new ArrayList<>();
            for (Item.RunKind kind : Item.RunKind.values()) {
                for (String setting : RunChecker.settingNames(kind)) all.addAll(RunChecker.choiceParameters(kind, setting, e.getKey()));
            }
            assertEquals(sorted(e.getValue()), sorted(row.get(0)), e.getKey() + ": arguments honoured");
            assertEquals(all.stream().filter(a -> !e.getValue().contains(a)).sorted().toList(), sorted(row.get(1)), e.getKey() + ": arguments refused");
        }
    }

    @Test
    void theFieldRowAgreesWithTheTable() throws IOException {
        String row = Files.readString(Golden.MODULE.resolveSibling("docs").resolve("language.md")).lines()
                .filter(l -> l.startsWith("| fields |")).findFirst().orElseThrow();
        String runs = row.split("\\|", -1)[2], refused = row.split("\\|", -1)[3];
        Map<FieldSpec.Kind, String> written = Map.of(FieldSpec.Kind.REAL, "`real`", FieldSpec.Kind.U1, "`U(1)`", FieldSpec.Kind.SUN, "`SU(N)`");
        for (FieldSpec.Kind kind : FieldSpec.Kind.values()) {
            boolean running = RuntimeSupport.FIELD_KINDS.contains(kind);
            assertTrue((running ? runs : refused).contains(written.get(kind)), kind + " in the wrong column: " + row);
            assertTrue(!(running ? refused : runs).contains(written.get(kind)), kind + " in both columns: " + row);
        }
    }
}
