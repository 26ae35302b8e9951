package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

    private static RunReport report(String title, List<ComparisonTable> comparisons) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("observable", "chi<2>");
        row.put(RunReport.VALUE, 1.2346);
        row.put(RunReport.ERROR, 0.012);
        row.put("tau_int", "1.50");
        var description = new RunDescription(title, RunDescription.FLOW, "a&b.flow", "theory T = phi4(m2 = -4) // <i>\n",
                Map.of("T.m2", "-4"), Map.of("T.m2", "-4"), Map.of("training", "1", "sampling", "2"), Map.of("method", "x"),
                Map.of("batch", "64"), Map.of());
        return new RunReport(description, List.of(), List.of(), List.of(row), Map.of(), null, List.of(), comparisons, List.of("a <note>"));
    }

    @Test
    void everyTextIsEscaped() throws Exception {
        String html = HtmlReport.render(report("<script>alert(1)</script>", List.of()), List.of());
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"), html);
        assertTrue(html.contains("a&amp;b.flow") && html.contains("// &lt;i&gt;") && html.contains("chi&lt;2&gt;")
                && html.contains("a &lt;note&gt;"), html);
        assertTrue(html.contains("1.235 ± 0.012"), "value ± error as quoted: " + html);
        assertEquals("&lt;&gt;&amp;&quot;&#39;", HtmlReport.escape("<>&\"'"));
    }

    @Test
    void comparisonsRenderAsTablesWithPullsAndNothingWithoutRows() throws Exception {
        String none = HtmlReport.render(report("run", List.of(new ComparisonTable("exact", "exact", List.of()))), List.of());
        assertFalse(none.contains("Comparison"), "an empty comparison renders nothing");
        var exact = new ComparisonTable("exact", "exact (torus)", List.of(
                new ComparisonTable.Row("topological_susceptibility", 0.0226, 0.0013, 0.0221, 0, 0.38),
                new ComparisonTable.Row("plaquette_mean", 0.70, 0.001, 0.69, Double.NaN, 10)));
        var hmc = new ComparisonTable("HMC", "HMC runs/h", List.of(new ComparisonTable.Row("susceptibility", 1.0, 0.1, 1.1, 0.1, -0.71)));
        String html = HtmlReport.render(report("run", List.of()).withComparisons(List.of(exact, hmc)), List.of());
        assertTrue(html.contains("id=\"comparison\""), html);
        assertTrue(html.contains("<th>exact</th>") && html.contains("<th>HMC</th>") && html.contains("Against exact (torus)") && html.contains("Against HMC runs/h"), html);
        assertTrue(html.contains("0.0226 ± 0.0013") && html.contains("+0.38") && html.contains("-0.71"), html);
        assertTrue(html.contains("1.10 ± 0.10"), "another run's value has its error: " + html);
        assertTrue(html.contains("pull-large\">+10.00"), "|pull| > 3 is marked: " + html);
    }

    @Test
    void theWrittenPageReplacesTheOldOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(HtmlReport.FILE), "old");
        Path page = HtmlReport.write(dir, report("run", List.of()), List.of());
        assertTrue(Files.readString(page).startsWith("<!DOCTYPE html>"));
    }
}
