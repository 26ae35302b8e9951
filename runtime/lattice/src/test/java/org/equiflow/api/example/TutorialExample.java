package org.equiflow.api.example;

import java.nio.file.Path;
import java.util.Map;
import org.equiflow.api.Flow;
import org.equiflow.api.HmcOptions;
import org.equiflow.api.HmcResult;
import org.equiflow.api.SamplingOptions;
import org.equiflow.api.SamplingResult;
import org.equiflow.api.Session;
import org.equiflow.api.TrainingOptions;
import org.equiflow.api.TrainingResult;

public class TutorialExample {
    public static SamplingResult trainAndSample(Path script, Path runDirectory) throws Exception {
        // Compile with a --set override; a script with errors throws ScriptException with its diagnostics.
        Session session = Session.open(script, Map.of("T.lattice", "[4,4]"));
        Flow flow = session.flow("realnvp").at(runDirectory);

        // Unset options come from the script's `train` block.
        TrainingResult trained = flow.train(TrainingOptions.builder().steps(20).batch(16).build());
        System.out.printf("loss %.4f after %d steps, checkpoint %s%n", trained.finalLoss(), trained.steps(), trained.checkpoint());

        // Resuming continues the same run (its seed, learning rate and batch) up to a new total of steps.
        flow.train(TrainingOptions.builder().steps(30).resume(true).build());

        SamplingResult sampled = flow.sample(SamplingOptions.builder().count(256).batch(64).build());
        System.out.printf("acceptance %.3f, ESS %.3f, ensemble %s%n", sampled.acceptance(), sampled.ess(), sampled.ensemble());
        sampled.observable("susceptibility").ifPresent(chi -> System.out.printf("chi = %.4f ± %.4f%n", chi.value(), chi.error()));

        // The baseline: HMC on the same theory, measured the same way, its ensemble and report committed beside.
        HmcResult hmc = session.hmc(HmcOptions.builder().trajectories(50).thermalize(10).chains(4)
                .out(runDirectory.resolveSibling("hmc")).build());
        System.out.printf("HMC acceptance %.3f, ensemble %s%n", hmc.acceptance(), hmc.ensemble());
        return sampled;
    }
}
