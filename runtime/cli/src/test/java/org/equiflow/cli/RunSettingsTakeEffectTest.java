package org.equiflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings the checker accepts change what they claim to change: lr_decay, lr_schedule, warmup,
 * clip_grad_norm, adamw, log_every, thermalize, integrator, and flow_hmc's thermalize, step_size and target_acceptance.
 */
class RunSettingsTakeEffectTest {
    @TempDir
    Path dir;

    private Path script(String trainBlock, String sampleBlock) throws IOException {
        return TinyRuns.twoCouplings(dir, 2, """
                train f { batch 8  steps 6  seed 3  checkpoint_every 1 TRAIN }
                sample f { batch 16  measure magnetization, susceptibility, acceptance SAMPLE }
                """.replace("TRAIN", trainBlock).replace("SAMPLE", sampleBlock));
    }

    private static CliTest.Run train(Path script, Path out, String... extra) {
        var r = CliTest.run(TinyRuns.train(script, out, extra));
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static void assertSameParameters(Path a, Path b, boolean same) throws IOException {
        var x = Checkpoint.load(a.resolve("checkpoint.eqf")).parameters();
        var y = Checkpoint.load(b.resolve("checkpoint.eqf")).parameters();
        boolean equal = x.keySet().stream().allMatch(name -> Arrays.equals(x.get(name), y.get(name)));
        assertEquals(same, equal, "parameters of " + a + " and " + b);
    }

    @Test
    void lrDecayChangesTheTrainedFlowAndAResumedRunFollowsTheSameSchedule() throws IOException {
        Path constant = dir.resolve("constant"), decayed = dir.resolve("decayed"), resumed = dir.resolve("resumed");
        train(script("", ""), constant);
        Path withDecay = script("lr_decay 0.5", "");
        train(withDecay, decayed);
        assertSameParameters(constant, decayed, false);
        // Interrupted after 3 steps and resumed: step 3 uses lr · 0.5³ as the straight run did, so the flows agree bit for bit.
        train(withDecay, resumed, "--steps", "3");
        // --steps is the run's total: the resumed run is planned for 3 steps until told otherwise.
        train(withDecay, resumed, "--resume", "--steps", "6");
        assertSameParameters(decayed, resumed, true);
    }

    @Test
    void adamsBetasAndEpsChangeTheTrainedFlowAndAResumedRunKeepsThem() throws IOException {
        Path defaults = dir.resolve("defaults");
        train(script("", ""), defaults);
        for (String argument : new String[] {"beta1 = 0.5", "beta2 = 0.9", "eps = 0.1"}) {
            Path changed = dir.resolve(argument.replace(" = ", "_"));
            train(script("optimizer adam(lr = 1e-3, " + argument + ")", ""), changed);
            assertSameParameters(defaults, changed, false);
        }
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        String betas = "optimizer adam(lr = 1e-3, beta1 = 0.5, beta2 = 0.9, eps = 0.1)";
        train(script(betas, ""), straight);
        train(script(betas, ""), resumed, "--steps", "3");
        // The run keeps the optimizer it was started with, whatever the train block says now.
        train(script("", ""), resumed, "--resume", "--steps", "6");
        assertSameParameters(straight, resumed, true);
    }

    /**
     * Each optimisation setting changes the trained flow (6 steps of the tiny flow), and a run with
     * all of them interrupted after 3 steps and resumed ends bit for bit where the straight run
     * does. The cosine decay's length is the run's planned steps, so the interrupted run is planned
     * for 6 (the block's `steps`) and stopped by its checkpoint's step: it is the same run cut short.
     */
    @Test
    void eachOptimisationSettingChangesTheTrainedFlowAndAResumedRunFollowsThem() throws IOException {
        Path defaults = dir.resolve("defaults");
        train(script("", ""), defaults);
        // Each setting, and what the plan line then says about the run.
        String[][] settings = {{"lr_schedule cosine(floor = 0.1)", "× cosine to 0.1 over 6 steps"},
                {"lr_schedule step(every = 2, factor = 0.25)", "× 0.25^⌊t/2⌋"}, {"lr_schedule exponential(decay = 0.5)", "× 0.5^t"},
                {"warmup 3", "warm-up 3 steps"}, {"clip_grad_norm 0.01", "gradient norm clipped to 0.01"},
                {"optimizer adamw(lr = 1e-3, weight_decay = 5.0)", "adamw (weight decay 5.0)"}};
        for (String[] setting : settings) {
            Path changed = dir.resolve(setting[0].replaceAll("[^a-z0-9]+", "_"));
            var r = train(script(setting[0], ""), changed);
            assertSameParameters(defaults, changed, false);
            assertTrue(r.out().contains(setting[1]), setting[0] + ": " + r.out());
        }
        var clippedRun = CliTest.run(TinyRuns.train(script("clip_grad_norm 1e6", ""), dir.resolve("loose")));
        assertTrue(clippedRun.out().contains("gradient norm clipped to 1000000.0 in 0 of 6 steps"), clippedRun.out());
        // Clipping rewrites the step's gradient, not the recorded norm: the same first step, a norm above 0.01, clipped.
        var clippedRows = Files.readAllLines(dir.resolve("clip_grad_norm_0_01").resolve("metrics.csv"));
        var plainRows = Files.readAllLines(defaults.resolve("metrics.csv"));
        assertEquals("step,loss,ess,acceptance,grad_norm,clipped,seconds", plainRows.get(0));
        assertEquals(plainRows.get(1).substring(0, plainRows.get(1).lastIndexOf(',')).replaceAll(",0,?$", ""),
                clippedRows.get(1).substring(0, clippedRows.get(1).lastIndexOf(',')).replaceAll(",1,?$", ""));
        for (String row : clippedRows.subList(1, clippedRows.size())) {
            String[] cells = row.split(",");
            assertTrue(Double.parseDouble(cells[4]) > 0.01 && cells[5].equals("1"), row);
        }
        var tight = CliTest.run(TinyRuns.train(script("clip_grad_norm 0.01", ""), dir.resolve("tight")));
        assertTrue(tight.out().contains("gradient norm clipped to 0.01 in 6 of 6 steps"), tight.out());
        for (String row : plainRows.subList(1, plainRows.size())) assertEquals("0", row.split(",")[5], row);

        // Interrupted after 3 steps and resumed with a new total: warm-up, step decay, clipping and AdamW's decay are
        // functions of the step and the recorded settings, so the flows agree bit for bit. (The cosine's length is the
        // run's planned total, which this interruption changes; KilledRunTest kills a cosine run and resumes it.)
        String all = "optimizer adamw(lr = 1e-2, weight_decay = 0.5)  lr_schedule step(every = 2, factor = 0.5)  warmup 2  clip_grad_norm 0.5";
        Path straight = dir.resolve("straight"), resumed = dir.resolve("resumed");
        train(script(all, ""), straight);
        train(script(all, ""), resumed, "--steps", "3");
        // The run keeps what it was started with, whatever the train block says now.
        train(script("", ""), resumed, "--resume", "--steps", "6");
        assertSameParameters(straight, resumed, true);
        var stored = Checkpoint.load(resumed.resolve("checkpoint.eqf")).provenance().training();
        assertEquals("step", stored.get("lr_schedule"));
        assertEquals("2", stored.get("lr_step_every"));
        assertEquals("0.5", stored.get("lr_step_factor"));
        assertEquals("2", stored.get("warmup"));
        assertEquals("adamw", stored.get("optimizer"));
        assertEquals("0.5", stored.get("weight_decay"));
        assertEquals("0.5", stored.get("clip_grad_norm"));
    }

    @Test
    void logEverySetsTheStepsBetweenLogLines() throws IOException {
        for (int[] everyAndLines : new int[][] {{2, 3}, {4, 1}, {1, 6}}) {
            var r = train(script("log_every " + everyAndLines[0], ""), dir.resolve("log" + everyAndLines[0]));
            long lines = r.out().lines().filter(l -> l.startsWith("step ")).count();
            assertEquals(everyAndLines[1], lines, r.out());
        }
        var flag = train(script("log_every 2", ""), dir.resolve("flag"), "--log-every", "3");
        assertEquals(2, flag.out().lines().filter(l -> l.startsWith("step ")).count(), "--log-every overrides the script: " + flag.out());
    }

    @Test
    void thermalizeDropsTheFirstStatesOfTheChain() throws IOException {
        // The untrained flow: a checkpoint belongs to one script, and the two runs differ in their sample block.
        Path out = dir.resolve("run");
        var longChain = CliTest.run("sample", script("", "count 144").toString(), "--untrained", "--color=never", "--out", out.toString());
        assertEquals(0, longChain.exit(), longChain.err());
        var whole = Npy.read(out.resolve("ensemble.npy"));
        var thermalized = CliTest.run("sample", script("", "count 128  thermalize 16").toString(), "--untrained", "--color=never",
                "--out", out.toString());
        assertEquals(0, thermalized.exit(), thermalized.err());
        var kept = Npy.read(out.resolve("ensemble.npy"));
        assertArrayEquals(new int[] {128, 4, 4}, kept.shape());
        // Same seed, same proposals: the kept chain is the 144-step chain without its first 16 states.
        assertArrayEquals(Arrays.copyOfRange(whole.data(), 16 * 16, 144 * 16), kept.data());
        assertFalse(Arrays.equals(Arrays.copyOf(whole.data(), 128 * 16), kept.data()));
    }

    /**
     * `method flow_hmc`: thermalize drops the first trajectories of the same chain, and the step
     * size is the one integrated (a step 10 times larger, over the same 4 steps, accepts far less).
     */
    @Test
    void flowHmcThermalizesItsChainAndIntegratesWithItsStepSize() throws IOException {
        Path out = dir.resolve("flow_hmc");
        String method = "method flow_hmc  md_steps 4  integrator omelyan  ";
        var longChain = CliTest.run("sample", script("", method + "step_size 0.05  count 72").toString(), "--untrained", "--color=never",
                "--out", out.toString());
        assertEquals(0, longChain.exit(), longChain.err());
        var whole = Npy.read(out.resolve("ensemble.npy"));
        var thermalized = CliTest.run("sample", script("", method + "step_size 0.05  count 64  thermalize 8").toString(), "--untrained",
                "--color=never", "--out", out.toString());
        assertEquals(0, thermalized.exit(), thermalized.err());
        var kept = Npy.read(out.resolve("ensemble.npy"));
        assertArrayEquals(new int[] {64, 4, 4}, kept.shape());
        assertArrayEquals(Arrays.copyOfRange(whole.data(), 8 * 16, 72 * 16), kept.data());
        var large = CliTest.run("sample", script("", method + "step_size 0.5  count 64  thermalize 8").toString(), "--untrained",
                "--color=never", "--out", out.toString());
        assertEquals(0, large.exit(), large.err());
        assertTrue(thermalized.out().contains("64 trajectories after 8 discarded, flow_hmc"), thermalized.out());
        assertTrue(acceptance(thermalized) > acceptance(large) + 0.2, thermalized.out() + large.out());
    }

    /**
     * `target_acceptance`: the same chain from a step size that accepts next to nothing, tuned over
     * its 40 thermalization trajectories, keeps a smaller step that accepts far more, and says so.
     */
    @Test
    void targetAcceptanceTunesFlowHmcsStepSize() throws IOException {
        String method = "method flow_hmc  md_steps 4  integrator omelyan  step_size 3.0  count 64  thermalize 40  ";
        var fixed = CliTest.run("sample", script("", method).toString(), "--untrained", "--color=never", "--out", dir.resolve("fixed").toString());
        var tuned = CliTest.run("sample", script("", method + "target_acceptance 0.8").toString(), "--untrained", "--color=never",
                "--out", dir.resolve("tuned").toString());
        assertEquals(0, fixed.exit(), fixed.err());
        assertEquals(0, tuned.exit(), tuned.err());
        assertFalse(fixed.out().contains("step size tuned"), fixed.out());
        Matcher m = Pattern.compile("step size tuned to ([0-9.eE+-]+) \\(target acceptance 0\\.80; from 3\\.0 over the 40 thermalization").matcher(tuned.out());
        assertTrue(m.find(), tuned.out());
        assertTrue(Double.parseDouble(m.group(1)) < 3.0, tuned.out());
        assertTrue(acceptance(tuned) > acceptance(fixed) + 0.3, fixed.out() + tuned.out());
    }

    private static double acceptance(CliTest.Run r) {
        Matcher m = Pattern.compile("acceptance ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void theOmelyanIntegratorIsTheOneThatRuns() throws IOException {
        Path script = dir.resolve("hmc.flow");
        String text = """
                use std.theories.phi4
                theory Free = phi4(lattice = [4, 4], m2 = 1.25, lambda = 0.0)
                hmc Free { trajectories 100  thermalize 20  step_size 0.4  md_steps 2  integrator %s  measure phi2 }
                """;
        Files.writeString(script, text.formatted("leapfrog"));
        var leapfrog = CliTest.run("hmc", script.toString(), "--chains", "8", "--out", dir.resolve("leapfrog").toString());
        Files.writeString(script, text.formatted("omelyan"));
        var omelyan = CliTest.run("hmc", script.toString(), "--chains", "8", "--out", dir.resolve("omelyan").toString());
        assertEquals(0, leapfrog.exit(), leapfrog.err());
        assertEquals(0, omelyan.exit(), omelyan.err());
        // At the same step (0.4, within leapfrog's stability limit 2/ω_max ≈ 0.47) Omelyan's energy error is several times
        // smaller: it accepts ≈ 0.99 where leapfrog accepts ≈ 0.5.
        assertTrue(acceptance(omelyan) > acceptance(leapfrog) + 0.3, leapfrog.out() + omelyan.out());
        assertTrue(omelyan.out().contains("integrator omelyan"), omelyan.out());
    }
}
