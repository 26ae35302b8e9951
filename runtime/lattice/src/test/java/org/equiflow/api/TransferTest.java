package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.equiflow.io.Checkpoint;
import org.equiflow.optim.LearningRateSchedule;
import org.equiflow.testing.Repository;
import org.equiflow.train.Losses;
import org.equiflow.train.Trainer;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfer learning ({@code TrainingOptions.from}, {@code equiflow train --from}): a new run starts
 * from another run's parameters at other couplings or on another lattice size, refuses another
 * architecture by name, leaves the source as it was and records where it started.
 */
class TransferTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final int BATCH = 8;

    private static Flow tutorial(Map<String, String> overrides, Path directory) throws Exception {
        return Session.open(TUTORIAL, overrides).flow("realnvp").at(directory);
    }

    private static TrainingOptions.Builder steps(int steps) {
        return TrainingOptions.builder().steps(steps).batch(BATCH).seed(11);
    }

    /**
     * The first loss of a run started from {@code source} at the workspace's theory, computed here
     * independently of Training: a fresh flow for the new theory, the source's weights assigned, and
     * the trainer's first step with the run's seed (the loss is evaluated before the update).
     */
    private static double sourceLossOnNewTheory(Flow target, Path source, long seed) throws Exception {
        var ws = target.workspace();
        var flow = new CompiledFlow(ws.ir(), Precision.F32.dtypeOnCurrentBackend(), 99);
        Checkpoint.load(source.resolve("checkpoint.eqf")).parameters().forEach((name, values) -> flow.parameters().assign(name, values));
        var adam = Trainer.adamFor(flow, new LearningRateSchedule(1e-3, 1.0), 0.9, 0.999, 1e-8);
        return new Trainer(flow, adam, seed, Losses.named("reverse_kl")).step(0, BATCH).loss();
    }

    @Test
    void aRunAtANeighbouringCouplingStartsFromTheSourcesParameters(@TempDir Path runs) throws Exception {
        Path source = runs.resolve("lambda7");
        tutorial(Map.of("T.lattice", "[4,4]", "T.lambda", "7.0"), source).train(steps(6).build());
        Flow target = tutorial(Map.of("T.lattice", "[4,4]"), runs.resolve("lambda8"));
        var transferred = target.train(steps(1).from(source).build());
        double expected = sourceLossOnNewTheory(target, source, 11);
        assertEquals(expected, transferred.history().get(0).loss(), 1e-9 * Math.abs(expected),
                "the first loss is the source flow's loss on the new theory");
        var scratch = tutorial(Map.of("T.lattice", "[4,4]"), runs.resolve("scratch")).train(steps(1).build());
        assertNotEquals(scratch.history().get(0).loss(), transferred.history().get(0).loss(), "from scratch starts elsewhere");
        // The optimizer started fresh: one step of moments, not the source's six.
        assertEquals(1, Checkpoint.load(transferred.checkpoint()).adam().step());
    }

    @Test
    void theTutorialFlowTrainedOnEightByEightStartsASixteenBySixteenRun(@TempDir Path runs) throws Exception {
        Path source = runs.resolve("L8");
        tutorial(Map.of(), source).train(steps(2).build());
        Flow target = tutorial(Map.of("T.lattice", "[16,16]"), runs.resolve("L16"));
        List<String> heard = new ArrayList<>();
        var transferred = target.train(steps(1).from(source).build(), new TrainingListener() {
            @Override public void started(Start start) { heard.add(start.startedFrom()); }
        });
        var checkpoint = Checkpoint.load(transferred.checkpoint());
        assertEquals(List.of(16, 16), checkpoint.lattice());
        assertEquals(Checkpoint.load(source.resolve("checkpoint.eqf")).parameterShapes().keySet(), checkpoint.parameterShapes().keySet());
        assertEquals(sourceLossOnNewTheory(target, source, 11), transferred.history().get(0).loss(), 1e-6);
        assertTrue(heard.get(0).contains("at step 2") && heard.get(0).contains("T.lattice [8,8] → [16,16]")
                && heard.get(0).contains("optimizer state fresh"), heard.get(0));
    }

    @Test
    void anotherArchitectureIsRefusedNamingEachParameterThatDiffers(@TempDir Path runs) throws Exception {
        Map<String, String> small = Map.of("T.lattice", "[4,4]");
        Path source = runs.resolve("source");
        tutorial(small, source).train(steps(1).build());
        String script = Files.readString(TUTORIAL);

        Path wide = Files.writeString(runs.resolve("wide.flow"), script.replace("hidden = [8, 8]", "hidden = [8, 16]"));
        Path wideRun = runs.resolve("wide");
        var widened = assertThrows(TransferException.class,
                () -> Session.open(wide, small).flow("realnvp").at(wideRun).train(steps(1).from(source).build()));
        assertEquals(TransferException.Problem.DIFFERENT_PARAMETERS, widened.problem());
        assertTrue(widened.getMessage().contains("layer0.net.conv1.weight: the source has [8, 8, 3, 3], this flow needs [16, 8, 3, 3]"),
                widened.getMessage());
        assertFalse(Files.exists(wideRun), "a refused transfer creates no run directory");

        Path shallow = Files.writeString(runs.resolve("shallow.flow"), script.replace("depth: int = 16", "depth: int = 4"));
        var shortened = assertThrows(TransferException.class,
                () -> Session.open(shallow, small).flow("realnvp").at(runs.resolve("shallow")).train(steps(1).from(source).build()));
        assertTrue(shortened.getMessage().contains("layer4.net.conv0.weight: the source has [8, 1, 3, 3], this flow has no such parameter"),
                shortened.getMessage());
    }

    @Test
    void aFlowForAnotherFieldKindIsRefused(@TempDir Path runs) throws Exception {
        Path gauge = runs.resolve("u1");
        Session.open(Repository.root().resolve("examples/u1_gauge.flow"), Map.of("G.lattice", "[4,4]")).flow("gauge_ncp").at(gauge)
                .train(TrainingOptions.builder().steps(1).batch(2).build());
        var refused = assertThrows(TransferException.class,
                () -> tutorial(Map.of("T.lattice", "[4,4]"), runs.resolve("phi4")).train(steps(1).from(gauge).build()));
        assertEquals(TransferException.Problem.DIFFERENT_PARAMETERS, refused.problem());
        assertTrue(refused.getMessage().contains("its flow `gauge_ncp` for G on [4, 4]"), refused.getMessage());
    }

    @Test
    void theSourceRunIsOnlyRead(@TempDir Path runs) throws Exception {
        Path source = runs.resolve("source");
        Flow sourceFlow = tutorial(Map.of("T.lattice", "[4,4]"), source);
        sourceFlow.train(steps(2).build());
        var before = contents(source);
        tutorial(Map.of("T.lattice", "[4,4]", "T.m2", "-3.8"), runs.resolve("target")).train(steps(2).from(source).build());
        // Its own directory as the source: refused before --force could replace it.
        var same = assertThrows(TransferException.class, () -> sourceFlow.train(steps(2).from(source).force(true).build()));
        assertEquals(TransferException.Problem.SAME_RUN, same.problem());
        var missing = assertThrows(TransferException.class,
                () -> tutorial(Map.of("T.lattice", "[4,4]"), runs.resolve("other")).train(steps(2).from(runs.resolve("nowhere")).build()));
        assertEquals(TransferException.Problem.NOT_A_RUN, missing.problem());
        var after = contents(source);
        assertEquals(before.keySet(), after.keySet(), "no file was added to or removed from the source");
        before.forEach((file, bytes) -> assertArrayEquals(bytes, after.get(file), file));
    }

    private static Map<String, byte[]> contents(Path directory) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) files.put(directory.relativize(p).toString(), Files.readAllBytes(p));
        }
        return files;
    }

    @Test
    void theNewRunRecordsWhereItStartedAndKeepsItWhenResumed(@TempDir Path runs) throws Exception {
        Path source = runs.resolve("source");
        tutorial(Map.of("T.lattice", "[4,4]", "T.lambda", "7.0"), source).train(steps(3).build());
        Flow target = tutorial(Map.of("T.lattice", "[4,4]"), runs.resolve("target"));
        target.train(steps(2).from(source).build());
        var recorded = Checkpoint.load(target.checkpoint()).provenance().training();
        assertEquals(source.toAbsolutePath().normalize().toString(), recorded.get("from_run"));
        assertEquals("3", recorded.get("from_step"));
        assertEquals("T.lattice=[4,4] T.m2=-4.0 T.lambda=7.0", recorded.get("from_theory"));
        assertEquals(sha256(source.resolve("checkpoint.eqf")), recorded.get("from_checkpoint_sha256"));
        assertEquals("fresh", recorded.get("from_optimizer_state"));

        var contradicted = assertThrows(InvalidSettingException.class, () -> target.train(steps(4).resume(true).from(source).build()));
        assertTrue(contradicted.getMessage().contains("--resume alone"), contradicted.getMessage());
        var resumed = target.train(TrainingOptions.builder().steps(4).resume(true).build());
        var kept = Checkpoint.load(resumed.checkpoint());
        assertEquals(4, kept.trainingStep());
        assertEquals(recorded.get("from_run"), kept.provenance().training().get("from_run"), "a resumed run still says where it started");

        var description = RunDescriptions.flow(target.workspace(), kept, resumed.history(),
                new RunDescriptions.FlowSampling("independence_metropolis", false, 1, 16, 16, 0, Precision.F32, 0.1));
        String startedFrom = description.training().get("started from");
        assertTrue(startedFrom != null && startedFrom.contains("at step 3") && startedFrom.contains("T.lambda 7.0 → 8.0"),
                String.valueOf(description.training()));
    }

    private static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
