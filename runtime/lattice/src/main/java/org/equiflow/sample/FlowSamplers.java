package org.equiflow.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flow samplers the runtime runs, by the name a script's {@code method} setting gives: the
 * one place a new sampler is registered. The compiler's {@code RuntimeSupport.CHOICES.get("method")}
 * lists the same names (a test compares them). HMC samples a theory without a flow and has its
 * own {@code hmc} block; its integrators are {@link Hmc.Integrator}, which {@code method flow_hmc}
 * ({@link FlowHmcSampler}) shares.
 */
public final class FlowSamplers {
    /** What a {@code sample} block without a {@code method} setting uses. */
    public static final String DEFAULT = "independence_metropolis";

    private static final Map<String, FlowSampler> BY_NAME = register(new IndependenceMetropolisSampler(), new ReweightingSampler(),
            new FlowHmcSampler());

    private FlowSamplers() {}

    private static Map<String, FlowSampler> register(FlowSampler... samplers) {
        Map<String, FlowSampler> byName = new LinkedHashMap<>();
        for (FlowSampler sampler : samplers) byName.put(sampler.name(), sampler);
        return byName;
    }

    /** The registered names, in registration order. */
    public static List<String> names() { return List.copyOf(BY_NAME.keySet()); }

    /** The sampler called {@code name}; the checker refuses other names before a run gets here. */
    public static FlowSampler named(String name) {
        FlowSampler sampler = BY_NAME.get(name);
        if (sampler == null) {
            throw new IllegalArgumentException("no sampling method `" + name + "`; the runtime samples with " + String.join(", ", names()));
        }
        return sampler;
    }
}
