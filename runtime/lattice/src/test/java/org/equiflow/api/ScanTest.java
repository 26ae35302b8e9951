package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.equiflow.testing.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scan runs each point once, skips finished points, redoes only what is missing, and tabulates every point. */
class ScanTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final TrainingOptions FEW_STEPS = TrainingOptions.builder().steps(4).batch(8).build();
    private static final SamplingOptions FEW_SAMPLES = SamplingOptions.builder().count(64).batch(32).build();

    /** What a scan did, as its listener heard it. */
    private static final class Heard implements Scan.Listener {
        final List<Scan.State> states = new ArrayList<>();
        int trainings, samplings;

        @Override public void point(Scan.Point point, Scan.State state, int index, int total) { states.add(state); }

        @Override public TrainingListener training(Scan.Point point) {
            return new TrainingListener() {
                @Override public void started(Start s) { trainings++; }
            };
        }

        @Override public SamplingListener sampling(Scan.Point point) {
            return new SamplingListener() {
                @Override public void started(Start s) { samplings++; }
            };
        }
    }

    private static Scan tinyScan(Path out) throws Exception {
        return Scan.open(TUTORIAL, Scan.parse(List.of("T.m2=-3,-4", "T.lattice=[4,4]")), "realnvp", out, false);
    }

    private static FileTime modified(Path file) throws Exception {
        return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aScanRunsEachPointOnceThenOnlyWhatIsMissing(@TempDir Path out) throws Exception {
        Scan scan = tinyScan(out);
        assertEquals(List.of(out.resolve("T.lattice=4x4,T.m2=-3"), out.resolve("T.lattice=4x4,T.m2=-4")),
                scan.points().stream().map(Scan.Point::runDirectory).toList(), "each point in the directory named after its --set values");
        var first = new Heard();
        var result = scan.run(FEW_STEPS, FEW_SAMPLES, first);
        assertEquals(List.of(Scan.State.NEW, Scan.State.NEW), first.states);
        assertEquals(2, first.trainings);
        assertEquals(2, first.samplings);
        assertEquals(out.resolve("scan-T.lattice=4x4,T.m2=-3_-4"), result.directory());
        List<String> csv = Files.readAllLines(result.directory().resolve("scan.csv"));
        assertEquals(3, csv.size(), "a header and one row per point: " + csv);
        assertTrue(csv.get(0).startsWith("T.m2,training_step,acceptance,ess,magnetization,magnetization_error,susceptibility,"), csv.get(0));
        assertTrue(csv.get(1).startsWith("-3,4,") && csv.get(2).startsWith("-4,4,"), csv.toString());
        assertTrue(Files.isRegularFile(result.directory().resolve("susceptibility.png")), "one scanned parameter: a plot per observable");
        assertTrue(result.markdown().contains("| T.m2 | steps | acceptance | ESS | magnetization | susceptibility |"), result.markdown());

        Path[] points = scan.points().stream().map(Scan.Point::runDirectory).toArray(Path[]::new);
        FileTime checkpoint0 = modified(points[0].resolve("checkpoint.eqf")), result0 = modified(points[0].resolve("result"));
        FileTime checkpoint1 = modified(points[1].resolve("checkpoint.eqf"));
        var again = new Heard();
        var rerun = tinyScan(out).run(FEW_STEPS, FEW_SAMPLES, again);
        assertEquals(List.of(Scan.State.FINISHED, Scan.State.FINISHED), again.states);
        assertEquals(0, again.trainings + again.samplings, "a finished scan neither trains nor samples");
        assertEquals(checkpoint0, modified(points[0].resolve("checkpoint.eqf")));
        assertEquals(result0, modified(points[0].resolve("result")));
        assertEquals(csv, Files.readAllLines(rerun.directory().resolve("scan.csv")), "the table is read back from the committed results");

        Files.delete(points[1].resolve("result"));
        var redo = new Heard();
        tinyScan(out).run(FEW_STEPS, FEW_SAMPLES, redo);
        assertEquals(List.of(Scan.State.FINISHED, Scan.State.SAMPLE), redo.states);
        assertEquals(0, redo.trainings, "a trained point without a result is sampled, not trained again");
        assertEquals(1, redo.samplings);
        assertEquals(checkpoint1, modified(points[1].resolve("checkpoint.eqf")));
        assertEquals(result0, modified(points[0].resolve("result")), "the finished point is left as it was");
        assertTrue(Files.isRegularFile(points[1].resolve("result/ensemble.json")));

        var further = new Heard();
        var longer = tinyScan(out).run(TrainingOptions.builder().steps(6).build(), FEW_SAMPLES, further);
        assertEquals(List.of(Scan.State.RESUME, Scan.State.RESUME), further.states, "more --steps than the points were trained: resumed");
        assertTrue(Files.readAllLines(longer.directory().resolve("scan.csv")).get(1).startsWith("-3,6,"));
        var otherCount = new Heard();
        tinyScan(out).run(TrainingOptions.builder().steps(6).build(), SamplingOptions.builder().count(32).batch(32).build(), otherCount);
        assertEquals(List.of(Scan.State.SAMPLE, Scan.State.SAMPLE), otherCount.states, "another --count is another result: sampled again");
        assertEquals(0, otherCount.trainings);
    }

    @Test
    void scanSettingsThatCannotBeScannedAreRefusedBeforeAnythingRuns(@TempDir Path out) throws Exception {
        for (var settings : List.of(List.<String>of(), List.of("T.m2="), List.of("T.m2=-3,,-4"), List.of("T.m2=-3,minus4"),
                List.of("T.m2=-3,-3.0"), List.of("T.m2=-3", "T.m2=-4"), List.of("=-3,-4"), List.of("T.m2"), List.of("T.m2=-3,NaN"))) {
            assertThrows(InvalidSettingException.class, () -> Scan.parse(settings), settings.toString());
        }
        assertEquals(List.of(new Scan.Parameter("T.m2", List.of("-3", "-4")), new Scan.Parameter("T.lattice", List.of("[4, 4]"))),
                Scan.parse(List.of("T.m2=-3,-4", "T.lattice=[4, 4]")));
        var refused = assertThrows(ScriptException.class,
                () -> Scan.open(TUTORIAL, Scan.parse(List.of("T.nosuch=1,2")), null, out, false));
        assertFalse(refused.compiled().ok());
        assertFalse(Files.exists(out.resolve("T.nosuch=1")), "a point the script refuses stops the scan before anything is made");
        var forced = assertThrows(InvalidSettingException.class, () -> tinyScan(out).run(TrainingOptions.builder().force(true).build(),
                FEW_SAMPLES, new Scan.Listener() {}));
        assertTrue(forced.getMessage().contains("never replaces"), forced.getMessage());
    }
}
