package org.equiflow.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * A parameter scan summarised in a directory: {@code scan.csv} (one row per point: the scanned
 * parameters, the training step its result was sampled at, acceptance, ESS, and each observable
 * with its error), {@code scan.md} (the same as a markdown table, values as "value ± error"), and,
 * when exactly one parameter is scanned, one plot per column against it ({@code <column>.png} and
 * {@code .svg}, with error bars where there are errors).
 *
 * @param parameters the scanned parameters, the first columns
 * @param rows       one per point with a result, in scan order
 */
public record ScanReport(List<String> parameters, List<Row> rows) {
    /** A measurement; error NaN where there is none (acceptance, ESS). */
    public record Measured(double value, double error) {}

    /** One point: its scanned values, the training step it was sampled at, and what was measured. */
    public record Row(Map<String, String> values, long trainingStep, double acceptance, double ess, Map<String, Measured> observables) {
        public Row {
            values = Map.copyOf(values);
            observables = new LinkedHashMap<>(observables);
        }
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    static {
        // As RunReport: scans run on machines with no display.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public ScanReport {
        parameters = List.copyOf(parameters);
        rows = List.copyOf(rows);
    }

    /** Writes the table, the markdown and (one scanned parameter) the plots; returns the files, each replaced atomically. */
    public List<Path> write(Path directory) throws IOException {
        Files.createDirectories(directory);
        List<Path> written = new ArrayList<>();
        Path csv = directory.resolve("scan.csv");
        AtomicFiles.write(csv, csv().getBytes(StandardCharsets.UTF_8));
        written.add(csv);
        Path md = directory.resolve("scan.md");
        AtomicFiles.write(md, markdown(parameters, rows).getBytes(StandardCharsets.UTF_8));
        written.add(md);
        if (parameters.size() == 1 && !rows.isEmpty()) {
            String parameter = parameters.get(0);
            written.addAll(plot(directory, parameter, "acceptance", rows.stream().map(r -> new Measured(r.acceptance(), Double.NaN)).toList()));
            written.addAll(plot(directory, parameter, "ess", rows.stream().map(r -> new Measured(r.ess(), Double.NaN)).toList()));
            for (String observable : observableNames(rows)) {
                written.addAll(plot(directory, parameter, observable,
                        rows.stream().map(r -> r.observables().getOrDefault(observable, new Measured(Double.NaN, Double.NaN))).toList()));
            }
        }
        return written;
    }

    /** Every observable of any row, in first-seen order. */
    static List<String> observableNames(List<Row> rows) {
        Set<String> names = new LinkedHashSet<>();
        for (Row row : rows) names.addAll(row.observables().keySet());
        return List.copyOf(names);
    }

    String csv() {
        List<String> observables = observableNames(rows);
        List<String> header = new ArrayList<>(parameters);
        header.addAll(List.of("training_step", "acceptance", "ess"));
        for (String o : observables) {
            header.add(o);
            header.add(o + "_error");
        }
        StringBuilder out = new StringBuilder(String.join(",", header)).append('\n');
        for (Row row : rows) {
            List<String> cells = new ArrayList<>();
            for (String p : parameters) cells.add(row.values().get(p));
            cells.add(Long.toString(row.trainingStep()));
            cells.add(number(row.acceptance()));
            cells.add(number(row.ess()));
            for (String o : observables) {
                Measured m = row.observables().getOrDefault(o, new Measured(Double.NaN, Double.NaN));
                cells.add(number(m.value()));
                cells.add(number(m.error()));
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** The table in markdown, values as "value ± error" with four significant digits. */
    public static String markdown(List<String> parameters, List<Row> rows) {
        List<String> observables = observableNames(rows);
        List<String> header = new ArrayList<>(parameters);
        header.addAll(List.of("steps", "acceptance", "ESS"));
        header.addAll(observables);
        StringBuilder out = new StringBuilder("| " + String.join(" | ", header) + " |\n");
        out.append("|").append("---|".repeat(header.size())).append('\n');
        for (Row row : rows) {
            List<String> cells = new ArrayList<>();
            for (String p : parameters) cells.add(row.values().get(p));
            cells.add(Long.toString(row.trainingStep()));
            cells.add(shown(row.acceptance(), Double.NaN));
            cells.add(shown(row.ess(), Double.NaN));
            for (String o : observables) {
                Measured m = row.observables().getOrDefault(o, new Measured(Double.NaN, Double.NaN));
                cells.add(shown(m.value(), m.error()));
            }
            out.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        return out.toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : Double.toString(value);
    }

    private static String shown(double value, double error) {
        if (Double.isNaN(value)) return "–";
        String v = String.format(Locale.ROOT, "%.4g", value);
        return Double.isNaN(error) ? v : v + " ± " + String.format(Locale.ROOT, "%.2g", error);
    }

    /** {@code name} against the scanned parameter; the points without a finite value are left out. */
    private List<Path> plot(Path directory, String parameter, String name, List<Measured> measured) throws IOException {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>(), e = new ArrayList<>();
        boolean errors = false;
        for (int i = 0; i < rows.size(); i++) {
            Measured m = measured.get(i);
            if (!Double.isFinite(m.value())) continue;
            x.add(Double.parseDouble(rows.get(i).values().get(parameter)));
            y.add(m.value());
            e.add(Double.isFinite(m.error()) ? Math.abs(m.error()) : 0.0);
            errors |= Double.isFinite(m.error());
        }
        if (x.isEmpty()) return List.of();
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(name + " against " + parameter)
                .xAxisTitle(parameter).yAxisTitle(name).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(6);
        var series = errors ? chart.addSeries(name, x, y, e) : chart.addSeries(name, x, y);
        series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        String file = name.replaceAll("[^A-Za-z0-9._+-]", "_");
        return RunReport.savePlot(directory, file, chart);
    }
}
