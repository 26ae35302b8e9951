package org.equiflow.io;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * {@code report/index.html}: the whole report on one self-contained page, to open in any browser or mail to a
 * colleague. Inline CSS, no scripts, nothing fetched: the figures are embedded as PNG at twice their size (sharp on
 * high-density screens), shown at most as wide as they were drawn. Every text from the run (the script, names,
 * values, notes) is HTML-escaped.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static final String FILE = "index.html";

    /** Profiles with more points than this are left to their CSV file; the page names the file. */
    static final int LARGEST_PROFILE_TABLE = 32;

    private static final String STYLE = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f;
                   max-width: 62rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
            h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
            h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d0d5; padding-bottom: 0.2rem; }
            h3 { font-size: 1.05rem; margin-top: 1.4rem; }
            .subtitle { color: #55555a; margin-top: 0; }
            nav ul { padding-left: 1.2rem; columns: 2; }
            table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-variant-numeric: tabular-nums; }
            th, td { border: 1px solid #d0d0d5; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
            th { background: #f0f0f4; }
            td.number { text-align: right; font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: nowrap; }
            pre { background: #f6f6f8; border: 1px solid #d0d0d5; padding: 0.8rem; overflow-x: auto; font-size: 0.85rem; }
            figure { margin: 1.6rem 0; }
            figure img { display: block; width: 100%; max-width: 800px; height: auto; border: 1px solid #e0e0e4; }
            figcaption { max-width: 800px; font-size: 0.92rem; color: #333338; margin-top: 0.4rem; }
            .settings { display: flex; flex-wrap: wrap; gap: 0 2.5rem; align-items: flex-start; }
            .settings h3 { margin-top: 1rem; }
            .pull-large { color: #b00020; font-weight: 600; }
            ul.notes li { margin-bottom: 0.3rem; }
            """;

    /** Writes {@code index.html} into {@code directory} atomically and returns its path. */
    public static Path write(Path directory, RunReport report, List<ReportFigures.Figure> figures) throws IOException {
        return write(directory, report, figures, pngs(figures));
    }

    /** The same, with each figure's image already drawn ({@link #png}), in the figures' order. */
    static Path write(Path directory, RunReport report, List<ReportFigures.Figure> figures, List<byte[]> pngs) throws IOException {
        Path file = directory.resolve(FILE);
        AtomicFiles.write(file, render(report, figures, pngs).getBytes(StandardCharsets.UTF_8));
        return file;
    }

    private static List<byte[]> pngs(List<ReportFigures.Figure> figures) throws IOException {
        List<byte[]> pngs = new ArrayList<>();
        for (ReportFigures.Figure figure : figures) pngs.add(png(figure.chart()));
        return pngs;
    }

    /** The page as text. */
    public static String render(RunReport report, List<ReportFigures.Figure> figures) throws IOException {
        return render(report, figures, pngs(figures));
    }

    /** The page with each figure's image already drawn, in the figures' order. */
    static String render(RunReport report, List<ReportFigures.Figure> figures, List<byte[]> pngs) {
        if (pngs.size() != figures.size()) throw new IllegalArgumentException(figures.size() + " figures but " + pngs.size() + " images");
        RunDescription description = report.description();
        StringBuilder body = new StringBuilder();
        List<String[]> contents = new ArrayList<>();

        body.append("<h1>").append(escape(description.title())).append("</h1>\n");
        StringBuilder subtitle = new StringBuilder();
        if (!description.kind().isEmpty()) subtitle.append(escape(capitalized(description.kind())));
        if (!description.scriptName().isEmpty()) {
            subtitle.append(subtitle.isEmpty() ? "Script " : " of ").append("<code>").append(escape(description.scriptName())).append("</code>");
        }
        if (!subtitle.isEmpty()) body.append("<p class=\"subtitle\">").append(subtitle).append("</p>\n");
        int navAt = body.length();

        if (!description.scriptText().isEmpty()) {
            section(body, contents, "script", "Script");
            if (!description.overrides().isEmpty()) {
                StringBuilder set = new StringBuilder();
                description.overrides().forEach((key, value) -> set.append(set.isEmpty() ? "" : ", ").append("--set ").append(key).append('=').append(value));
                body.append("<p>Run with ").append(escape(set.toString())).append(", which override the script's values.</p>\n");
            }
            body.append("<pre>").append(escape(description.scriptText())).append("</pre>\n");
        }
        boolean settings = description.settingTables().values().stream().anyMatch(table -> !table.isEmpty());
        if (settings) {
            section(body, contents, "settings", "Parameters, seeds and settings");
            body.append("<div class=\"settings\">\n");
            for (Map.Entry<String, Map<String, String>> table : description.settingTables().entrySet()) {
                if (table.getValue().isEmpty()) continue;
                body.append("<div><h3>").append(escape(table.getKey())).append("</h3>\n<table>\n<tr><th>setting</th><th>value</th></tr>\n");
                table.getValue().forEach((key, value) -> body.append("<tr><td><code>").append(escape(key)).append("</code></td><td>")
                        .append(escape(value)).append("</td></tr>\n"));
                body.append("</table></div>\n");
            }
            body.append("</div>\n");
        }
        if (!report.sampler().isEmpty() || !report.observables().isEmpty()) {
            section(body, contents, "results", "Results");
            if (!report.sampler().isEmpty()) {
                body.append("<h3>Sampler</h3>\n");
                resultTable(body, report.sampler());
            }
            if (!report.observables().isEmpty()) {
                body.append("<h3>Observables</h3>\n<p>Value ± statistical error; τ_int is the integrated autocorrelation time"
                        + " in configurations (– where it does not apply: derived quantities, independent proposals).</p>\n");
                resultTable(body, report.observables());
            }
        }
        if (!report.notes().isEmpty()) {
            section(body, contents, "notes", "Notes");
            body.append("<ul class=\"notes\">\n");
            report.notes().forEach(note -> body.append("<li>").append(escape(note)).append("</li>\n"));
            body.append("</ul>\n");
        }
        List<ComparisonTable> comparisons = report.comparisons().stream().filter(c -> !c.rows().isEmpty()).toList();
        if (!comparisons.isEmpty()) {
            section(body, contents, "comparison", "Comparison");
            body.append("<p>pull = (this run − other) / √(σ² + σ_other²); |pull| &gt; 3 is marked.</p>\n");
            for (ComparisonTable comparison : comparisons) comparisonTable(body, comparison);
        }
        if (!report.profiles().isEmpty()) {
            section(body, contents, "profiles", "Profiles");
            for (RunReport.Profile profile : report.profiles()) profile(body, profile);
        }
        if (!figures.isEmpty()) {
            section(body, contents, "figures", "Figures");
            for (int i = 0; i < figures.size(); i++) {
                ReportFigures.Figure figure = figures.get(i);
                body.append("<figure id=\"").append(escape(figure.name())).append("\">\n<img alt=\"").append(escape(figure.title()))
                        .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(pngs.get(i)))
                        .append("\">\n<figcaption><strong>").append(escape(figure.title())).append(".</strong> ")
                        .append(escape(figure.caption())).append(" (Also <code>").append(escape(figure.name()))
                        .append(".png</code> and <code>.svg</code>.)</figcaption>\n</figure>\n");
            }
        }
        if (!report.trainingMetrics().isEmpty()) {
            section(body, contents, "training", "Training, last logged step");
            Map<String, Object> last = report.trainingMetrics().getLast();
            body.append("<table>\n<tr>");
            last.keySet().forEach(key -> body.append("<th>").append(escape(key)).append("</th>"));
            body.append("</tr>\n<tr>");
            last.values().forEach(value -> body.append("<td class=\"number\">").append(escape(RunReport.formatCell(value))).append("</td>"));
            body.append("</tr>\n</table>\n<p>Every step is in <code>metrics.csv</code>.</p>\n");
        }

        StringBuilder nav = new StringBuilder("<nav><ul>\n");
        for (String[] entry : contents) {
            nav.append("<li><a href=\"#").append(entry[0]).append("\">").append(escape(entry[1])).append("</a></li>\n");
        }
        nav.append("</ul></nav>\n");
        body.insert(navAt, nav);

        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + escape(description.title()) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n"
                + body + "</body>\n</html>\n";
    }

    private static void section(StringBuilder body, List<String[]> contents, String id, String heading) {
        contents.add(new String[] {id, heading});
        body.append("<h2 id=\"").append(id).append("\">").append(escape(heading)).append("</h2>\n");
    }

    private static void resultTable(StringBuilder body, List<Map<String, Object>> rows) {
        List<List<String>> table = RunReport.resultTable(rows);
        body.append("<table>\n<tr>");
        table.getFirst().forEach(heading -> body.append("<th>").append(escape(heading.equals("tau_int") ? "τ_int" : heading)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> cells : table.subList(1, table.size())) {
            body.append("<tr>");
            for (int i = 0; i < cells.size(); i++) {
                body.append(i == 0 ? "<td><code>" : "<td class=\"number\">").append(escape(cells.get(i))).append(i == 0 ? "</code></td>" : "</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
    }

    private static void comparisonTable(StringBuilder body, ComparisonTable comparison) {
        body.append("<h3>Against ").append(escape(comparison.against())).append("</h3>\n<table>\n<tr><th>observable</th><th>this run</th><th>")
                .append(escape(comparison.column())).append("</th><th>pull</th></tr>\n");
        for (ComparisonTable.Row row : comparison.rows()) {
            boolean large = Double.isFinite(row.pull()) && Math.abs(row.pull()) > 3;
            body.append("<tr><td><code>").append(escape(row.observable())).append("</code></td><td class=\"number\">")
                    .append(escape(RunReport.valueWithError(row.value(), row.error()))).append("</td><td class=\"number\">")
                    .append(escape(RunReport.otherValue(row))).append("</td><td class=\"number")
                    .append(large ? " pull-large" : "").append("\">").append(escape(RunReport.formatPull(row.pull()))).append("</td></tr>\n");
        }
        body.append("</table>\n");
    }

    private static void profile(StringBuilder body, RunReport.Profile profile) {
        int points = profile.value().length;
        body.append("<h3>").append(escape(profile.name())).append("</h3>\n<p>").append(points).append(points == 1 ? " point" : " points")
                .append(", in <code>").append(escape(profile.file())).append("</code> (columns x0, x1, …, value, error).");
        if (points > LARGEST_PROFILE_TABLE) {
            body.append(" Too many to list here.</p>\n");
            return;
        }
        body.append("</p>\n<table>\n<tr><th>displacement</th><th>value ± error</th></tr>\n");
        for (int i = 0; i < points; i++) {
            StringBuilder displacement = new StringBuilder("(");
            for (int d = 0; d < profile.displacements()[i].length; d++) {
                if (d > 0) displacement.append(", ");
                displacement.append(profile.displacements()[i][d]);
            }
            displacement.append(')');
            body.append("<tr><td class=\"number\">").append(escape(displacement.toString())).append("</td><td class=\"number\">")
                    .append(escape(RunReport.valueWithError(profile.value()[i], profile.error()[i]))).append("</td></tr>\n");
        }
        body.append("</table>\n");
    }

    /** The chart drawn at twice its size, as PNG bytes. */
    static byte[] png(Chart<?, ?> chart) throws IOException {
        int scale = 2;
        BufferedImage image = new BufferedImage(chart.getWidth() * scale, chart.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        try {
            graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            graphics.scale(scale, scale);
            chart.paint(graphics, chart.getWidth(), chart.getHeight());
        } finally {
            graphics.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }

    /** Text as HTML: the five characters with a meaning in markup or attributes become entities. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
