package org.equiflow.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.equiflow.physics.Measurements;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of a run report, each with the caption a reader needs to read it: the training curves (per-step batch
 * estimates with their running means and the 1/B floor), the zero-momentum correlator (log scale whenever it can be),
 * the effective mass, and histograms and histories of the per-configuration series. {@link RunReport} saves them as
 * PNG and SVG, {@link HtmlReport} embeds them in the page.
 */
public final class ReportFigures {
    private ReportFigures() {}

    /** One plot: {@code name} is its file name without extension, {@code caption} says how to read it. */
    public record Figure(String name, String title, String caption, Chart<?, ?> chart) {}

    public static final String CORRELATOR_TITLE = "Zero-momentum correlator C(t) = Σ_x⃗ ⟨φ(t,x⃗)φ(0)⟩";
    public static final String EFFECTIVE_MASS_TITLE = "Effective mass m_eff(t) = arccosh[(C(t−1) + C(t+1)) / 2C(t)]";

    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    private static final Color BLUE = new Color(31, 119, 180);
    private static final Color ORANGE = new Color(230, 115, 0);
    private static final Color GREY = new Color(90, 90, 90);

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Every figure the report's data allows, in reading order. */
    public static List<Figure> of(RunReport report) {
        List<Figure> figures = new ArrayList<>();
        List<Map<String, Object>> metrics = report.trainingMetrics();
        OptionalInt batch = report.description().trainingBatch();
        if (series(metrics, RunReport.LOSS)[0].length > 0) {
            figures.add(loss(metrics));
        }
        if (series(metrics, RunReport.ESS)[0].length > 0 || series(metrics, RunReport.ACCEPTANCE)[0].length > 0) {
            figures.add(essAcceptance(metrics, batch));
        }
        var correlator = report.correlator();
        if (correlator != null && correlator.t().length > 0) {
            figures.add(correlator(correlator));
            if (Arrays.stream(correlator.effectiveMass()).anyMatch(Double::isFinite)) {
                figures.add(effectiveMass(correlator));
            }
        }
        Map<String, double[]> series = report.series();
        String distinct = (report.description().weighted() ? "The configurations are the flow's independent proposals,"
                + " counted without their importance weights: the histogram shows the flow's distribution q, not e^{−S}/Z (the"
                + " tables are reweighted). " : "") + distinctStatesSentence(series);
        double[] magnetization = series.get(Measurements.MAGNETIZATION);
        if (magnetization != null && magnetization.length > 0) {
            figures.add(histogram("magnetization_histogram", "Magnetization m = (1/V) Σ_x φ(x)", "m", magnetization, false,
                    "Histogram of the magnetization of each configuration. " + distinct));
        }
        double[] charge = series.get(Measurements.TOPOLOGICAL_CHARGE);
        if (charge != null && charge.length > 0) {
            figures.add(chargeHistory(charge, report.description().chains().orElse(1)));
            figures.add(histogram("topological_charge_histogram", "Topological charge Q", "Q", charge, true,
                    "Histogram of Q = (1/2π) Σ_x arg P(x) per configuration, one bar per integer (Q is an integer on the torus"
                            + " up to rounding). " + distinct));
        }
        double[] plaquette = series.get(Measurements.PLAQUETTE);
        if (plaquette != null && plaquette.length > 0) {
            figures.add(histogram("plaquette_histogram", "Plaquette (1/V) Σ_x cos P(x)", "(1/V) Σ_x cos P(x)", plaquette, false,
                    "Histogram of the mean plaquette of each configuration; its ensemble average is ⟨cos P⟩. " + distinct));
        }
        return figures;
    }

    // ---------------------------------------------------------------- training

    /** The trailing mean of the last {@code window} values (fewer at the start): entry i averages y[max(0, i−window+1) … i]. */
    static double[] runningMean(double[] y, int window) {
        if (window < 1) throw new IllegalArgumentException("window must be positive, got " + window);
        double[] mean = new double[y.length];
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i];
            if (i >= window) sum -= y[i - window];
            mean[i] = sum / Math.min(i + 1, window);
        }
        return mean;
    }

    /** The running-mean window for {@code points} logged steps: a twentieth of the run, so the curve keeps its shape. */
    static int runningWindow(int points) {
        return Math.max(1, points / 20);
    }

    private static Figure loss(List<Map<String, Object>> metrics) {
        double[][] loss = series(metrics, RunReport.LOSS);
        int window = runningWindow(loss[0].length);
        XYChart chart = newChart("Training loss", "training step", "loss = ⟨log q + S⟩ (reverse KL − log Z)");
        roundTickLabels(chart, loss[0][loss[0].length - 1], loss[1][loss[1].length - 1]);
        addRaw(chart, "loss per batch", loss, BLUE);
        addLine(chart, "running mean over " + window + " steps", loss[0], runningMean(loss[1], window), BLUE, 2.5f);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        String caption = "The loss of each training batch (thin) and its running mean over the last " + window + " logged steps"
                + " (thick). It is the reverse Kullback–Leibler divergence up to the constant −log Z, so only its decrease means"
                + " something; it is bounded below by −log Z.";
        double[] range = lossAxisRange(loss[1]);
        if (range != null) {
            chart.getStyler().setYAxisMin(range[0]);
            chart.getStyler().setYAxisMax(range[1]);
            caption += " The first steps' loss, up to " + String.format(Locale.ROOT, "%.3g", Arrays.stream(loss[1]).max().orElseThrow())
                    + ", runs off the top: the axis shows the range after the first tenth of training.";
        }
        return new Figure("loss", "Training loss", caption, chart);
    }

    /**
     * The loss axis's range when the first steps would squash the rest flat: from the smallest loss to the largest after
     * the first tenth of the logged steps, with a margin; null when the whole range is readable.
     */
    static double[] lossAxisRange(double[] loss) {
        if (loss.length < 20) return null;
        double low = Arrays.stream(loss).min().orElseThrow();
        double high = Arrays.stream(loss, loss.length / 10, loss.length).max().orElseThrow();
        double all = Arrays.stream(loss).max().orElseThrow();
        if (!(high > low) || all - low < 3 * (high - low)) return null;
        double margin = 0.05 * (high - low);
        return new double[] {low - margin, high + margin};
    }

    private static Figure essAcceptance(List<Map<String, Object>> metrics, OptionalInt batch) {
        XYChart chart = newChart("Training: effective sample size and acceptance per batch", "training step", "fraction of the batch");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[][] ess = series(metrics, RunReport.ESS);
        double[][] acceptance = series(metrics, RunReport.ACCEPTANCE);
        int window = runningWindow(Math.max(ess[0].length, acceptance[0].length));
        double[] steps = ess[0].length > 0 ? ess[0] : acceptance[0];
        roundTickLabels(chart, steps[steps.length - 1], 0.5);
        if (ess[0].length > 0) {
            addRaw(chart, "ESS/B per batch", ess, BLUE);
            addLine(chart, "ESS/B running mean", ess[0], runningMean(ess[1], window), BLUE, 2.5f);
        }
        if (acceptance[0].length > 0) {
            addRaw(chart, "acceptance per batch", acceptance, ORANGE);
            addLine(chart, "acceptance running mean", acceptance[0], runningMean(acceptance[1], window), ORANGE, 2.5f);
        }
        StringBuilder caption = new StringBuilder("Thin lines: the estimate from each training batch alone; thick lines: their"
                + " running mean over the last " + window + " logged steps. ESS/B = (Σw)² / (B Σw²) with the batch's importance"
                + " weights w = e^{−S}/q; acceptance is the Metropolis acceptance the batch would have as a chain.");
        if (batch.isPresent()) {
            double floor = 1.0 / batch.getAsInt();
            String label = "1/B floor (B = " + batch.getAsInt() + ")";
            XYSeries line = chart.addSeries(label, new double[] {steps[0], steps[steps.length - 1]}, new double[] {floor, floor});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(GREY);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            caption.append(" The dashed line is the ").append(label).append(", ESS/B = 1/B = ").append(String.format(Locale.ROOT, "%.3g", floor))
                    .append(": one configuration carries all the weight, so a batch estimate at the floor says the flow is far from e^{−S}.");
        }
        return new Figure("ess_acceptance", chart.getTitle(), caption.toString(), chart);
    }

    private static void addRaw(XYChart chart, String name, double[][] points, Color color) {
        addLine(chart, name, points[0], points[1], new Color(color.getRed(), color.getGreen(), color.getBlue(), 80), 1f);
    }

    private static void addLine(XYChart chart, String name, double[] x, double[] y, Color color, float width) {
        XYSeries line = chart.addSeries(name, x, y);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(color);
        line.setLineWidth(width);
    }

    /** x = step, y = the column, skipping rows where either is missing or not finite. */
    private static double[][] series(List<Map<String, Object>> metrics, String key) {
        List<double[]> points = new ArrayList<>();
        for (Map<String, Object> row : metrics) {
            if (row.get(RunReport.STEP) instanceof Number step && row.get(key) instanceof Number y && Double.isFinite(y.doubleValue())) {
                points.add(new double[] {step.doubleValue(), y.doubleValue()});
            }
        }
        return new double[][] {points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray()};
    }

    // ---------------------------------------------------------------- correlator

    /** A log axis shows C(t) whenever at least two points are positive; the others are left out, and the caption says so. */
    static boolean correlatorOnLogScale(double[] value) {
        return Arrays.stream(value).filter(v -> v > 0).count() >= 2;
    }

    private static Figure correlator(RunReport.Correlator correlator) {
        double[] t = correlator.t(), value = correlator.value(), error = correlator.error();
        boolean log = correlatorOnLogScale(value);
        XYChart chart = newChart(CORRELATOR_TITLE, "t (lattice units)", log ? "C(t), log scale" : "C(t)");
        chart.getStyler().setLegendVisible(false);
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < t.length; i++) if (!log || value[i] > 0) shown.add(i);
        StringBuilder caption = new StringBuilder("The correlator of time-slice sums, C(t) = Σ_x⃗ ⟨φ(t,x⃗)φ(0,0⃗)⟩ (averaged over the"
                + " source time), with its statistical errors.");
        double bottom = Double.POSITIVE_INFINITY;
        if (log) {
            chart.getStyler().setYAxisLogarithmic(true);
            double top = 0;
            for (int i : shown) {
                bottom = Math.min(bottom, value[i] - Math.abs(error[i]) > 0 ? value[i] - Math.abs(error[i]) : value[i]);
                top = Math.max(top, value[i] + Math.abs(error[i]));
            }
            bottom /= 1.5;
            chart.getStyler().setYAxisMin(bottom);
            // Over a decade or so, decade-only ticks would leave one label; over more, labels at every 2, 3, … overlap.
            chart.getStyler().setYAxisLogarithmicDecadeOnly(top / bottom > 30);
            caption.append(" Log scale.");
            int dropped = t.length - shown.size();
            if (dropped > 0) {
                caption.append(' ').append(dropped).append(dropped == 1 ? " point" : " points").append(" with C(t) ≤ 0 (noise")
                        .append(" around zero) cannot be shown on a log scale and ").append(dropped == 1 ? "is" : "are")
                        .append(" left out: t = ").append(leftOut(t, value)).append('.');
            }
            boolean clipped = shown.stream().anyMatch(i -> value[i] - Math.abs(error[i]) <= 0);
            if (clipped) caption.append(" Error bars that reach zero are cut at the bottom of the axis.");
        } else {
            caption.append(" Linear scale: fewer than two points are positive, so a log scale would show almost nothing.");
        }
        double[] shownT = shown.stream().mapToDouble(i -> t[i]).toArray();
        double[] shownValue = shown.stream().mapToDouble(i -> value[i]).toArray();
        XYSeries points = chart.addSeries("C(t)", shownT, shownValue);
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarkerColor(BLUE);
        points.setMarker(SeriesMarkers.CIRCLE);
        // Error bars drawn as segments, so a bar reaching below zero on a log axis can be cut rather than lost.
        for (int i : shown) {
            double e = Math.abs(error[i]);
            if (!(e > 0)) continue;
            double low = value[i] - e, high = value[i] + e;
            if (log && low <= 0) low = bottom;
            XYSeries bar = chart.addSeries("error " + i, new double[] {t[i], t[i]}, new double[] {low, high});
            bar.setMarker(SeriesMarkers.NONE);
            bar.setLineColor(BLUE);
            bar.setLineWidth(1.2f);
            bar.setShowInLegend(false);
        }
        return new Figure("correlator", CORRELATOR_TITLE, caption.toString(), chart);
    }

    private static String leftOut(double[] t, double[] value) {
        List<String> times = new ArrayList<>();
        for (int i = 0; i < t.length; i++) if (!(value[i] > 0)) times.add(String.format(Locale.ROOT, "%.0f", t[i]));
        return String.join(", ", times);
    }

    private static Figure effectiveMass(RunReport.Correlator correlator) {
        double[] t = correlator.t(), mass = correlator.effectiveMass(), error = correlator.effectiveMassError();
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < t.length; i++) if (Double.isFinite(mass[i])) shown.add(i);
        XYChart chart = newChart(EFFECTIVE_MASS_TITLE, "t (lattice units)", "a m_eff(t)");
        chart.getStyler().setLegendVisible(false);
        double[] x = shown.stream().mapToDouble(i -> t[i]).toArray();
        double[] y = shown.stream().mapToDouble(i -> mass[i]).toArray();
        double[] e = shown.stream().mapToDouble(i -> Double.isFinite(error[i]) ? Math.abs(error[i]) : 0).toArray();
        XYSeries points = chart.addSeries("m_eff(t)", x, y, e);
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarkerColor(BLUE);
        chart.getStyler().setErrorBarsColor(BLUE);
        // Every t on the axis, those without a mass included, so the gaps show where it is missing.
        chart.getStyler().setXAxisMin(t[0]);
        chart.getStyler().setXAxisMax(t[t.length - 1]);
        StringBuilder caption = new StringBuilder("The cosh effective mass of the averaged C(t), in units of the inverse lattice"
                + " spacing: exact for C(t) ∝ cosh(m(t − L₀/2)), so a plateau in t reads off the lightest mass."
                + " Errors by the jackknife.");
        int missing = t.length - shown.size();
        if (missing > 0) {
            caption.append(' ').append(missing).append(missing == 1 ? " time has" : " times have")
                    .append(" no effective mass ((C(t−1) + C(t+1)) / 2C(t) < 1, noise) and ").append(missing == 1 ? "is" : "are")
                    .append(" left out.");
        }
        long withoutError = shown.stream().filter(i -> !Double.isFinite(error[i])).count();
        if (withoutError > 0) {
            caption.append(' ').append(withoutError).append(withoutError == 1 ? " point has" : " points have")
                    .append(" no error bar: the mass is undefined on some jackknife samples.");
        }
        return new Figure("effective_mass", EFFECTIVE_MASS_TITLE, caption.toString(), chart);
    }

    // ---------------------------------------------------------------- per-configuration series

    /** How many configurations differ: distinct tuples of every series' values (a repeated state repeats them all). */
    static int distinctStates(Map<String, double[]> series) {
        int count = series.values().stream().mapToInt(values -> values.length).min().orElse(0);
        double[][] columns = series.values().toArray(double[][]::new);
        // An open-addressing set of configuration indices, keyed by a hash of the tuple's bits and compared value by
        // value as Double.equals compares (so −0 and +0 differ, NaNs are one value): no boxing for a million states.
        int[] slots = new int[Math.max(2, Integer.highestOneBit(Math.max(1, count)) * 4)];
        java.util.Arrays.fill(slots, -1);
        int mask = slots.length - 1, distinct = 0;
        for (int c = 0; c < count; c++) {
            long hash = 0x9E3779B97F4A7C15L;
            for (double[] column : columns) hash = (hash ^ Double.doubleToLongBits(column[c])) * 0xBF58476D1CE4E5B9L;
            int slot = (int) (hash ^ (hash >>> 32)) & mask;
            while (slots[slot] >= 0 && !sameState(columns, slots[slot], c)) slot = (slot + 1) & mask;
            if (slots[slot] < 0) {
                slots[slot] = c;
                distinct++;
            }
        }
        return distinct;
    }

    private static boolean sameState(double[][] columns, int a, int b) {
        for (double[] column : columns) {
            if (Double.doubleToLongBits(column[a]) != Double.doubleToLongBits(column[b])) return false;
        }
        return true;
    }

    private static String distinctStatesSentence(Map<String, double[]> series) {
        int count = series.values().stream().mapToInt(values -> values.length).min().orElse(0);
        int distinct = distinctStates(series);
        if (distinct == count) {
            return count + " configurations, all distinct.";
        }
        return count + " configurations, " + distinct + " distinct: a Metropolis chain (flow + Metropolis, HMC) keeps its"
                + " configuration when it rejects a proposal, so the " + (count - distinct) + " repeated states stack up"
                + " as spikes, which are not structure of the distribution.";
    }

    private static Figure chargeHistory(double[] charge, int chains) {
        double[] index = new double[charge.length];
        for (int i = 0; i < index.length; i++) index[i] = i;
        XYChart chart = newChart("Topological charge history", "configuration (ensemble order)", "Q");
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setYAxisDecimalPattern("0");
        roundTickLabels(chart, index[index.length - 1], charge[0]);
        double[][] path = columnExtremes(plateauCorners(charge), HISTORY_COLUMNS);
        XYSeries line = chart.addSeries("Q", path[0], path[1]);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(BLUE);
        line.setLineWidth(1f);
        String caption = "Q of each configuration in the order of ensemble.npy. Long plateaus are topological freezing: the"
                + " sampler rarely changes Q, and τ_int of ⟨Q²⟩ grows.";
        if (chains > 1 && charge.length % chains == 0) {
            double low = Arrays.stream(charge).min().orElseThrow(), high = Arrays.stream(charge).max().orElseThrow();
            int length = charge.length / chains;
            for (int c = 1; c < chains; c++) {
                XYSeries boundary = chart.addSeries("chain " + c, new double[] {c * length - 0.5, c * length - 0.5},
                        new double[] {low, high});
                boundary.setMarker(SeriesMarkers.NONE);
                boundary.setLineColor(GREY);
                boundary.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
            caption += " The ensemble holds " + chains + " independent chains of " + length + " configurations one after the"
                    + " other; dashed lines separate them, and a jump across one is not a change of Q by the sampler.";
        }
        return new Figure("topological_charge_history", "Topological charge history", caption, chart);
    }

    /**
     * The polyline through (i, y[i]) with the inner points of every run of equal values left out: such a point lies on
     * the horizontal segment between its run's first and last points, so the line drawn is the same, with as many
     * points as the series has changes (a Metropolis chain's Q changes only on some accepted proposals) instead of one
     * per configuration. Returns {x, y}; the first and last points are always kept.
     */
    static double[][] plateauCorners(double[] y) {
        int n = y.length;
        double[] x = new double[n], kept = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            boolean inner = i > 0 && i < n - 1 && y[i] == y[i - 1] && y[i] == y[i + 1];
            if (inner) continue;
            x[m] = i;
            kept[m++] = y[i];
        }
        return new double[][] {Arrays.copyOf(x, m), Arrays.copyOf(kept, m)};
    }

    /** Columns of {@link #columnExtremes} for histories: the widest rendering's pixels (the page's PNG, twice {@link #WIDTH}). */
    static final int HISTORY_COLUMNS = 2 * WIDTH;

    /**
     * A polyline (x increasing) cut to what a raster of {@code columns} pixel columns shows: the x range split into
     * that many equal columns, and of each column's points only the first, the lowest, the highest and the last kept,
     * in their order (the M4 reduction of Jugel et al., VLDB 2014). The line through them spans, in every column, the
     * vertical range of the line through all points and enters and leaves it at the same points; with at least as
     * many columns as the plot has pixels the two draw alike, from at most 4 · columns points: a million-proposal chain's
     * charge history (a change of Q, to rounding, at every accepted proposal) is drawn from thousands of points, not
     * tens of thousands. A path of no more than 4 · columns points is returned as it is.
     */
    static double[][] columnExtremes(double[][] path, int columns) {
        double[] x = path[0], y = path[1];
        int n = x.length;
        if (n <= 4 * columns) return path;
        double low = x[0], width = x[n - 1] - x[0];
        double[] keptX = new double[4 * columns + 1], keptY = new double[keptX.length];
        int m = 0;
        for (int start = 0; start < n; ) {
            int column = column(x[start], low, width, columns), end = start + 1;
            while (end < n && column(x[end], low, width, columns) == column) end++;
            int lowest = start, highest = start;
            for (int i = start + 1; i < end; i++) {
                if (y[i] < y[lowest]) lowest = i;
                if (y[i] > y[highest]) highest = i;
            }
            int last = end - 1;
            int[] kept = {start, Math.min(lowest, highest), Math.max(lowest, highest), last};
            for (int k = 0; k < kept.length; k++) {
                if (k > 0 && kept[k] == kept[k - 1]) continue;
                keptX[m] = x[kept[k]];
                keptY[m++] = y[kept[k]];
            }
            start = end;
        }
        return new double[][] {Arrays.copyOf(keptX, m), Arrays.copyOf(keptY, m)};
    }

    private static int column(double x, double low, double width, int columns) {
        return Math.min(columns - 1, (int) ((x - low) / width * columns));
    }

    private static Figure histogram(String name, String title, String xAxis, double[] values, boolean integerBins, String caption) {
        String heading = title + " (" + values.length + " configurations)";
        if (integerBins) {
            return new Figure(name, title, caption, integerHistogram(heading, xAxis, values));
        }
        double min = Arrays.stream(values).min().orElseThrow();
        double max = Arrays.stream(values).max().orElseThrow();
        if (min == max) {
            // A single value still deserves a visible bar.
            min -= 0.5;
            max += 0.5;
        }
        int bins = (int) Math.max(10, Math.min(80, Math.round(Math.sqrt(values.length))));
        double width = (max - min) / bins;
        double[] counts = new double[bins];
        for (double v : values) counts[Math.min(bins - 1, (int) ((v - min) / width))]++;
        // Edges computed once, so neighbouring bins share an edge exactly: the area renderer refuses x that steps back.
        double[] edges = new double[bins + 1];
        for (int i = 0; i < bins; i++) edges[i] = min + i * width;
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
        XYChart chart = newChart(heading, xAxis, "configurations per bin");
        roundTickLabels(chart, edges[bins], 0);
        XYSeries area = chart.addSeries(xAxis, x, y);
        area.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
        area.setMarker(SeriesMarkers.NONE);
        area.setLineColor(BLUE);
        area.setFillColor(new Color(31, 119, 180, 120));
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0.###");
        return new Figure(name, title, caption, chart);
    }

    /** One bar per integer from the smallest to the largest rounded value, each labelled with its integer. */
    static CategoryChart integerHistogram(String title, String xAxis, double[] values) {
        long low = Arrays.stream(values).mapToLong(Math::round).min().orElseThrow();
        long high = Arrays.stream(values).mapToLong(Math::round).max().orElseThrow();
        List<String> labels = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (long k = low; k <= high; k++) {
            labels.add(Long.toString(k));
            counts.add(0);
        }
        for (double v : values) {
            int bin = (int) (Math.round(v) - low);
            counts.set(bin, counts.get(bin) + 1);
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle("configurations").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setAvailableSpaceFill(0.9);
        CategorySeries bars = chart.addSeries(xAxis, labels, counts);
        bars.setFillColor(new Color(31, 119, 180, 170));
        return chart;
    }

    /**
     * Asks for round x tick labels on a chart whose x values are equally spaced (steps, configuration indices, bin
     * edges). XChart labels such an axis at every data point it can fit, which packs odd steps like 1, 13, 25 edge to
     * edge; it picks round ticks instead when the x values, in the order the series were added, are not evenly spaced.
     * So, before the data, a series with one point at the data's last x and an in-range y, which draws nothing.
     */
    private static void roundTickLabels(XYChart chart, double lastX, double someY) {
        XYSeries layout = chart.addSeries("x tick layout", new double[] {lastX}, new double[] {someY});
        layout.setMarker(SeriesMarkers.NONE);
        layout.setShowInLegend(false);
    }

    private static XYChart newChart(String title, String xAxis, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        return chart;
    }
}
