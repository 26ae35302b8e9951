package org.equiflow.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a sampled ensemble is: enough to reproduce it (script and its hash, flow, seed, sampler) and to judge it
 * (acceptance, effective sample size, observables) without opening the array.
 *
 * <p>Written as JSON with snake_case keys so that Python reads it with {@code json.load}. Non-finite numbers (an
 * acceptance that does not apply to the sampler, say) are written as {@code null}, since JSON has no NaN.
 *
 * @param theory           theory instance name, e.g. {@code "T"} or {@code "phi4"}
 * @param theoryParameters the theory's parameters (m2, lambda, beta, …) as given in the script
 * @param lattice          lattice extents
 * @param fieldKind        the field as the script declares it, e.g. {@code "phi: real on sites"} or {@code "U: U(1) on links"}
 * @param flowName         the flow that sampled the ensemble; null (JSON {@code null}) for HMC, which samples the theory itself
 * @param scriptPath       the script as the user named it, for humans; {@code scriptSha256} is what identifies it
 * @param samplerMethod    e.g. {@code "independence_metropolis"}, {@code "reweighting"} or {@code "hmc"}
 * @param acceptance       Metropolis acceptance rate; NaN where the method has none
 * @param ess              effective sample size per sample, in [0, 1]
 * @param observables      free-form results, e.g. {@code {"magnetization": {"value": 0.41, "error": 0.01}}}
 */
public record EnsembleMetadata(
        String theory,
        Map<String, Object> theoryParameters,
        List<Integer> lattice,
        String fieldKind,
        String flowName,
        String scriptPath,
        String scriptSha256,
        long seed,
        String samplerMethod,
        long count,
        double acceptance,
        double ess,
        Instant createdAt,
        String equiflowVersion,
        Map<String, Object> observables) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public EnsembleMetadata {
        Objects.requireNonNull(theory, "theory");
        Objects.requireNonNull(createdAt, "createdAt");
        theoryParameters = Collections.unmodifiableMap(new LinkedHashMap<>(theoryParameters));
        lattice = List.copyOf(lattice);
        observables = Collections.unmodifiableMap(new LinkedHashMap<>(observables));
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }

    /** The JSON object written to the sidecar, keys in a fixed, documented order. */
    public ObjectNode toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("theory", theory);
        node.set("theory_parameters", JSON.valueToTree(theoryParameters));
        node.set("lattice", JSON.valueToTree(lattice));
        node.put("field_kind", fieldKind);
        node.put("flow", flowName);
        node.put("script_path", scriptPath);
        node.put("script_sha256", scriptSha256);
        node.put("seed", seed);
        node.put("sampler_method", samplerMethod);
        node.put("count", count);
        putFinite(node, "acceptance", acceptance);
        putFinite(node, "ess", ess);
        node.put("created_at", createdAt.toString());
        node.put("equiflow_version", equiflowVersion);
        node.set("observables", JSON.valueToTree(observables));
        return node;
    }

    /** Reads a sidecar written by {@link #write} or {@link Ensembles#write}; extra keys are ignored. */
    public static EnsembleMetadata read(Path file) throws IOException {
        JsonNode node = JSON.readTree(Files.readAllBytes(file));
        if (node == null || !node.isObject()) {
            throw new IOException(file + " is not a JSON object, so not an ensemble sidecar");
        }
        Instant createdAt;
        try {
            createdAt = Instant.parse(required(file, node, "created_at").asText());
        } catch (DateTimeParseException e) {
            throw new IOException(file + " has an unreadable created_at: " + e.getParsedString(), e);
        }
        List<Integer> lattice = new ArrayList<>();
        required(file, node, "lattice").forEach(extent -> lattice.add(extent.asInt()));
        TypeReference<LinkedHashMap<String, Object>> mapType = new TypeReference<>() {};
        return new EnsembleMetadata(
                required(file, node, "theory").asText(),
                JSON.convertValue(required(file, node, "theory_parameters"), mapType),
                lattice,
                textOrNull(node, "field_kind"),
                textOrNull(node, "flow"),
                textOrNull(node, "script_path"),
                textOrNull(node, "script_sha256"),
                required(file, node, "seed").asLong(),
                textOrNull(node, "sampler_method"),
                required(file, node, "count").asLong(),
                doubleOrNaN(node, "acceptance"),
                doubleOrNaN(node, "ess"),
                createdAt,
                textOrNull(node, "equiflow_version"),
                node.hasNonNull("observables") ? JSON.convertValue(node.get("observables"), mapType) : Map.of());
    }

    /** Writes this metadata alone, atomically, pretty-printed for people who open it in an editor. */
    public void write(Path file) throws IOException {
        writeJson(file, toJson());
    }

    static void writeJson(Path file, ObjectNode node) throws IOException {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        AtomicFiles.write(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }

    private static void putFinite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    private static JsonNode required(Path file, JsonNode node, String key) throws IOException {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) {
            throw new IOException(file + " lacks the key '" + key + "' of an ensemble sidecar");
        }
        return value;
    }

    private static String textOrNull(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asText() : null;
    }

    private static double doubleOrNaN(JsonNode node, String key) {
        return node.hasNonNull(key) ? node.get(key).asDouble() : Double.NaN;
    }
}
