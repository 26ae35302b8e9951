package org.equiflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.equiflow.compiler.check.RuntimeSupport;
import org.equiflow.sample.FlowSampler;
import org.equiflow.sample.FlowSamplers;
import org.equiflow.sample.Hmc;
import org.equiflow.train.Loss;
import org.equiflow.train.Losses;
import org.junit.jupiter.api.Test;

/**
 * The runtime's registries and the compiler's table of what runs list the same names, so that
 * `check` refuses exactly the choices the runtime cannot run: one row per run-block setting
 * whose choices the runtime implements by name.
 */
class RuntimeRegistriesTest {
    @Test
    void lossesAreTheLossesTheCheckerAccepts() {
        assertEquals(RuntimeSupport.CHOICES.get("loss"), Losses.names());
        for (String name : Losses.names()) assertEquals(name, Losses.named(name).name(), "registered under its own name");
    }

    @Test
    void flowSamplersAreTheMethodsTheCheckerAccepts() {
        assertEquals(RuntimeSupport.CHOICES.get("method"), FlowSamplers.names());
        for (String name : FlowSamplers.names()) assertEquals(name, FlowSamplers.named(name).name(), "registered under its own name");
    }

    @Test
    void hmcIntegratorsAreTheIntegratorsTheCheckerAccepts() {
        assertEquals(RuntimeSupport.CHOICES.get("integrator"),
                Arrays.stream(Hmc.Integrator.values()).map(i -> i.name().toLowerCase()).toList());
        for (Hmc.Integrator i : Hmc.Integrator.values()) assertEquals(i, Hmc.Integrator.named(i.name().toLowerCase()));
    }

    @Test
    void precisionsAreThePrecisionsTheCheckerAccepts() {
        assertEquals(RuntimeSupport.CHOICES.get("precision"), Arrays.stream(Precision.values()).map(Precision::label).toList());
        for (Precision p : Precision.values()) assertEquals(p, Precision.named(p.label()));
    }

    @Test
    void theDefaultsAreRegistered() {
        Loss loss = Losses.named(Losses.DEFAULT);
        FlowSampler sampler = FlowSamplers.named(FlowSamplers.DEFAULT);
        assertEquals(Losses.DEFAULT, loss.name());
        assertEquals(FlowSamplers.DEFAULT, sampler.name());
    }
}
