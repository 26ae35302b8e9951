package org.equiflow.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A training and sampling run summarised in a directory: {@code metrics.csv}, {@code summary.md}, one CSV per
 * profile, the plots of {@link ReportFigures} as PNG (to look at) and SVG (to put in a paper), and
 * {@code index.html} ({@link HtmlReport}), one self-contained page with all of it.
 *
 * @param description      what was run: the heading, the script, every parameter, seed and setting
 * @param trainingMetrics  one row per logged step; the CSV columns are the keys, in first-seen order. The plots use
 *                         the keys {@value #STEP}, {@value #LOSS}, {@value #ESS} and {@value #ACCEPTANCE}
 * @param sampler          the sampler's rows (acceptance, ESS), keyed as {@code observables}
 * @param observables      one row per observable for the summary table; the keys are the columns, and a
 *                         {@value #VALUE} key with an {@value #ERROR} key become one "value ± error" column
 * @param series           per-configuration series in the ensemble's order, by the names of
 *                         {@link org.equiflow.physics.Measurements.Report#series()}; for histories and histograms
 * @param correlator       the zero-momentum correlator C(t) and the effective mass; {@code null} for none
 * @param profiles         functions of the displacement, each written to its own CSV
 * @param comparisons      this run's observables beside other sources; empty for none
 * @param notes            what the measurement wants the reader to know (e.g. an observable it could not measure)
 */
public record RunReport(
        RunDescription description,
        List<Map<String, Object>> trainingMetrics,
        List<Map<String, Object>> sampler,
        List<Map<String, Object>> observables,
        Map<String, double[]> series,
        Correlator correlator,
        List<Profile> profiles,
        List<ComparisonTable> comparisons,
        List<String> notes) {

    public static final String STEP = "step";
    public static final String LOSS = "loss";
    public static final String ESS = "ess";
    public static final String ACCEPTANCE = "acceptance";
    public static final String VALUE = "value";
    public static final String ERROR = "error";

    static {
        // Reports are written on clusters and in CI with no display; AWT must not try to open one. This only takes
        // effect if no AWT class was loaded before, hence as early as this class is touched.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * C(t) with its statistical errors, one entry per time separation, and the effective mass m_eff(t) with its
     * errors (NaN where it does not exist).
     */
    public record Correlator(double[] t, double[] value, double[] error, double[] effectiveMass, double[] effectiveMassError) {
        public Correlator {
            for (double[] column : List.of(value, error, effectiveMass, effectiveMassError)) {
                if (column.length != t.length) {
                    throw new IllegalArgumentException("t, value, error, effectiveMass and effectiveMassError must have equal lengths, got "
                            + t.length + ", " + value.length + ", " + error.length + ", " + effectiveMass.length + ", "
                            + effectiveMassError.length);
                }
            }
            t = t.clone();
            value = value.clone();
            error = error.clone();
            effectiveMass = effectiveMass.clone();
            effectiveMassError = effectiveMassError.clone();
        }
    }

    /**
     * A function of the lattice displacement: {@code value[i]} ± {@code error[i]} at {@code displacements[i]}, written
     * to {@code file} (columns x0, x1, …, value, error).
     */
    public record Profile(String file, String name, int[][] displacements, double[] value, double[] error) {
        public Profile {
            if (displacements.length != value.length || value.length != error.length) {
                throw new IllegalArgumentException("displacements, value and error must have equal lengths");
            }
        }
    }

    public RunReport {
        trainingMetrics = List.copyOf(trainingMetrics);
        sampler = List.copyOf(sampler);
        observables = List.copyOf(observables);
        Map<String, double[]> copy = new LinkedHashMap<>();
        series.forEach((name, values) -> copy.put(name, values.clone()));
        series = Collections.unmodifiableMap(copy);
        profiles = List.copyOf(profiles);
        comparisons = List.copyOf(comparisons);
        notes = List.copyOf(notes);
    }

    /** This report with {@code comparisons} in place of its own. */
    public RunReport withComparisons(List<ComparisonTable> comparisons) {
        return new RunReport(description, trainingMetrics, sampler, observables, series, correlator, profiles, comparisons, notes);
    }

    /** Writes every part the data allows and returns the files written, each replaced atomically. */
    public List<Path> write(Path directory) throws IOException {
        List<Path> written = new ArrayList<>();
        Path csv = directory.resolve("metrics.csv");
        AtomicFiles.write(csv, csv(trainingMetrics).getBytes(StandardCharsets.UTF_8));
        written.add(csv);
        Path summary = directory.resolve("summary.md");
        AtomicFiles.write(summary, summaryMarkdown().getBytes(StandardCharsets.UTF_8));
        written.add(summary);
        for (Profile profile : profiles) {
            Path file = directory.resolve(profile.file());
            AtomicFiles.write(file, profileCsv(profile).getBytes(StandardCharsets.UTF_8));
            written.add(file);
        }
        List<ReportFigures.Figure> figures = ReportFigures.of(this);
        List<Rendered> rendered = render(figures);
        for (int i = 0; i < figures.size(); i++) written.addAll(savePlot(directory, figures.get(i).name(), rendered.get(i)));
        written.add(HtmlReport.write(directory, this, figures, rendered.stream().map(Rendered::pagePng).toList()));
        return written;
    }

    // ---------------------------------------------------------------- text

    public static String csv(List<Map<String, Object>> rows) {
        List<String> columns = columns(rows);
        StringBuilder out = new StringBuilder(String.join(",", columns.stream().map(RunReport::csvCell).toList()));
        out.append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                Object value = row.get(column);
                cells.add(value == null ? "" : csvCell(String.valueOf(value)));
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    private static String csvCell(String text) {
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return "\"" + text.replace("\"", "\"\"") + "\"";
        }
        return text;
    }

    String summaryMarkdown() {
        StringBuilder out = new StringBuilder("# ").append(description.title()).append("\n\n");
        if (!description.kind().isEmpty() || !description.scriptName().isEmpty()) {
            out.append(description.kind().isEmpty() ? "Run" : capitalized(description.kind()));
            if (!description.scriptName().isEmpty()) out.append(" of `").append(description.scriptName()).append('`');
            out.append(". The page `index.html` beside this file holds the script, the tables and every plot.\n\n");
        }
        description.settingTables().forEach((heading, table) -> {
            if (table.isEmpty()) return;
            out.append("## ").append(heading).append("\n\n");
            appendTableRow(out, List.of("setting", "value"));
            appendTableRow(out, List.of("---", "---"));
            table.forEach((key, value) -> appendTableRow(out, List.of(key, value)));
            out.append('\n');
        });
        appendResultTable(out, "Sampler", sampler);
        appendResultTable(out, "Observables", observables);
        if (!notes.isEmpty()) {
            out.append("## Notes\n\n");
            notes.forEach(note -> out.append("- ").append(note).append('\n'));
            out.append('\n');
        }
        for (ComparisonTable comparison : comparisons) {
            if (comparison.rows().isEmpty()) continue;
            out.append("## Comparison with ").append(comparison.against()).append("\n\n");
            appendTableRow(out, List.of("observable", "this run", comparison.column(), "pull"));
            appendTableRow(out, List.of("---", "---", "---", "---"));
            for (ComparisonTable.Row row : comparison.rows()) {
                appendTableRow(out, List.of(row.observable(), valueWithError(row.value(), row.error()),
                        otherValue(row), formatPull(row.pull())));
            }
            out.append('\n');
        }
        if (!trainingMetrics.isEmpty()) {
            Map<String, Object> last = trainingMetrics.getLast();
            out.append("## Training, last logged step\n\n");
            List<String> columns = new ArrayList<>(last.keySet());
            appendTableRow(out, columns);
            appendTableRow(out, columns.stream().map(column -> "---").toList());
            appendTableRow(out, columns.stream().map(column -> formatCell(last.get(column))).toList());
            out.append('\n');
        }
        return out.toString();
    }

    private static void appendResultTable(StringBuilder out, String heading, List<Map<String, Object>> rows) {
        if (rows.isEmpty()) return;
        out.append("## ").append(heading).append("\n\n");
        List<List<String>> table = resultTable(rows);
        appendTableRow(out, table.getFirst());
        appendTableRow(out, table.getFirst().stream().map(cell -> "---").toList());
        table.subList(1, table.size()).forEach(cells -> appendTableRow(out, cells));
        out.append('\n');
    }

    /** Rows of observables as text cells, headings first; a value with an error becomes one "value ± error" cell. */
    static List<List<String>> resultTable(List<Map<String, Object>> rows) {
        List<String> columns = columns(rows);
        boolean combineError = columns.contains(VALUE) && columns.contains(ERROR);
        if (combineError) {
            columns.remove(ERROR);
        }
        List<List<String>> table = new ArrayList<>();
        table.add(columns.stream().map(column -> combineError && column.equals(VALUE) ? "value ± error" : column).toList());
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String column : columns) {
                if (combineError && column.equals(VALUE)) {
                    cells.add(valueWithError(row.get(VALUE), row.get(ERROR)));
                } else {
                    cells.add(formatCell(row.get(column)));
                }
            }
            table.add(cells);
        }
        return table;
    }

    /** The other source's value: with its error, or alone when exact (error 0 or NaN). */
    static String otherValue(ComparisonTable.Row row) {
        return row.otherError() > 0 ? valueWithError(row.otherValue(), row.otherError()) : formatCell(row.otherValue());
    }

    static String formatPull(double pull) {
        return Double.isFinite(pull) ? String.format(Locale.ROOT, "%+.2f", pull) : "–";
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /** One row per displacement: x0, x1, …, value, error — loadable with numpy.loadtxt(..., delimiter=",", skiprows=1). */
    static String profileCsv(Profile profile) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < profile.value().length; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int d = 0; d < profile.displacements()[i].length; d++) row.put("x" + d, profile.displacements()[i][d]);
            row.put(VALUE, profile.value()[i]);
            row.put(ERROR, profile.error()[i]);
            rows.add(row);
        }
        return csv(rows);
    }

    private static void appendTableRow(StringBuilder out, List<String> cells) {
        out.append("| ");
        out.append(String.join(" | ", cells.stream().map(cell -> cell.replace("|", "\\|")).toList()));
        out.append(" |\n");
    }

    /** Rounds the value to the error's precision (two significant digits of the error), as results are quoted. */
    static String valueWithError(Object value, Object error) {
        if (!(value instanceof Number v) || !(error instanceof Number e)) {
            return formatCell(value) + (error == null ? "" : " ± " + formatCell(error));
        }
        double err = Math.abs(e.doubleValue());
        if (!Double.isFinite(err) || err == 0 || !Double.isFinite(v.doubleValue())) {
            return formatCell(value) + " ± " + formatCell(error);
        }
        int decimals = Math.max(0, 1 - (int) Math.floor(Math.log10(err)));
        String format = "%." + decimals + "f";
        return String.format(Locale.ROOT, format, v.doubleValue()) + " ± " + String.format(Locale.ROOT, format, err);
    }

    static String formatCell(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? String.format(Locale.ROOT, "%.4g", number) : String.valueOf(number);
        }
        return String.valueOf(value);
    }

    private static List<String> columns(List<Map<String, Object>> rows) {
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(row -> columns.addAll(row.keySet()));
        return new ArrayList<>(columns);
    }

    // ---------------------------------------------------------------- plots

    /** One figure drawn three ways: its PNG and SVG files, and the twice-size PNG that {@link HtmlReport} embeds. */
    record Rendered(byte[] png, byte[] svg, byte[] pagePng) {}

    /** Draws {@code chart} as {@link Rendered} does, in that order (the chart is drawn by one thread, once per image). */
    static Rendered render(Chart<?, ?> chart) throws IOException {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return new Rendered(png, svg.toByteArray(), HtmlReport.png(chart));
    }

    /**
     * Every figure drawn, one figure per task on the common pool's threads: each chart is its own object drawn into
     * its own images, so the bytes are those one thread would write, in the figures' order.
     */
    static List<Rendered> render(List<ReportFigures.Figure> figures) throws IOException {
        Rendered[] out = new Rendered[figures.size()];
        try {
            java.util.stream.IntStream.range(0, out.length).parallel().forEach(i -> {
                try {
                    out[i] = render(figures.get(i).chart());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return List.of(out);
    }

    /** Writes {@code chart} as {@code name}.png and {@code name}.svg into {@code directory}, each atomically. */
    static List<Path> savePlot(Path directory, String name, Chart<?, ?> chart) throws IOException {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return savePlot(directory, name, new Rendered(png, svg.toByteArray(), null));
    }

    /** Writes a drawn figure as {@code name}.png and {@code name}.svg into {@code directory}, each atomically. */
    static List<Path> savePlot(Path directory, String name, Rendered figure) throws IOException {
        Path png = directory.resolve(name + ".png");
        AtomicFiles.write(png, figure.png());
        Path svgFile = directory.resolve(name + ".svg");
        AtomicFiles.write(svgFile, figure.svg());
        return List.of(png, svgFile);
    }
}
