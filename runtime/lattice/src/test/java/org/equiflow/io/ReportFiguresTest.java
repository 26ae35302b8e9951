package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.equiflow.physics.Measurements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class ReportFiguresTest {

    private static final double NAN = Double.NaN;

    private static List<Map<String, Object>> metrics(int steps) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int step = 1; step <= steps; step++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(RunReport.STEP, step);
            row.put(RunReport.LOSS, -10 + 100 * Math.exp(-step / 3.0));
            row.put(RunReport.ESS, 0.05 + 0.4 * (step % 7) / 7.0);
            row.put(RunReport.ACCEPTANCE, 0.1 + 0.3 * (step % 5) / 5.0);
            rows.add(row);
        }
        return rows;
    }

    private static RunDescription described(Integer batch) {
        Map<String, String> training = batch == null ? Map.of() : Map.of(RunDescription.BATCH, batch.toString());
        return new RunDescription("test run", RunDescription.FLOW, "t.flow", "", Map.of(), Map.of(), Map.of(), Map.of(), training, Map.of());
    }

    private static RunReport report(RunDescription description, List<Map<String, Object>> metrics, Map<String, double[]> series,
                                    RunReport.Correlator correlator) {
        return new RunReport(description, metrics, List.of(), List.of(), series, correlator, List.of(), List.of(), List.of());
    }

    private static RunReport.Correlator correlator(double[] value, double[] mass) {
        double[] t = new double[value.length];
        for (int i = 0; i < t.length; i++) t[i] = i;
        double[] error = new double[value.length];
        java.util.Arrays.fill(error, 0.01);
        return new RunReport.Correlator(t, value, error, mass, new double[value.length]);
    }

    private static ReportFigures.Figure figure(List<ReportFigures.Figure> figures, String name) {
        return figures.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no figure " + name + " among " + figures.stream().map(ReportFigures.Figure::name).toList()));
    }

    // ---------------------------------------------------------------- which figures, with which titles

    static Stream<Arguments> reports() {
        double[] g = {1.0, 0.5, 0.3, 0.5};
        double[] mass = {NAN, 0.7, 0.5, 0.7};
        return Stream.of(
                Arguments.of("training only", report(described(64), metrics(40), Map.of(), null),
                        List.of("loss", "ess_acceptance")),
                Arguments.of("scalar chain", report(described(null), List.of(), Map.of(Measurements.MAGNETIZATION, new double[] {0.1, 0.2, 0.1}),
                        correlator(g, mass)), List.of("correlator", "effective_mass", "magnetization_histogram")),
                Arguments.of("no effective mass anywhere", report(described(null), List.of(), Map.of(),
                        correlator(g, new double[] {NAN, NAN, NAN, NAN})), List.of("correlator")),
                Arguments.of("U(1) gauge", report(described(null), List.of(), Map.of(Measurements.TOPOLOGICAL_CHARGE, new double[] {0, 1, -1, 0},
                        Measurements.PLAQUETTE, new double[] {0.7, 0.71, 0.69, 0.7}), null),
                        List.of("topological_charge_history", "topological_charge_histogram", "plaquette_histogram")),
                Arguments.of("nothing", report(described(null), List.of(), Map.of(), null), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reports")
    void theDataDecidesWhichFiguresThereAre(String what, RunReport report, List<String> names) {
        List<ReportFigures.Figure> figures = ReportFigures.of(report);
        assertEquals(names, figures.stream().map(ReportFigures.Figure::name).toList(), what);
        for (var figure : figures) {
            assertFalse(figure.caption().isBlank(), figure.name() + " has no caption");
            assertTrue(figure.chart().getTitle().startsWith(figure.title()), figure.chart().getTitle() + " vs " + figure.title());
        }
    }

    @Test
    void theCorrelatorIsTitledAsTheZeroMomentumCorrelator() {
        var figures = ReportFigures.of(report(described(null), List.of(), Map.of(), correlator(new double[] {1, 0.5, 0.25, 0.5}, new double[4])));
        var correlator = figure(figures, "correlator");
        assertEquals("Zero-momentum correlator C(t) = Σ_x⃗ ⟨φ(t,x⃗)φ(0)⟩", correlator.title());
        assertEquals(correlator.title(), correlator.chart().getTitle());
        assertFalse(correlator.chart().getTitle().contains("Two-point"), "C(t) is not the two-point function G(x)");
    }

    // ---------------------------------------------------------------- log scale, never silently

    static Stream<Arguments> correlators() {
        return Stream.of(
                Arguments.of(new double[] {1, 0.4, 0.2, 0.4}, true, 0, "all positive"),
                Arguments.of(new double[] {1, 0.1, -0.02, 0.1}, true, 1, "one negative point is dropped"),
                Arguments.of(new double[] {1, 0.1, 0, -0.01}, true, 2, "zero and negative are dropped"),
                Arguments.of(new double[] {1, -0.1, -0.2, -0.1}, false, 0, "one positive point: linear"),
                Arguments.of(new double[] {-1, -0.1, -0.2, -0.1}, false, 0, "none positive: linear"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("correlators")
    void theCorrelatorIsOnALogScaleWheneverTwoPointsArePositiveAndTheCaptionSaysSo(double[] value, boolean log, int dropped, String what) {
        assertEquals(log, ReportFigures.correlatorOnLogScale(value), what);
        var figure = figure(ReportFigures.of(report(described(null), List.of(), Map.of(), correlator(value, new double[value.length]))), "correlator");
        XYChart chart = (XYChart) figure.chart();
        assertEquals(log, chart.getStyler().isYAxisLogarithmic(), what);
        assertEquals(log, chart.getYAxisTitle().contains("log scale"), chart.getYAxisTitle());
        XYSeries points = chart.getSeriesMap().get("C(t)");
        assertEquals(value.length - dropped, points.getXData().length, "the points shown");
        if (log) {
            assertTrue(figure.caption().contains("Log scale."), figure.caption());
            for (double y : points.getYData()) assertTrue(y > 0, "a log axis shows only positive C(t)");
        } else {
            assertTrue(figure.caption().contains("Linear scale"), figure.caption());
        }
        assertEquals(dropped > 0, figure.caption().contains("left out: t = "), figure.caption());
        if (dropped == 2) assertTrue(figure.caption().contains("2 points with C(t) ≤ 0") && figure.caption().contains("t = 2, 3"), figure.caption());
    }

    @Test
    void effectiveMassesThatDoNotExistAreLeftOutAndCounted() {
        double[] mass = {NAN, 0.8, NAN, 0.6};
        var figure = figure(ReportFigures.of(report(described(null), List.of(), Map.of(), correlator(new double[] {1, 0.5, 0.3, 0.5}, mass))),
                "effective_mass");
        XYSeries points = ((XYChart) figure.chart()).getSeriesMap().get("m_eff(t)");
        assertArrayEquals(new double[] {1, 3}, points.getXData());
        assertArrayEquals(new double[] {0.8, 0.6}, points.getYData());
        assertTrue(figure.caption().contains("2 times have no effective mass"), figure.caption());
    }

    // ---------------------------------------------------------------- training curves

    static Stream<Arguments> runningMeans() {
        return Stream.of(
                Arguments.of(new double[] {1, 2, 3, 4, 5}, 1, new double[] {1, 2, 3, 4, 5}),
                Arguments.of(new double[] {1, 2, 3, 4, 5}, 2, new double[] {1, 1.5, 2.5, 3.5, 4.5}),
                Arguments.of(new double[] {2, 4, 6, 8}, 3, new double[] {2, 3, 4, 6}),
                Arguments.of(new double[] {3, 1, 2}, 10, new double[] {3, 2, 2}));
    }

    @ParameterizedTest
    @MethodSource("runningMeans")
    void theRunningMeanAveragesTheLastWindowOfSteps(double[] values, int window, double[] expected) {
        assertArrayEquals(expected, ReportFigures.runningMean(values, window), 1e-12);
    }

    @Test
    void trainingCurvesShowBatchEstimatesTheirRunningMeansAndTheFloor() {
        List<Map<String, Object>> metrics = metrics(200);
        var figure = figure(ReportFigures.of(report(described(64), metrics, Map.of(), null)), "ess_acceptance");
        var series = ((XYChart) figure.chart()).getSeriesMap();
        double[] ess = metrics.stream().mapToDouble(row -> (double) row.get(RunReport.ESS)).toArray();
        int window = ReportFigures.runningWindow(ess.length);
        assertEquals(10, window, "a twentieth of 200 steps");
        assertArrayEquals(ess, series.get("ESS/B per batch").getYData());
        assertArrayEquals(ReportFigures.runningMean(ess, window), series.get("ESS/B running mean").getYData(), 1e-15);
        assertTrue(series.containsKey("acceptance running mean"), series.keySet().toString());
        XYSeries floor = series.get("1/B floor (B = 64)");
        assertArrayEquals(new double[] {1 / 64.0, 1 / 64.0}, floor.getYData());
        assertArrayEquals(new double[] {1, 200}, floor.getXData(), "the floor spans the run");
        assertTrue(figure.caption().contains("1/B = 0.0156"), figure.caption());
        assertTrue(figure.caption().contains("last " + window + " logged steps"), figure.caption());

        var withoutBatch = figure(ReportFigures.of(report(described(null), metrics, Map.of(), null)), "ess_acceptance");
        assertTrue(((XYChart) withoutBatch.chart()).getSeriesMap().keySet().stream().noneMatch(name -> name.startsWith("1/B")),
                "no floor without a known batch size");
    }

    @Test
    void theLossAxisSkipsTheFirstStepsOnlyWhenTheyWouldFlattenTheRest() {
        double[] decaying = metrics(100).stream().mapToDouble(row -> (double) row.get(RunReport.LOSS)).toArray();
        double[] range = ReportFigures.lossAxisRange(decaying);
        assertTrue(range != null && range[1] < 0, "the range after the first tenth sits near −10: " + java.util.Arrays.toString(range));
        assertTrue(figure(ReportFigures.of(report(described(64), metrics(100), Map.of(), null)), "loss").caption().contains("runs off the top"));
        double[] flat = new double[100];
        for (int i = 0; i < flat.length; i++) flat[i] = -5 + 0.01 * Math.sin(i);
        assertNull(ReportFigures.lossAxisRange(flat));
    }

    // ---------------------------------------------------------------- per-configuration series

    static Stream<Arguments> chains() {
        return Stream.of(
                Arguments.of(new double[] {0.1, 0.2, 0.3, 0.4}, "4 configurations, all distinct."),
                Arguments.of(new double[] {0.1, 0.1, 0.1, 0.4, 0.4, 0.2}, "6 configurations, 3 distinct"));
    }

    @ParameterizedTest
    @MethodSource("chains")
    void histogramCaptionsCountRepeatedStates(double[] magnetization, String expected) {
        var figure = figure(ReportFigures.of(report(described(null), List.of(), Map.of(Measurements.MAGNETIZATION, magnetization), null)),
                "magnetization_histogram");
        assertTrue(figure.caption().contains(expected), figure.caption());
        assertEquals(!expected.endsWith("all distinct."), figure.caption().contains("repeated states"), figure.caption());
    }

    @Test
    void histogramsOfWeightedProposalsSayTheyShowTheFlow() {
        var weighted = new RunDescription("r", RunDescription.FLOW, "", "", Map.of(), Map.of(), Map.of(),
                Map.of(RunDescription.WEIGHTS, "w"), Map.of(), Map.of());
        Map<String, double[]> series = Map.of(Measurements.MAGNETIZATION, new double[] {0.1, 0.2});
        assertTrue(figure(ReportFigures.of(report(weighted, List.of(), series, null)), "magnetization_histogram").caption()
                .contains("shows the flow's distribution q"));
        assertFalse(figure(ReportFigures.of(report(described(null), List.of(), series, null)), "magnetization_histogram").caption()
                .contains("distribution q"));
    }

    @Test
    void aRepeatedStateRepeatsEverySeries() {
        // Same Q, different plaquette: different configurations.
        assertEquals(3, ReportFigures.distinctStates(Map.of("topological_charge", new double[] {0, 0, 0, 0},
                "plaquette", new double[] {0.5, 0.6, 0.5, 0.7})));
    }

    /** The count is that of a set of boxed tuples (Double.equals: −0 ≠ +0, NaN = NaN), for repeats near and far apart. */
    @Test
    void distinctStatesCountsWhatASetOfTuplesCounts() {
        var random = new java.util.SplittableRandom(8);
        int count = 50_000;
        double[] q = new double[count], p = new double[count];
        double[] pool = {0.0, -0.0, Double.NaN, 1.5, -2.0};
        for (int c = 0; c < count; c++) {
            if (c > 0 && random.nextDouble() < 0.5) {
                int from = random.nextInt(c); // an earlier state again, not only the one before
                q[c] = q[from];
                p[c] = p[from];
            } else {
                q[c] = random.nextDouble() < 0.3 ? pool[random.nextInt(pool.length)] : random.nextInt(7);
                p[c] = random.nextDouble() < 0.3 ? pool[random.nextInt(pool.length)] : random.nextGaussian();
            }
        }
        java.util.Set<List<Double>> tuples = new java.util.HashSet<>();
        for (int c = 0; c < count; c++) tuples.add(List.of(q[c], p[c]));
        var series = new java.util.LinkedHashMap<String, double[]>();
        series.put("topological_charge", q);
        series.put("plaquette", p);
        assertEquals(tuples.size(), ReportFigures.distinctStates(series));
        java.util.Set<Double> values = new java.util.HashSet<>();
        for (double v : q) values.add(v);
        assertEquals(values.size(), ReportFigures.distinctStates(Map.of("topological_charge", q)));
    }

    @Test
    void chainBoundariesAreMarkedInTheChargeHistory() {
        var description = new RunDescription("hmc", RunDescription.HMC, "", "", Map.of(), Map.of(), Map.of(),
                Map.of(RunDescription.CHAINS, "3"), Map.of(), Map.of());
        double[] charge = {0, 1, 1, -1, 0, 0};
        var history = figure(ReportFigures.of(report(description, List.of(), Map.of(Measurements.TOPOLOGICAL_CHARGE, charge), null)),
                "topological_charge_history");
        var series = ((XYChart) history.chart()).getSeriesMap();
        assertArrayEquals(new double[] {1.5, 1.5}, series.get("chain 1").getXData());
        assertArrayEquals(new double[] {3.5, 3.5}, series.get("chain 2").getXData());
        assertFalse(series.containsKey("chain 3"));
        assertTrue(history.caption().contains("3 independent chains of 2 configurations"), history.caption());
    }

    @Test
    void gaugeFiguresHistoryAndOneBarPerIntegerCharge() {
        double[] charge = {0, 1, 1, -2, 0, 0.9999999, -0.0000001};
        double[] plaquette = {0.7, 0.71, 0.72, 0.69, 0.705, 0.73, 0.74};
        var figures = ReportFigures.of(report(described(null), List.of(),
                Map.of(Measurements.TOPOLOGICAL_CHARGE, charge, Measurements.PLAQUETTE, plaquette), null));
        XYSeries history = ((XYChart) figure(figures, "topological_charge_history").chart()).getSeriesMap().get("Q");
        assertArrayEquals(charge, history.getYData());
        CategoryChart histogram = assertInstanceOf(CategoryChart.class, figure(figures, "topological_charge_histogram").chart());
        var bars = histogram.getSeriesMap().values().iterator().next();
        assertEquals(List.of("-2", "-1", "0", "1"), new ArrayList<>(bars.getXData()));
        assertEquals(List.of(1, 0, 3, 3), new ArrayList<>(bars.getYData()), "charges rounded to the nearest integer");
        assertTrue(figure(figures, "plaquette_histogram").caption().contains("7 configurations, all distinct."));
    }

    @Test
    void theChargeHistoryDrawsThePlateausCornersOnly() {
        double[] charge = {0, 0, 0, 1, 1, 1, 1, -1, 2, 2, 2};
        double[][] path = ReportFigures.plateauCorners(charge);
        assertArrayEquals(new double[] {0, 2, 3, 6, 7, 8, 10}, path[0]);
        assertArrayEquals(new double[] {0, 0, 1, 1, -1, 2, 2}, path[1]);
        var figures = ReportFigures.of(report(described(null), List.of(), Map.of(Measurements.TOPOLOGICAL_CHARGE, charge), null));
        XYSeries history = ((XYChart) figure(figures, "topological_charge_history").chart()).getSeriesMap().get("Q");
        assertArrayEquals(path[0], history.getXData());
        assertArrayEquals(path[1], history.getYData());
    }

    /**
     * A long history keeps, per pixel column, the first, lowest, highest and last point, in order: a subsequence with
     * every column's extremes and both ends, at most four points per column; a short one is left whole.
     */
    @Test
    void aLongHistoryKeepsEachPixelColumnsExtremes() {
        var random = new java.util.Random(4);
        int n = 100_000, columns = 200;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 3 + random.nextInt(3);
            y[i] = (i > 0 ? y[i - 1] : 0) + random.nextGaussian();
        }
        double[][] kept = ReportFigures.columnExtremes(new double[][] {x, y}, columns);
        assertTrue(kept[0].length <= 4 * columns, kept[0].length + " points");
        assertEquals(x[0], kept[0][0]);
        assertEquals(x[n - 1], kept[0][kept[0].length - 1]);
        int at = 0;
        for (int k = 0; k < kept[0].length; k++) {
            while (x[at] != kept[0][k]) at++; // a subsequence: each kept point is a point of the path, in order
            assertEquals(y[at], kept[1][k]);
        }
        double width = x[n - 1] - x[0];
        double[] lowest = new double[columns], highest = new double[columns], keptLowest = new double[columns], keptHighest = new double[columns];
        java.util.Arrays.fill(lowest, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(keptLowest, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(highest, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(keptHighest, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            int c = Math.min(columns - 1, (int) ((x[i] - x[0]) / width * columns));
            lowest[c] = Math.min(lowest[c], y[i]);
            highest[c] = Math.max(highest[c], y[i]);
        }
        for (int k = 0; k < kept[0].length; k++) {
            int c = Math.min(columns - 1, (int) ((kept[0][k] - x[0]) / width * columns));
            keptLowest[c] = Math.min(keptLowest[c], kept[1][k]);
            keptHighest[c] = Math.max(keptHighest[c], kept[1][k]);
        }
        assertArrayEquals(lowest, keptLowest, "each column's lowest point");
        assertArrayEquals(highest, keptHighest, "each column's highest point");
        double[][] shortPath = {java.util.Arrays.copyOf(x, 4 * columns), java.util.Arrays.copyOf(y, 4 * columns)};
        assertTrue(ReportFigures.columnExtremes(shortPath, columns) == shortPath, "a short path is drawn whole");
    }

    @Test
    void thePlateausCornersDrawTheSameLineAsEveryPoint() {
        // A chain that mostly repeats its charge: every configuration's point lies on the kept polyline.
        var random = new java.util.Random(3);
        double[] charge = new double[5000];
        for (int i = 1; i < charge.length; i++) charge[i] = random.nextDouble() < 0.05 ? random.nextInt(7) - 3 : charge[i - 1];
        double[][] path = ReportFigures.plateauCorners(charge);
        assertTrue(path[0].length < charge.length / 4, path[0].length + " points kept");
        assertEquals(0, path[0][0]);
        assertEquals(charge.length - 1, path[0][path[0].length - 1]);
        int segment = 0;
        for (int i = 0; i < charge.length; i++) {
            while (path[0][segment + 1] < i) segment++;
            double x0 = path[0][segment], x1 = path[0][segment + 1], y0 = path[1][segment], y1 = path[1][segment + 1];
            // on the segment from (x0, y0) to (x1, y1): its end, or a point of a horizontal one
            boolean onIt = i == x0 ? charge[i] == y0 : i == x1 ? charge[i] == y1 : y0 == y1 && charge[i] == y0;
            assertTrue(onIt, "configuration " + i);
        }
    }
}
