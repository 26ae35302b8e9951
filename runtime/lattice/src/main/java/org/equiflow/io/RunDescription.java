package org.equiflow.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What was run, for the report's header: enough to reproduce it. Every map keeps its insertion order
 * and is printed as a two-column table; an empty map is left out.
 *
 * @param title            the heading, e.g. "realnvp for phi4 on [8, 8]"
 * @param kind             what produced the run: {@link #FLOW} or {@link #HMC}
 * @param scriptName       the script's path as given on the command line; empty when unknown
 * @param scriptText       the script's source; empty when unknown
 * @param theoryParameters every theory parameter as bound for this run, {@code phi4.m2 → -4}
 * @param overrides        the --set values, as given
 * @param seeds            every seed that went into the run, by what it seeded
 * @param sampler          the sampler's settings (method, count, thermalization, …); {@value #CHAINS} is the number of
 *                         chains stored one after the other in the ensemble; {@value #WEIGHTS} is there when the
 *                         configurations are independent proposals with importance weights
 * @param training         the training settings; {@value #BATCH} is the batch size B of the ESS floor 1/B
 * @param wallTimes        wall-clock times, already formatted, by phase
 */
public record RunDescription(
        String title,
        String kind,
        String scriptName,
        String scriptText,
        Map<String, String> theoryParameters,
        Map<String, String> overrides,
        Map<String, String> seeds,
        Map<String, String> sampler,
        Map<String, String> training,
        Map<String, String> wallTimes) {

    public static final String FLOW = "flow run";
    public static final String HMC = "HMC run";
    public static final String BATCH = "batch";
    public static final String CHAINS = "chains";
    public static final String WEIGHTS = "importance weights";

    public RunDescription {
        theoryParameters = ordered(theoryParameters);
        overrides = ordered(overrides);
        seeds = ordered(seeds);
        sampler = ordered(sampler);
        training = ordered(training);
        wallTimes = ordered(wallTimes);
    }

    /** A run known only by its title, for reports built from data alone. */
    public static RunDescription titled(String title) {
        return new RunDescription(title, "", "", "", Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** The training batch size B, when the training settings name one. */
    public OptionalInt trainingBatch() {
        return positiveInteger(training.get(BATCH));
    }

    /** Whether the configurations carry importance weights, so that their unweighted histograms show the proposals. */
    public boolean weighted() {
        return sampler.containsKey(WEIGHTS);
    }

    /** How many chains the ensemble holds one after the other, when the sampler's settings say. */
    public OptionalInt chains() {
        return positiveInteger(sampler.get(CHAINS));
    }

    private static OptionalInt positiveInteger(String text) {
        try {
            int value = text == null ? 0 : Integer.parseInt(text.trim());
            return value > 0 ? OptionalInt.of(value) : OptionalInt.empty();
        } catch (NumberFormatException notANumber) {
            return OptionalInt.empty();
        }
    }

    /** The settings tables in the order the report prints them, each with its heading. */
    public Map<String, Map<String, String>> settingTables() {
        Map<String, Map<String, String>> tables = new LinkedHashMap<>();
        tables.put("Theory parameters", theoryParameters);
        tables.put("--set values", overrides);
        tables.put("Seeds", seeds);
        tables.put("Sampler settings", sampler);
        tables.put("Training settings", training);
        tables.put("Wall time", wallTimes);
        return tables;
    }

    private static Map<String, String> ordered(Map<String, String> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
