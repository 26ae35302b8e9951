package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.equiflow.io.Checkpoint;
import org.equiflow.testing.Repository;
import org.equiflow.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run lifecycle through the Java API: resumption, refusals, listeners, typed failures. */
class FlowApiTest {
    private static final Path TUTORIAL = Repository.root().resolve("examples/phi4_tutorial.flow");
    private static final Map<String, String> SMALL = Map.of("T.lattice", "[4,4]");

    private static Flow tutorial(Path directory) throws Exception {
        return Session.open(TUTORIAL, SMALL).flow("realnvp").at(directory);
    }

    /**
     * A sampling run that fails after its arrays started for disk (here its listener throws once the chain is measured)
     * leaves the previous result as it was: the staged directory it was writing into is gone, with no half-written file.
     */
    @Test
    void aSamplingRunThatFailsAfterTheDrawLeavesThePreviousResult(@TempDir Path runs) throws Exception {
        Path directory = runs.resolve("run");
        Flow flow = tutorial(directory);
        flow.train(TrainingOptions.builder().steps(2).batch(8).build());
        flow.sample(SamplingOptions.builder().count(256).batch(64).build());
        Path committed = directory.resolve(RunDirectory.CURRENT).toRealPath();
        byte[] ensemble = Files.readAllBytes(directory.resolve("ensemble.npy"));
        byte[] sidecar = Files.readAllBytes(directory.resolve("ensemble.json"));
        final class Refused extends RuntimeException {}
        assertThrows(Refused.class, () -> flow.sample(SamplingOptions.builder().count(4096).batch(64).seed(9).build(),
                new SamplingListener() {
                    @Override
                    public void measured(SamplingResult result) {
                        throw new Refused();
                    }
                }));
        assertEquals(committed, directory.resolve(RunDirectory.CURRENT).toRealPath());
        assertArrayEquals(ensemble, Files.readAllBytes(directory.resolve("ensemble.npy")));
        assertArrayEquals(sidecar, Files.readAllBytes(directory.resolve("ensemble.json")));
        try (var results = Files.list(directory.resolve(RunDirectory.RESULTS))) {
            assertEquals(List.of(committed.getFileName()), results.map(Path::getFileName).toList(), "the staged result was discarded");
        }
        try (var files = Files.walk(directory)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".partial")).toList());
        }
    }

    @Test
    void aResumedRunEndsWithTheWeightsOfTheUninterruptedOne(@TempDir Path runs) throws Exception {
        var straight = tutorial(runs.resolve("straight")).train(TrainingOptions.builder().steps(12).batch(8).checkpointEvery(4).build());
        Flow interrupted = tutorial(runs.resolve("interrupted"));
        interrupted.train(TrainingOptions.builder().steps(5).batch(8).checkpointEvery(4).build());
        var resumed = interrupted.train(TrainingOptions.builder().steps(12).resume(true).checkpointEvery(4).build());
        assertEquals(5, resumed.firstStep());
        assertEquals(12, resumed.history().size(), "the history continues the interrupted run's");
        var a = Checkpoint.load(straight.checkpoint());
        var b = Checkpoint.load(resumed.checkpoint());
        assertEquals(a.parameters().keySet(), b.parameters().keySet());
        for (String name : a.parameters().keySet()) assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
        assertEquals(straight.finalLoss(), resumed.finalLoss());
    }

    /**
     * The tutorial trained with AdamW, a warm-up, a cosine schedule and gradient clipping, stopped
     * by its listener after step 5 of its planned 12 (as if killed) and resumed with nothing but
     * --resume: the weights and losses of the uninterrupted run, since every schedule is a
     * function of the step and the checkpoint recorded the settings, the cosine's length included.
     */
    @Test
    void aResumedRunWithSchedulesEndsWithTheWeightsOfTheUninterruptedOne(@TempDir Path runs) throws Exception {
        Path script = Files.writeString(runs.resolve("scheduled.flow"), Files.readString(TUTORIAL)
                .replace("optimizer adam(lr = 1e-3)", "optimizer adamw(lr = 1e-2, weight_decay = 0.1)  lr_schedule cosine(floor = 0.1)"
                        + "  warmup 3  clip_grad_norm 1.0")
                .replace("steps     2500", "steps 12"));
        var options = TrainingOptions.builder().batch(8).checkpointEvery(1).build();
        var straight = Session.open(script, SMALL).flow("realnvp").at(runs.resolve("straight")).train(options);
        Flow interrupted = Session.open(script, SMALL).flow("realnvp").at(runs.resolve("interrupted"));
        final class Interruption extends RuntimeException {}
        assertThrows(Interruption.class, () -> interrupted.train(options, new TrainingListener() {
            @Override public void stepped(Trainer.Step step) { if (step.step() == 5) throw new Interruption(); }
        }));
        assertEquals(5, Checkpoint.load(interrupted.checkpoint()).trainingStep(), "the checkpoint of the last whole step");
        var resumed = interrupted.train(TrainingOptions.builder().resume(true).checkpointEvery(1).build());
        assertEquals(5, resumed.firstStep());
        var a = Checkpoint.load(straight.checkpoint());
        var b = Checkpoint.load(resumed.checkpoint());
        assertEquals(12, b.trainingStep());
        for (String name : a.parameters().keySet()) assertArrayEquals(a.parameters().get(name), b.parameters().get(name), name);
        assertEquals(straight.history().stream().map(Trainer.Step::loss).toList(), resumed.history().stream().map(Trainer.Step::loss).toList());
        // The schedule acted: clipping at norm 1 with lr 1e-2 clips some of the first steps.
        assertTrue(straight.history().stream().anyMatch(Trainer.Step::clipped), "no step was clipped");
    }

    @Test
    void aTrainedRunIsNeitherOverwrittenNorContradicted(@TempDir Path runs) throws Exception {
        Flow flow = tutorial(runs.resolve("run"));
        flow.train(TrainingOptions.builder().steps(2).batch(8).seed(3).build());
        byte[] checkpoint = Files.readAllBytes(flow.checkpoint());
        var refused = assertThrows(RunFailure.class, () -> flow.train(TrainingOptions.builder().steps(2).batch(8).build()));
        assertTrue(refused.getMessage().contains("already holds a trained run"), refused.getMessage());
        var contradicted = assertThrows(InvalidSettingException.class,
                () -> flow.train(TrainingOptions.builder().steps(4).seed(4).resume(true).build()));
        assertTrue(contradicted.getMessage().contains("contradicts the run being resumed"), contradicted.getMessage());
        assertArrayEquals(checkpoint, Files.readAllBytes(flow.checkpoint()), "a refused run leaves the checkpoint as it was");
        var replaced = flow.train(TrainingOptions.builder().steps(2).batch(8).seed(4).force(true).build());
        assertEquals(4, Checkpoint.load(replaced.checkpoint()).seed());
    }

    @Test
    void aListenerHearsThePlanEveryStepAndTheEnd(@TempDir Path runs) throws Exception {
        List<String> heard = new ArrayList<>();
        var result = tutorial(runs.resolve("run")).train(TrainingOptions.builder().steps(3).batch(8).build(), new TrainingListener() {
            @Override public void started(Start start) { heard.add("started " + start.firstStep() + "→" + start.steps() + " batch " + start.batch()); }
            @Override public void stepped(Trainer.Step step) { heard.add("step " + step.step()); }
            @Override public void ended() { heard.add("ended"); }
            @Override public void finished(TrainingResult r) { heard.add("finished " + r.stepsTaken()); }
        });
        assertEquals(List.of("started 0→3 batch 8", "step 0", "step 1", "step 2", "ended", "finished 3"), heard);
        assertFalse(result.diverged());
    }

    @Test
    void sampleWithoutATrainedFlowSaysSoAndCreatesNothing(@TempDir Path runs) throws Exception {
        Flow flow = tutorial(runs.resolve("never-trained"));
        var failure = assertThrows(RunFailure.class, () -> flow.sample(SamplingOptions.defaults()));
        assertTrue(failure.getMessage().startsWith("no trained flow at "), failure.getMessage());
        assertFalse(Files.exists(runs.resolve("never-trained")), "no run directory is made for nothing");
    }

    @Test
    void aScriptWithErrorsCarriesItsDiagnostics(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("broken.flow"), "theory T = no_such_theory(lattice = [4, 4])\n");
        var failure = assertThrows(ScriptException.class, () -> Session.open(script));
        assertFalse(failure.compiled().ok());
        assertTrue(failure.rendered().contains("no_such_theory"), failure.rendered());
    }

    @Test
    void aScriptValueOutOfRangeNamesTheSetting(@TempDir Path runs) throws Exception {
        var failure = assertThrows(InvalidSettingException.class, () -> tutorial(runs.resolve("run")).train(TrainingOptions.builder().batch(0).build()));
        assertEquals("--batch must be between 1 and " + Limits.MAX_BATCH + ", got 0", failure.getMessage());
    }
}
