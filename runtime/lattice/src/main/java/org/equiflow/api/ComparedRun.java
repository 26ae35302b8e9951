package org.equiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.equiflow.api.ComparisonException.Problem;
import org.equiflow.io.EnsembleMetadata;
import org.equiflow.physics.StandardTheory;

/**
 * One run directory as {@link Comparison} reads it: the sampled ensemble's metadata and
 * observables (ensemble.json), G(t) and m_eff(t) (report/correlator.csv, when measured) and the
 * run's cost. Directories written before these were recorded read as unknown: NaN seconds, no
 * theory hash, no correlator.
 *
 * @param flow            the flow that sampled it; null for HMC
 * @param theorySha256    SHA-256 of the canonical theory definition; null in older directories
 * @param standardTheory  the standard library theory it samples, when it is one (for exact answers)
 * @param correlator      G(t), t = 0 … L₀ − 1; empty when not measured
 * @param effectiveMass   m_eff(t) with jackknife errors (no τ_int); empty when not measured
 */
public record ComparedRun(Path directory, String flow, String method, long count, double acceptance, double ess,
                          String theory, Map<String, Object> theoryParameters, List<Integer> lattice, String theorySha256,
                          String theoryDefinition, Optional<StandardTheory> standardTheory, double trainingSeconds,
                          double samplingSeconds, Map<String, Measurement> observables, List<Measurement> correlator,
                          List<Measurement> effectiveMass) {

    /** A measured value; {@code error} and {@code tauInt} are NaN where unknown or not applicable. */
    public record Measurement(double value, double error, double tauInt) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code directory}, refusing what is not a sampled run directory with the reason and what to do. */
    public static ComparedRun load(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ComparisonException(Problem.NOT_A_DIRECTORY, (Files.exists(directory) ? directory + " is not a directory"
                    : "no such directory: " + directory) + "\n   help: pass run directories, as `run`, `sample` and `hmc --out` write them"
                    + " (runs/<script>/<flow>, runs/<script>/hmc/<theory>)");
        }
        Path sidecar = directory.resolve("ensemble.json");
        if (!Files.isRegularFile(sidecar)) throw notARun(directory);
        EnsembleMetadata meta;
        JsonNode run;
        try {
            meta = EnsembleMetadata.read(sidecar);
            run = JSON.readTree(Files.readAllBytes(sidecar)).path("run");
        } catch (IOException | RuntimeException e) {
            throw new ComparisonException(Problem.UNREADABLE, "cannot read " + sidecar + ": " + e.getMessage()
                    + "\n   help: sample the run again (`equiflow sample`, `equiflow hmc --out`) to rewrite it");
        }
        Map<String, Measurement> observables = new LinkedHashMap<>();
        meta.observables().forEach((name, value) -> {
            if (value instanceof Map<?, ?> m) observables.put(name, new Measurement(number(m.get("value")), number(m.get("error")), number(m.get("tau_int"))));
        });
        List<Measurement> correlator = new ArrayList<>(), effectiveMass = new ArrayList<>();
        readCorrelator(directory.resolve("report").resolve(Artifacts.CORRELATOR_CSV), correlator, effectiveMass);
        var standard = StandardTheory.recorded(text(run, Artifacts.STANDARD_THEORY), meta.theoryParameters(), meta.lattice());
        return new ComparedRun(directory, meta.flowName(), meta.samplerMethod(), meta.count(), meta.acceptance(), meta.ess(), meta.theory(),
                meta.theoryParameters(), meta.lattice(), text(run, Artifacts.THEORY_SHA256), text(run, Artifacts.THEORY_DEFINITION), standard,
                run.path(Artifacts.TRAINING_SECONDS).asDouble(Double.NaN), run.path(Artifacts.SAMPLING_SECONDS).asDouble(Double.NaN),
                observables, List.copyOf(correlator), List.copyOf(effectiveMass));
    }

    /** Who sampled it, for column headings: the flow's name, else the method. */
    public String sampler() { return flow != null ? flow : method; }

    private static ComparisonException notARun(Path directory) {
        StringBuilder message = new StringBuilder(directory + " holds no sampled ensemble (ensemble.json): it is not a run directory,"
                + " or its flow was trained but never sampled");
        // A script's directory runs/<script> holds one run directory per flow: name them.
        try (Stream<Path> entries = Files.list(directory)) {
            List<Path> runs = entries.filter(d -> Files.isRegularFile(d.resolve("ensemble.json"))).sorted().toList();
            for (Path r : runs) message.append("\n   note: ").append(r).append(" is a run directory");
        } catch (IOException unlistable) {
            // Only the hint is lost.
        }
        message.append("\n   help: pass the directories `run`, `sample` or `hmc --out` wrote, or sample this one first (`equiflow sample`)");
        return new ComparisonException(Problem.NOT_A_RUN, message.toString());
    }

    /** report/correlator.csv: t, value, error, tau_int, effective_mass, effective_mass_error. */
    private static void readCorrelator(Path file, List<Measurement> correlator, List<Measurement> effectiveMass) {
        if (!Files.isRegularFile(file)) return;
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (line.isBlank()) continue;
                String[] cells = line.split(",");
                correlator.add(new Measurement(Double.parseDouble(cells[1]), Double.parseDouble(cells[2]), Double.parseDouble(cells[3])));
                effectiveMass.add(new Measurement(Double.parseDouble(cells[4]), Double.parseDouble(cells[5]), Double.NaN));
            }
        } catch (IOException | RuntimeException e) {
            throw new ComparisonException(Problem.UNREADABLE, "cannot read " + file + ": " + e.getMessage()
                    + "\n   help: sample the run again to rewrite its report");
        }
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String text(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asText() : null;
    }
}
