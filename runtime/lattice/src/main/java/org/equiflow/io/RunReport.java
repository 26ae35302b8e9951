package org.equiflow.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A training and sampling run summarised in a directory: {@code metrics.csv}, {@code summary.md} and plots as PNG
 * (to look at) and SVG (to put in a paper).
 *
 * @param title            heading of {@code summary.md}, e.g. the script name
 * @param trainingMetrics  one row per logged step; the CSV columns are the keys, in first-seen order. The plots use
 *                         the keys {@value #STEP}, {@value #LOSS}, {@value #ESS} and {@value #ACCEPTANCE}
 * @param observables      one row per observable for the summary table; the keys are the columns, and a
 *                         {@value #VALUE} key with an {@value #ERROR} key become one "value ± error" column
 * @param magnetization    magnetization samples for the histogram; empty for none
 * @param correlator       the two-point function G(t); {@code null} for none
 */
public record RunReport(
        String title,
        List<Map<String, Object>> trainingMetrics,
        List<Map<String, Object>> observables,
        double[] magnetization,
        Correlator correlator) {

    public static final String STEP = "step";
    public static final String LOSS = "loss";
    public static final String ESS = "ess";
    public static final String ACCEPTANCE = "acceptance";
    public static final String VALUE = "value";
    public static final String ERROR = "error";

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    static {
        // Reports are written on clusters and in CI with no display; AWT must not try to open one. This only takes
        // effect if no AWT class was loaded before, hence as early as this class is touched.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** G(t) with its statistical errors, one entry per time separation. */
    public record Correlator(double[] t, double[] value, double[] error) {
        public Correlator {
            if (t.length != value.length || t.length != error.length) {
                throw new IllegalArgumentException("t, value and error must have equal lengths, got " + t.length
                        + ", " + value.length + ", " + error.length);
            }
            t = t.clone();
            value = value.clone();
            error = error.clone();
        }
    }

    public RunReport {
        trainingMetrics = List.copyOf(trainingMetrics);
        observables = List.copyOf(observables);
        magnetization = magnetization.clone();
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
        if (hasColumn(LOSS)) {
            written.addAll(savePlot(directory, "loss", lossChart()));
        }
        if (hasColumn(ESS) || hasColumn(ACCEPTANCE)) {
            written.addAll(savePlot(directory, "ess_acceptance", essAcceptanceChart()));
        }
        if (magnetization.length > 0) {
            written.addAll(savePlot(directory, "magnetization_histogram", histogramChart()));
        }
        if (correlator != null && correlator.t().length > 0) {
            written.addAll(savePlot(directory, "correlator", correlatorChart()));
        }
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
        StringBuilder out = new StringBuilder("# ").append(title).append("\n\n");
        if (!observables.isEmpty()) {
            out.append("## Observables\n\n");
            List<String> columns = columns(observables);
            boolean combineError = columns.contains(VALUE) && columns.contains(ERROR);
            if (combineError) {
                columns.remove(ERROR);
            }
            List<String> headings = columns.stream()
                    .map(column -> combineError && column.equals(VALUE) ? "value ± error" : column).toList();
            appendTableRow(out, headings);
            appendTableRow(out, headings.stream().map(heading -> "---").toList());
            for (Map<String, Object> row : observables) {
                List<String> cells = new ArrayList<>();
                for (String column : columns) {
                    if (combineError && column.equals(VALUE)) {
                        cells.add(valueWithError(row.get(VALUE), row.get(ERROR)));
                    } else {
                        cells.add(formatCell(row.get(column)));
                    }
                }
                appendTableRow(out, cells);
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

    private static String formatCell(Object value) {
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

    private boolean hasColumn(String key) {
        return series(key)[0].length > 0;
    }

    /** x = step, y = the column, skipping rows where either is missing or not finite. */
    private double[][] series(String key) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Object> row : trainingMetrics) {
            if (row.get(STEP) instanceof Number step && row.get(key) instanceof Number y
                    && Double.isFinite(y.doubleValue())) {
                points.add(new double[] {step.doubleValue(), y.doubleValue()});
            }
        }
        return new double[][] {
            points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray()};
    }

    private XYChart lossChart() {
        XYChart chart = newChart("Training loss", "step", "loss (reverse KL up to log Z)");
        double[][] loss = series(LOSS);
        XYSeries line = chart.addSeries("loss", loss[0], loss[1]);
        line.setMarker(SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    private XYChart essAcceptanceChart() {
        XYChart chart = newChart("Effective sample size and acceptance", "step", "fraction");
        for (String key : List.of(ESS, ACCEPTANCE)) {
            double[][] points = series(key);
            if (points[0].length > 0) {
                chart.addSeries(key.equals(ESS) ? "ESS / N" : "acceptance", points[0], points[1])
                        .setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    private XYChart histogramChart() {
        double min = Arrays.stream(magnetization).min().orElseThrow();
        double max = Arrays.stream(magnetization).max().orElseThrow();
        if (min == max) {
            // A single value still deserves a visible bar.
            min -= 0.5;
            max += 0.5;
        }
        int bins = (int) Math.max(10, Math.min(80, Math.round(Math.sqrt(magnetization.length))));
        double width = (max - min) / bins;
        double[] counts = new double[bins];
        for (double m : magnetization) {
            counts[Math.min(bins - 1, (int) ((m - min) / width))]++;
        }
        // Edges computed once, so neighbouring bins share an edge exactly: the area renderer refuses x that steps back.
        double[] edges = new double[bins + 1];
        for (int i = 0; i < bins; i++) {
            edges[i] = min + i * width;
        }
        edges[bins] = max;
        // The histogram's outline as one polyline, filled to zero: two points per bin plus the two feet.
        double[] x = new double[2 * bins + 2];
        double[] y = new double[2 * bins + 2];
        x[0] = edges[0];
        for (int i = 0; i < bins; i++) {
            x[1 + 2 * i] = edges[i];
            x[2 + 2 * i] = edges[i + 1];
            y[1 + 2 * i] = counts[i];
            y[2 + 2 * i] = counts[i];
        }
        x[x.length - 1] = edges[bins];
        XYChart chart = newChart("Magnetization (" + magnetization.length + " samples)", "M", "count");
        chart.addSeries("M", x, y).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area)
                .setMarker(SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0.###");
        return chart;
    }

    private XYChart correlatorChart() {
        double[] t = correlator.t();
        double[] value = correlator.value();
        double[] error = correlator.error();
        // A log axis cannot show points at or below zero, nor error bars reaching there; then linear is honest.
        boolean logScale = true;
        for (int i = 0; i < t.length; i++) {
            logScale &= value[i] > 0 && value[i] - Math.abs(error[i]) > 0;
        }
        XYChart chart = newChart("Two-point function" + (logScale ? " (log scale)" : ""), "t", "G(t)");
        chart.getStyler().setYAxisLogarithmic(logScale);
        // G(t) often spans less than a decade; decade-only ticks would leave the axis with a single label.
        chart.getStyler().setYAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setLegendVisible(false);
        double[] absoluteError = Arrays.stream(error).map(Math::abs).toArray();
        chart.addSeries("G(t)", t, value, absoluteError).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        return chart;
    }

    private static XYChart newChart(String title, String xAxis, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(6);
        return chart;
    }

    /** Writes {@code chart} as {@code name}.png and {@code name}.svg into {@code directory}, each atomically. */
    static List<Path> savePlot(Path directory, String name, XYChart chart) throws IOException {
        Path png = directory.resolve(name + ".png");
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        Path svgFile = directory.resolve(name + ".svg");
        AtomicFiles.write(svgFile, svg.toByteArray());
        return List.of(png, svgFile);
    }
}
