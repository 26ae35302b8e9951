package org.equiflow.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class RunReportTest {

    @TempDir
    Path dir;

    private static RunReport report(double[] correlatorErrors) {
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (int step = 0; step <= 200; step += 10) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", step);
            row.put("loss", -10 - 5 * Math.exp(-step / 50.0));
            row.put("ess", 0.1 + 0.5 * (1 - Math.exp(-step / 80.0)));
            row.put("acceptance", 0.2 + 0.4 * (1 - Math.exp(-step / 80.0)));
            row.put("seconds", step * 0.01);
            metrics.add(row);
        }
        metrics.get(3).put("note", "lr drop, then \"warm\" restart");
        Map<String, Object> magnetization = new LinkedHashMap<>();
        magnetization.put("observable", "|M|");
        magnetization.put("value", 0.412345);
        magnetization.put("error", 0.00123);
        magnetization.put("tau_int", 1.7);
        Map<String, Object> susceptibility = new LinkedHashMap<>();
        susceptibility.put("observable", "chi");
        susceptibility.put("value", 12.3456);
        susceptibility.put("error", 0.25);
        susceptibility.put("tau_int", 2.25);

        Random random = new Random(7);
        double[] samples = new double[2000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (random.nextBoolean() ? 0.5 : -0.5) + 0.1 * random.nextGaussian();
        }
        double[] t = {0, 1, 2, 3, 4, 5, 6, 7};
        double[] g = new double[t.length];
        for (int i = 0; i < t.length; i++) g[i] = Math.cosh(0.6 * (t[i] - 4));
        double[] mass = new double[t.length];
        java.util.Arrays.fill(mass, 0.6);
        return new RunReport(RunDescription.titled("phi4 8x8"), metrics, List.of(), List.of(magnetization, susceptibility),
                Map.of("magnetization", samples), new RunReport.Correlator(t, g, correlatorErrors, mass, new double[t.length]),
                List.of(), List.of(), List.of());
    }

    @Test
    void writesCsvSummaryAndEveryPlotAsPngAndSvg() throws Exception {
        List<Path> written = report(new double[] {0.01, 0.02, 0.02, 0.03, 0.03, 0.03, 0.02, 0.02}).write(dir);

        DocumentBuilderFactory svgParser = DocumentBuilderFactory.newInstance();
        // The SVG declares the W3C DTD; fetching it would need the network, and well-formedness does not.
        svgParser.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        List<String> names = written.stream().map(path -> path.getFileName().toString()).toList();
        assertEquals(List.of("metrics.csv", "summary.md", "loss.png", "loss.svg", "ess_acceptance.png",
                "ess_acceptance.svg", "correlator.png", "correlator.svg", "effective_mass.png", "effective_mass.svg",
                "magnetization_histogram.png", "magnetization_histogram.svg", "index.html"), names);
        for (Path file : written) {
            assertTrue(Files.size(file) > 0, file + " is empty");
            if (file.toString().endsWith(".png")) {
                BufferedImage image = ImageIO.read(file.toFile());
                assertEquals(800, image.getWidth(), file.toString());
                assertEquals(500, image.getHeight(), file.toString());
            } else if (file.toString().endsWith(".svg")) {
                Document svg = svgParser.newDocumentBuilder().parse(file.toFile());
                assertEquals("svg", svg.getDocumentElement().getTagName(), file.toString());
                assertTrue(svg.getElementsByTagName("*").getLength() > 20, file + " has hardly any drawing in it");
            }
        }
    }

    @Test
    void figuresDrawnInParallelHaveTheBytesOfOneThread() throws Exception {
        RunReport report = report(new double[] {0.01, 0.02, 0.02, 0.03, 0.03, 0.03, 0.02, 0.02});
        List<Path> written = report.write(dir);
        List<ReportFigures.Figure> figures = ReportFigures.of(report);
        String page = Files.readString(dir.resolve("index.html"));
        List<byte[]> pagePngs = new ArrayList<>();
        for (ReportFigures.Figure figure : figures) {
            // Each chart drawn alone, in the order write() draws it: PNG, SVG, then the page's image.
            java.io.ByteArrayOutputStream svg = new java.io.ByteArrayOutputStream();
            byte[] png = org.knowm.xchart.BitmapEncoder.getBitmapBytes(figure.chart(), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
            org.knowm.xchart.VectorGraphicsEncoder.saveVectorGraphic(figure.chart(), svg,
                    org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            byte[] pagePng = HtmlReport.png(figure.chart());
            pagePngs.add(pagePng);
            org.junit.jupiter.api.Assertions.assertArrayEquals(png, Files.readAllBytes(dir.resolve(figure.name() + ".png")), figure.name());
            org.junit.jupiter.api.Assertions.assertArrayEquals(svg.toByteArray(), Files.readAllBytes(dir.resolve(figure.name() + ".svg")),
                    figure.name());
            assertTrue(page.contains("base64," + java.util.Base64.getEncoder().encodeToString(pagePng) + "\""), figure.name() + " in the page");
        }
        // (A chart's drawing depends on the one before it, so the page is compared with these images, drawn in that order.)
        assertEquals(HtmlReport.render(report, figures, pagePngs), page);
    }

    @Test
    void csvParsesBackToTheRows() throws IOException {
        RunReport report = report(new double[8]);
        report.write(dir);
        List<List<String>> parsed = parseCsv(Files.readString(dir.resolve("metrics.csv")));
        assertEquals(List.of("step", "loss", "ess", "acceptance", "seconds", "note"), parsed.get(0));
        assertEquals(report.trainingMetrics().size() + 1, parsed.size());
        for (int i = 0; i < report.trainingMetrics().size(); i++) {
            Map<String, Object> row = report.trainingMetrics().get(i);
            List<String> cells = parsed.get(i + 1);
            assertEquals(row.get("step"), Integer.parseInt(cells.get(0)));
            assertEquals((double) row.get("loss"), Double.parseDouble(cells.get(1)));
            assertEquals(row.getOrDefault("note", ""), cells.get(5));
        }
    }

    @Test
    void summaryQuotesValuesToTheirErrorsPrecision() throws IOException {
        report(new double[8]).write(dir);
        String summary = Files.readString(dir.resolve("summary.md"));
        assertTrue(summary.startsWith("# phi4 8x8\n"), summary);
        assertTrue(summary.contains("| observable | value ± error | tau_int |"), summary);
        assertTrue(summary.contains("| \\|M\\| | 0.4123 ± 0.0012 | 1.700 |"), summary);
        assertTrue(summary.contains("| chi | 12.35 ± 0.25 | 2.250 |"), summary);
        assertEquals("3.1 ± 2.0", RunReport.valueWithError(3.14159, 2.0));
    }

    @Test
    void summaryListsWhatWasRun() throws IOException {
        var description = new RunDescription("phi4 8x8", RunDescription.FLOW, "examples/t.flow", "theory T = …", Map.of("T.m2", "-4.0"),
                Map.of("T.m2", "-4.0"), Map.of("training", "1234", "sampling", "1"), Map.of("method", "independence_metropolis"),
                Map.of("batch", "64", "lr", "0.001"), Map.of("sampling", "0.5 s"));
        RunReport base = report(new double[8]);
        new RunReport(description, base.trainingMetrics(), base.sampler(), base.observables(), base.series(), base.correlator(),
                base.profiles(), base.comparisons(), base.notes()).write(dir);
        String summary = Files.readString(dir.resolve("summary.md"));
        for (String line : List.of("Flow run of `examples/t.flow`", "## Theory parameters", "| T.m2 | -4.0 |", "## --set values",
                "## Seeds", "| training | 1234 |", "| sampling | 1 |", "## Sampler settings", "## Training settings", "| lr | 0.001 |",
                "## Wall time", "| sampling | 0.5 s |")) {
            assertTrue(summary.contains(line), line + " in\n" + summary);
        }
    }

    /** Regression: with these samples the last bin edge rounded below its neighbour and the area plot refused it. */
    @Test
    void histogramSurvivesBinEdgeRounding() throws IOException {
        Random random = new Random(1);
        double[] samples = new double[2000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (random.nextBoolean() ? 0.5 : -0.5) + 0.1 * random.nextGaussian();
        }
        List<Path> written = new RunReport(RunDescription.titled("histogram only"), List.of(), List.of(), List.of(),
                Map.of("magnetization", samples), null, List.of(), List.of(), List.of()).write(dir);
        assertTrue(written.contains(dir.resolve("magnetization_histogram.png")), written.toString());
        assertEquals(800, ImageIO.read(dir.resolve("magnetization_histogram.png").toFile()).getWidth());
    }

    /** Minimal RFC 4180 reader: quoted cells may contain commas and doubled quotes. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ',' && !quoted) {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else {
                    cell.append(c);
                }
            }
            cells.add(cell.toString());
            rows.add(cells);
        }
        return rows;
    }
}
