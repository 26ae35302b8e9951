package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.equiflow.io.HtmlReport;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report page of real runs (a trained and sampled φ⁴ flow, HMC on U(1)) rendered by headless Chromium: the
 * screenshot must show a page, not a blank one, and Chromium must log no console message about it. Without Chromium
 * the test is skipped, unless the environment variable CI is set (CI installs it: .ci/run), where it fails.
 * The screenshots are kept in target/html-report/ to look at.
 */
class HtmlReportRenderingTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final Path SCREENSHOTS = Path.of("target", "html-report");

    @Test
    void aFlowRunsPageRendersWithEveryPart(@TempDir Path runs) throws Exception {
        Path chromium = chromium();
        Session session = Session.open(TUTORIAL, Map.of("T.lattice", "[4,4]"));
        Flow flow = session.flow("realnvp").at(runs.resolve("flow"));
        flow.train(TrainingOptions.builder().steps(30).batch(16).build());
        SamplingResult sampled = flow.sample(SamplingOptions.builder().count(256).batch(64).build());
        Path page = sampled.reportDirectory().resolve(HtmlReport.FILE);
        String html = Files.readString(page);

        assertSelfContained(html);
        for (String part : List.of("Flow run", "Script", "T.lattice", "T.m2", "T.lambda", "Seeds", "training", "sampling",
                "Training settings", "lr", "steps trained", "precision", "Wall time", "Results", "susceptibility", "τ_int",
                "Profiles", "two_point_axis0.csv", "Zero-momentum correlator", "Effective mass", "1/B floor (B = 16)",
                "running mean", "configurations, ")) {
            assertTrue(html.contains(HtmlReport.escape(part)), part + " is missing from the page");
        }
        assertTrue(html.contains(HtmlReport.escape("sample realnvp {")), "the script is on the page");
        assertFalse(html.contains("id=\"comparison\""), "no comparison rows, no comparison section");
        assertRendersCleanly(chromium, page, "flow");
    }

    @Test
    void anHmcRunsPageOfAU1TheoryShowsTheChargeAndPlaquette(@TempDir Path dir) throws Exception {
        Path chromium = chromium();
        Path script = dir.resolve("u1.flow");
        Files.writeString(script, "use std.theories.u1\n// markup in a comment: <b>not bold</b> & \"quoted\"\ntheory G = u1(lattice = [4, 4], beta = 1.0)\n");
        HmcResult result = Session.open(script, Map.of("G.beta", "1.5"))
                .hmc(HmcOptions.builder().trajectories(60).thermalize(10).chains(2).mdSteps(4).seed(3).out(dir.resolve("run")).build());
        Path page = result.reportDirectory().resolve(HtmlReport.FILE);
        String html = Files.readString(page);

        assertSelfContained(html);
        assertTrue(html.contains("&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot;"), "the script is escaped");
        assertFalse(html.contains("<b>not bold</b>"));
        for (String part : List.of("HMC run", "G.beta", "1.5", "--set values", "hmc", "leapfrog", "md steps", "chains",
                "Topological charge history", "Topological charge Q", "Plaquette", "topological_susceptibility")) {
            assertTrue(html.contains(HtmlReport.escape(part)), part + " is missing from the page");
        }
        // std u1 on a 2D torus has an exact answer: the page compares with it, the exact ⟨cos P⟩ at β = 1.5 on 4×4 included.
        assertTrue(html.contains("id=\"comparison\""), "a theory with an exact answer gets the comparison section");
        assertTrue(html.contains(HtmlReport.escape("the exact answer: 2D U(1) on the 4×4 torus at β = 1.5")), "the comparison names the exact answer");
        String exactPlaquette = String.format(java.util.Locale.ROOT, "%.4f", org.equiflow.physics.U1Exact.plaquette(1.5, 16));
        assertTrue(html.contains(exactPlaquette.substring(0, 5)), "the exact plaquette " + exactPlaquette + " is on the page");
        assertRendersCleanly(chromium, page, "hmc_u1");
    }

    /** No scripts, no stylesheets or fonts from elsewhere, every image inline. */
    private static void assertSelfContained(String html) {
        for (String external : List.of("http://", "https://", "<script", "<link", "@import", "url(", "<iframe")) {
            assertFalse(html.contains(external), "the page refers to something outside it: " + external);
        }
        Matcher sources = Pattern.compile("src=\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (sources.find()) {
            assertTrue(sources.group(1).startsWith("data:image/png;base64,"), "an image not embedded: " + sources.group(1));
            images++;
        }
        assertTrue(images > 0, "the page has no figures");
    }

    private static void assertRendersCleanly(Path chromium, Path page, String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path screenshot = SCREENSHOTS.resolve(name + ".png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Path profile = Files.createTempDirectory("chromium-profile");
        Path log = Files.createTempFile("chromium", ".log");
        String url = page.toAbsolutePath().toUri().toString();
        Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile, "--screenshot=" + screenshot,
                "--window-size=1200,3000", url)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("Chromium did not finish rendering " + url + "; its log:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), "Chromium failed on " + url + ":\n" + output);
        List<String> console = output.lines().filter(line -> line.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logged to the console:\n" + String.join("\n", console));

        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1200, image.getWidth());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0, pixels = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) nonWhite++;
                pixels++;
            }
        }
        assertTrue(colours.size() > 200, "the screenshot has only " + colours.size() + " colours: " + screenshot);
        assertTrue(nonWhite > pixels / 20, "the screenshot is almost blank (" + nonWhite + " of " + pixels + " pixels): " + screenshot);
    }

    /** Chromium, or skip; on CI (environment variable CI set) its absence fails instead. */
    private static Path chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (new File(candidate).canExecute()) return Path.of(candidate);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(File.pathSeparator)) {
                for (String name : List.of("chromium", "chromium-browser")) {
                    Path candidate = Path.of(directory, name);
                    if (Files.isExecutable(candidate)) return candidate;
                }
            }
        }
        if (System.getenv("CI") != null) fail("Chromium is not installed; CI installs it with .ci/run (Debian package chromium)");
        Assumptions.abort("Chromium is not installed: the HTML report is not rendered");
        return null;
    }
}
