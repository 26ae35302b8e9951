package org.equiflow.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A trained model on disk: the script it came from, the flow's parameters and the optimizer state needed to resume
 * training, in one self-checking file.
 *
 * <h2>Layout (format version 2), all integers little-endian</h2>
 * <pre>
 * offset 0        8 bytes   magic "EQFLCKPT"
 * offset 8        u32       format version
 * offset 12       u32       H, length of the JSON header in bytes
 * offset 16       u64       P, length of the payload in bytes
 * offset 24       H bytes   JSON header, UTF-8 (script, names, lattice, parameter names and shapes, Adam
 *                           hyper-parameters, metrics)
 * offset 24+H     P bytes   payload: float64 arrays back to back — every parameter in header order, then every
 *                           Adam first moment in that order, then every second moment
 * offset 24+H+P   32 bytes  SHA-256 of bytes [0, 24+H+P)
 * </pre>
 * Format 2 adds the run's {@link Provenance} to the header: the semantic identity of what was trained (a hash of
 * the theory instance with every parameter bound and of the flow with its nets, not of the script's bytes), the
 * {@code --set} overrides, the theory's parameters and the training settings that a resumed run must reuse. Format 1
 * files (no provenance) are still read; they are matched against a script by the hash of its whole text.
 *
 * <p>The checksum covers the header too, so editing the script or a shape inside the file is detected like any other
 * corruption. Values are stored as float64 whatever the training dtype, so a round trip is bit-exact.
 */
public final class Checkpoint {

    public static final int FORMAT_VERSION = 2;
    private static final byte[] MAGIC = "EQFLCKPT".getBytes(StandardCharsets.US_ASCII);
    private static final int PREAMBLE = MAGIC.length + 4 + 4 + 8;
    private static final int CHECKSUM_BYTES = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Optimizer state; moments are keyed like the parameters and have their sizes. */
    public record AdamState(
            int step,
            Map<String, double[]> firstMoments,
            Map<String, double[]> secondMoments,
            double learningRate,
            double beta1,
            double beta2,
            double eps) {
        public AdamState {
            firstMoments = orderedCopy(firstMoments);
            secondMoments = orderedCopy(secondMoments);
        }
    }

    /**
     * What a run is, beyond the script's bytes.
     *
     * @param identitySha256   SHA-256 of the canonical print of the theory instance and the flow
     *                         ({@code Printer.identity}): equal for scripts that differ only in comments, formatting
     *                         or run blocks, different as soon as a coupling, the lattice or a net differs
     * @param overrides        the {@code --set THEORY.PARAM=VALUE} overrides the run was started with, as typed
     * @param theoryParameters the flow's theory parameters as bound for the run, keyed {@code T.m2}, values in
     *                         {@code --set} syntax, so a mismatch names the parameter and the flag that restores it
     * @param training         the settings a resumed run reuses (seed, lr, batch, planned steps, …), values as text
     *                         so every number round-trips exactly
     */
    public record Provenance(
            String identitySha256,
            Map<String, String> overrides,
            Map<String, String> theoryParameters,
            Map<String, String> training) {
        public Provenance {
            Objects.requireNonNull(identitySha256, "identitySha256");
            overrides = orderedCopy(overrides);
            theoryParameters = orderedCopy(theoryParameters);
            training = orderedCopy(training);
        }
    }

    /**
     * Everything a checkpoint holds. Maps keep their iteration order, which is the order parameters are written in.
     *
     * @param formatVersion   the version of the file these contents were loaded from; {@link #FORMAT_VERSION} for
     *                        contents built in memory ({@link Checkpoint#save} always writes the current version)
     * @param scriptSha256    lowercase hex SHA-256 of {@code scriptText}'s UTF-8 bytes; checked on construction
     * @param dtype           the precision training ran in, {@code "f32"} or {@code "f64"}
     * @param parameterShapes one shape per parameter; the product of its extents is the parameter's length
     * @param provenance      what the run is and how it was trained; null for a format 1 file, which has none
     */
    public record Contents(
            int formatVersion,
            String scriptText,
            String scriptSha256,
            String flowName,
            String theoryName,
            List<Integer> lattice,
            String dtype,
            long seed,
            long trainingStep,
            Map<String, double[]> parameters,
            Map<String, int[]> parameterShapes,
            AdamState adam,
            Map<String, Double> metrics,
            Provenance provenance) {

        public Contents {
            Objects.requireNonNull(scriptText, "scriptText");
            Objects.requireNonNull(flowName, "flowName");
            Objects.requireNonNull(theoryName, "theoryName");
            Objects.requireNonNull(adam, "adam");
            lattice = List.copyOf(lattice);
            parameters = orderedCopy(parameters);
            parameterShapes = orderedCopy(parameterShapes);
            metrics = orderedCopy(metrics);
            if (!dtype.equals("f32") && !dtype.equals("f64")) {
                throw new IllegalArgumentException("dtype must be \"f32\" or \"f64\", got \"" + dtype + "\"");
            }
            if (!sha256Hex(scriptText).equals(scriptSha256)) {
                throw new IllegalArgumentException("scriptSha256 " + scriptSha256
                        + " is not the SHA-256 of scriptText (" + sha256Hex(scriptText) + ")");
            }
            if (!parameterShapes.keySet().equals(parameters.keySet())) {
                throw new IllegalArgumentException("parameters " + parameters.keySet() + " and their shapes "
                        + parameterShapes.keySet() + " name different tensors");
            }
            for (var entry : parameters.entrySet()) {
                long size = elementCount(parameterShapes.get(entry.getKey()));
                requireLength("parameter", entry.getKey(), entry.getValue(), size);
                requireLength("Adam first moment", entry.getKey(), adam.firstMoments().get(entry.getKey()), size);
                requireLength("Adam second moment", entry.getKey(), adam.secondMoments().get(entry.getKey()), size);
            }
            if (!adam.firstMoments().keySet().equals(parameters.keySet())
                    || !adam.secondMoments().keySet().equals(parameters.keySet())) {
                throw new IllegalArgumentException("Adam moments must be keyed exactly like the parameters "
                        + parameters.keySet() + "; got " + adam.firstMoments().keySet() + " and "
                        + adam.secondMoments().keySet());
            }
        }

        /** Builds contents for saving, hashing the script and stamping the current format version. */
        public static Contents of(String scriptText, String flowName, String theoryName, List<Integer> lattice,
                String dtype, long seed, long trainingStep, Map<String, double[]> parameters,
                Map<String, int[]> parameterShapes, AdamState adam, Map<String, Double> metrics) {
            return new Contents(FORMAT_VERSION, scriptText, sha256Hex(scriptText), flowName, theoryName, lattice,
                    dtype, seed, trainingStep, parameters, parameterShapes, adam, metrics, null);
        }

        /** These contents with the run's provenance attached. */
        public Contents withProvenance(Provenance provenance) {
            return new Contents(formatVersion, scriptText, scriptSha256, flowName, theoryName, lattice, dtype, seed,
                    trainingStep, parameters, parameterShapes, adam, metrics, provenance);
        }

        private static void requireLength(String what, String name, double[] values, long size) {
            if (values == null) {
                throw new IllegalArgumentException(what + " of '" + name + "' is missing");
            }
            if (values.length != size) {
                throw new IllegalArgumentException(what + " '" + name + "' has " + values.length
                        + " values but its shape holds " + size);
            }
        }
    }

    private Checkpoint() {}

    public static void save(Path file, Contents contents) throws IOException {
        save(file, contents, UnaryOperator.identity());
    }

    /** Test hook: {@code wrapStream} may interpose on the bytes, e.g. to fail halfway through a write. */
    static void save(Path file, Contents contents, UnaryOperator<OutputStream> wrapStream) throws IOException {
        byte[] header = JSON.writeValueAsBytes(headerJson(contents));
        List<double[]> arrays = new ArrayList<>(contents.parameters().values());
        arrays.addAll(contents.adam().firstMoments().values());
        arrays.addAll(contents.adam().secondMoments().values());
        long payloadBytes = 8L * arrays.stream().mapToLong(a -> a.length).sum();

        MessageDigest digest = sha256();
        ByteBuffer preamble = ByteBuffer.allocate(PREAMBLE).order(ByteOrder.LITTLE_ENDIAN)
                .put(MAGIC).putInt(FORMAT_VERSION).putInt(header.length).putLong(payloadBytes);
        AtomicFiles.write(file, rawOut -> {
            OutputStream out = wrapStream.apply(rawOut);
            writeDigested(out, digest, preamble.array(), preamble.array().length);
            writeDigested(out, digest, header, header.length);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (double[] array : arrays) {
                for (double value : array) {
                    if (!chunk.hasRemaining()) {
                        writeDigested(out, digest, chunk.array(), chunk.position());
                        chunk.clear();
                    }
                    chunk.putDouble(value);
                }
            }
            writeDigested(out, digest, chunk.array(), chunk.position());
            out.write(digest.digest());
            out.flush();
        });
    }

    public static Contents load(Path file) throws CheckpointException {
        return load(file, readAll(file));
    }

    /**
     * Decodes the bytes of {@code file} read earlier, so that a caller that also hashes or keeps
     * them decodes exactly what it read (a run being trained replaces its checkpoint at any time).
     */
    public static Contents load(Path file, byte[] bytes) throws CheckpointException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        checkMagic(file, bytes);
        if (bytes.length < PREAMBLE) {
            throw truncated(file, bytes.length, PREAMBLE);
        }
        int version = buffer.getInt(8);
        if (version > FORMAT_VERSION) {
            throw new CheckpointException(CheckpointException.Problem.NEWER_FORMAT, file + " has checkpoint format"
                    + " version " + version + ", newer than version " + FORMAT_VERSION + " which this equiflow reads."
                    + " Load it with the equiflow version that wrote it, or upgrade equiflow.");
        }
        if (version < 1) {
            throw new CheckpointException(CheckpointException.Problem.CORRUPTED, file + " declares checkpoint format"
                    + " version " + version + ", which never existed: the file was modified or corrupted."
                    + " Restore it from a backup or retrain.");
        }
        long headerBytes = buffer.getInt(12) & 0xFFFFFFFFL;
        long payloadBytes = buffer.getLong(16);
        long expected = PREAMBLE + headerBytes + payloadBytes + CHECKSUM_BYTES;
        if (payloadBytes < 0 || expected < 0 || expected > Integer.MAX_VALUE) {
            throw new CheckpointException(CheckpointException.Problem.CORRUPTED, file + " declares impossible"
                    + " section lengths (header " + headerBytes + ", payload " + payloadBytes + " bytes): the file"
                    + " was modified or corrupted. Restore it from a backup or retrain.");
        }
        if (bytes.length < expected) {
            throw truncated(file, bytes.length, expected);
        }
        if (bytes.length > expected) {
            throw new CheckpointException(CheckpointException.Problem.CORRUPTED, file + " has "
                    + (bytes.length - expected) + " bytes after its checksum, so the file was modified or corrupted"
                    + " (something was appended). Restore it from a backup or retrain.");
        }
        int checksummed = (int) (expected - CHECKSUM_BYTES);
        MessageDigest digest = sha256();
        digest.update(bytes, 0, checksummed);
        byte[] actual = digest.digest();
        byte[] stored = Arrays.copyOfRange(bytes, checksummed, bytes.length);
        if (!MessageDigest.isEqual(actual, stored)) {
            throw new CheckpointException(CheckpointException.Problem.CORRUPTED, file + " fails its SHA-256 check"
                    + " (stored " + HexFormat.of().formatHex(stored) + ", computed " + HexFormat.of().formatHex(actual)
                    + "): the file was modified or corrupted after it was saved. Restore it from a backup or retrain;"
                    + " checkpoints cannot be edited by hand.");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, PREAMBLE, (int) headerBytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw malformed(file, "its header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        ByteBuffer payload = buffer.slice(PREAMBLE + (int) headerBytes, (int) payloadBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        return decode(file, version, header, payload);
    }

    /**
     * Refuses a checkpoint that was not trained for the given script, flow and lattice, naming every difference. The
     * script is compared by the hash of its whole text; {@link #verifyMatches(Contents, Provenance, String, String,
     * List)} compares what the script means instead.
     */
    public static void verifyMatches(Contents checkpoint, String scriptText, String flowName, List<Integer> lattice)
            throws CheckpointException {
        verifyMatches(checkpoint, null, scriptText, flowName, lattice);
    }

    /**
     * Refuses a checkpoint that was not trained for this run, naming every difference and the way out. With
     * provenance on both sides the semantic identities are compared, so comments and formatting do not matter and a
     * theory parameter that differs is named with the {@code --set} flag that restores it; a format 1 checkpoint (or
     * a run without provenance) falls back to the hash of the whole script.
     */
    public static void verifyMatches(Contents checkpoint, Provenance run, String scriptText, String flowName,
            List<Integer> lattice) throws CheckpointException {
        List<String> differences = new ArrayList<>();
        boolean scriptDiffers = false;
        if (!flowName.equals(checkpoint.flowName())) {
            differences.add("flow: the checkpoint holds flow '" + checkpoint.flowName() + "', the run asks for '"
                    + flowName + "'");
        }
        Provenance trained = checkpoint.provenance();
        if (trained != null && run != null) {
            if (!trained.identitySha256().equals(run.identitySha256())) {
                List<String> parameters = new ArrayList<>();
                trained.theoryParameters().forEach((name, value) -> {
                    String now = run.theoryParameters().get(name);
                    if (!value.equals(now)) {
                        parameters.add("theory parameter " + name + ": checkpoint " + value + ", this run "
                                + (now == null ? "has no such parameter" : now) + " — pass `--set " + name + "="
                                + value + "`");
                    }
                });
                run.theoryParameters().keySet().stream().filter(name -> !trained.theoryParameters().containsKey(name))
                        .forEach(name -> parameters.add("theory parameter " + name + ": not in the checkpoint's theory"));
                differences.addAll(parameters);
                if (parameters.isEmpty() && differences.isEmpty()) {
                    differences.add("flow: the flow, its nets or the theory's action differ from the ones the"
                            + " checkpoint was trained with (identity " + shortHash(trained.identitySha256())
                            + ", this script " + shortHash(run.identitySha256()) + ")");
                    scriptDiffers = true;
                }
            }
        } else {
            String givenHash = sha256Hex(scriptText);
            if (!givenHash.equals(checkpoint.scriptSha256())) {
                differences.add("script: the checkpoint was trained from a script with SHA-256 "
                        + checkpoint.scriptSha256() + ", the given script has SHA-256 " + givenHash);
                scriptDiffers = true;
            }
            if (!List.copyOf(lattice).equals(checkpoint.lattice())) {
                differences.add("lattice: the checkpoint was trained on " + checkpoint.lattice()
                        + ", the run asks for " + lattice);
            }
        }
        if (!differences.isEmpty()) {
            throw new CheckpointException(CheckpointException.Problem.MISMATCH, "the checkpoint does not match this"
                    + " run:\n  - " + String.join("\n  - ", differences) + "\nEither retrain for this script, flow"
                    + " and lattice (`--force` replaces the trained run), or run with the checkpoint's own "
                    + (scriptDiffers ? "script, which the checkpoint contains" : "settings")
                    + ": `equiflow script <run directory>` prints the script and the --set overrides it was trained"
                    + " with.");
        }
    }

    private static String shortHash(String sha256) { return sha256.substring(0, Math.min(12, sha256.length())); }

    /** Writes the script a checkpoint was trained from, so it can be rerun or compared with the current one. */
    public static void extractScript(Path checkpoint, Path scriptFile) throws IOException {
        byte[] script = load(checkpoint).scriptText().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(scriptFile, script);
    }

    /** Lowercase hex SHA-256 of the UTF-8 bytes of {@code text}, as stored in checkpoints and ensemble sidecars. */
    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    // ---------------------------------------------------------------- encoding

    private static ObjectNode headerJson(Contents contents) {
        ObjectNode root = JSON.createObjectNode();
        root.put("script", contents.scriptText());
        root.put("script_sha256", contents.scriptSha256());
        root.put("flow", contents.flowName());
        root.put("theory", contents.theoryName());
        ArrayNode lattice = root.putArray("lattice");
        contents.lattice().forEach(lattice::add);
        root.put("dtype", contents.dtype());
        root.put("seed", contents.seed());
        root.put("training_step", contents.trainingStep());
        if (contents.provenance() != null) {
            Provenance provenance = contents.provenance();
            ObjectNode node = root.putObject("provenance");
            node.put("identity_sha256", provenance.identitySha256());
            ObjectNode overrides = node.putObject("overrides");
            provenance.overrides().forEach(overrides::put);
            ObjectNode theory = node.putObject("theory_parameters");
            provenance.theoryParameters().forEach(theory::put);
            ObjectNode training = node.putObject("training");
            provenance.training().forEach(training::put);
        }
        ArrayNode parameters = root.putArray("parameters");
        contents.parameterShapes().forEach((name, shape) -> {
            ObjectNode entry = parameters.addObject().put("name", name);
            ArrayNode extents = entry.putArray("shape");
            Arrays.stream(shape).forEach(extents::add);
        });
        AdamState adam = contents.adam();
        root.putObject("adam")
                .put("step", adam.step())
                .put("learning_rate", adam.learningRate())
                .put("beta1", adam.beta1())
                .put("beta2", adam.beta2())
                .put("eps", adam.eps());
        ObjectNode metrics = root.putObject("metrics");
        // JSON has no NaN or infinity; a diverged loss is worth keeping, so those travel as strings.
        contents.metrics().forEach((name, value) -> {
            if (Double.isFinite(value)) {
                metrics.put(name, value);
            } else {
                metrics.put(name, value.toString());
            }
        });
        return root;
    }

    private static void writeDigested(OutputStream out, MessageDigest digest, byte[] bytes, int length)
            throws IOException {
        out.write(bytes, 0, length);
        digest.update(bytes, 0, length);
    }

    // ---------------------------------------------------------------- decoding

    private static Contents decode(Path file, int version, JsonNode header, ByteBuffer payload)
            throws CheckpointException {
        if (!header.isObject()) {
            throw malformed(file, "its header is not a JSON object");
        }
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (JsonNode entry : field(file, header, "parameters", JsonNode::isArray)) {
            String name = field(file, entry, "name", JsonNode::isTextual).asText();
            JsonNode extents = field(file, entry, "shape", JsonNode::isArray);
            int[] shape = new int[extents.size()];
            for (int i = 0; i < shape.length; i++) {
                if (!extents.get(i).canConvertToInt() || extents.get(i).asInt() < 0) {
                    throw malformed(file, "parameter '" + name + "' has an invalid shape " + extents);
                }
                shape[i] = extents.get(i).asInt();
            }
            if (shapes.put(name, shape) != null) {
                throw malformed(file, "parameter '" + name + "' appears twice");
            }
        }
        long totalElements = shapes.values().stream().mapToLong(Checkpoint::elementCount).sum();
        if (3 * 8 * totalElements != payload.remaining()) {
            throw malformed(file, "its parameter shapes describe " + 3 * 8 * totalElements
                    + " payload bytes (values and two Adam moments) but the payload has " + payload.remaining());
        }
        Map<String, double[]> values = readSection(payload, shapes);
        Map<String, double[]> firstMoments = readSection(payload, shapes);
        Map<String, double[]> secondMoments = readSection(payload, shapes);

        JsonNode adamNode = field(file, header, "adam", JsonNode::isObject);
        AdamState adam = new AdamState(
                field(file, adamNode, "step", JsonNode::canConvertToInt).asInt(),
                firstMoments, secondMoments,
                number(file, adamNode, "learning_rate"),
                number(file, adamNode, "beta1"),
                number(file, adamNode, "beta2"),
                number(file, adamNode, "eps"));
        List<Integer> lattice = new ArrayList<>();
        for (JsonNode extent : field(file, header, "lattice", JsonNode::isArray)) {
            if (!extent.canConvertToInt()) {
                throw malformed(file, "its lattice " + header.get("lattice") + " is not a list of integers");
            }
            lattice.add(extent.asInt());
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        var metricFields = field(file, header, "metrics", JsonNode::isObject).fields();
        while (metricFields.hasNext()) {
            var metric = metricFields.next();
            metrics.put(metric.getKey(), asDouble(file, "metrics." + metric.getKey(), metric.getValue()));
        }
        try {
            return new Contents(version,
                    field(file, header, "script", JsonNode::isTextual).asText(),
                    field(file, header, "script_sha256", JsonNode::isTextual).asText(),
                    field(file, header, "flow", JsonNode::isTextual).asText(),
                    field(file, header, "theory", JsonNode::isTextual).asText(),
                    lattice,
                    field(file, header, "dtype", JsonNode::isTextual).asText(),
                    field(file, header, "seed", JsonNode::canConvertToLong).asLong(),
                    field(file, header, "training_step", JsonNode::canConvertToLong).asLong(),
                    values, shapes, adam, metrics, version >= 2 ? provenance(file, header) : null);
        } catch (IllegalArgumentException e) {
            throw malformed(file, e.getMessage());
        }
    }

    /** Format 2's provenance; absent in a file saved from contents that had none. */
    private static Provenance provenance(Path file, JsonNode header) throws CheckpointException {
        JsonNode node = header.get("provenance");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw malformed(file, "its header field 'provenance' is not an object");
        }
        return new Provenance(field(file, node, "identity_sha256", JsonNode::isTextual).asText(),
                textMap(file, node, "overrides"), textMap(file, node, "theory_parameters"),
                textMap(file, node, "training"));
    }

    private static Map<String, String> textMap(Path file, JsonNode parent, String name) throws CheckpointException {
        Map<String, String> map = new LinkedHashMap<>();
        var entries = field(file, parent, name, JsonNode::isObject).fields();
        while (entries.hasNext()) {
            var entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw malformed(file, "its provenance entry '" + name + "." + entry.getKey() + "' is not text");
            }
            map.put(entry.getKey(), entry.getValue().asText());
        }
        return map;
    }

    private static Map<String, double[]> readSection(ByteBuffer payload, Map<String, int[]> shapes) {
        Map<String, double[]> section = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            double[] values = new double[(int) elementCount(shape)];
            payload.asDoubleBuffer().get(values);
            payload.position(payload.position() + 8 * values.length);
            section.put(name, values);
        });
        return section;
    }

    private interface Check {
        boolean accepts(JsonNode node);
    }

    private static JsonNode field(Path file, JsonNode parent, String name, Check check) throws CheckpointException {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            throw malformed(file, "its header lacks the field '" + name + "'");
        }
        if (!check.accepts(value)) {
            throw malformed(file, "its header field '" + name + "' has the wrong type: " + value);
        }
        return value;
    }

    private static double number(Path file, JsonNode parent, String name) throws CheckpointException {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            throw malformed(file, "its header lacks the field '" + name + "'");
        }
        return asDouble(file, name, value);
    }

    private static double asDouble(Path file, String name, JsonNode value) throws CheckpointException {
        if (value.isNumber()) {
            return value.doubleValue();
        }
        if (value.isTextual()) {
            switch (value.asText()) {
                case "NaN": return Double.NaN;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                default: break;
            }
        }
        throw malformed(file, "its header field '" + name + "' is not a number: " + value);
    }

    private static void checkMagic(Path file, byte[] bytes) throws CheckpointException {
        if (bytes.length == 0) {
            throw new CheckpointException(CheckpointException.Problem.TRUNCATED, file + " is empty: the save that"
                    + " created it did not finish (equiflow never leaves such a file itself). Delete it and use an"
                    + " earlier checkpoint, or retrain.");
        }
        int compared = Math.min(bytes.length, MAGIC.length);
        if (!Arrays.equals(bytes, 0, compared, MAGIC, 0, compared)) {
            throw new CheckpointException(CheckpointException.Problem.NOT_A_CHECKPOINT, file + " is not an equiflow"
                    + " checkpoint (it does not start with \"EQFLCKPT\"). Pass the checkpoint file written by"
                    + " training, not a script, ensemble or report.");
        }
        if (bytes.length < MAGIC.length) {
            throw truncated(file, bytes.length, PREAMBLE);
        }
    }

    private static CheckpointException truncated(Path file, long found, long expected) {
        return new CheckpointException(CheckpointException.Problem.TRUNCATED, file + " is truncated: it has " + found
                + " bytes, its layout needs " + (expected == PREAMBLE ? "at least " : "") + expected
                + ". The copy or save was cut short (interrupted transfer, full disk). Copy it again from where it"
                + " was trained, or retrain.");
    }

    private static CheckpointException malformed(Path file, String what) {
        return new CheckpointException(CheckpointException.Problem.MALFORMED, file + " passes its checksum but "
                + what + ", so it was not written by this equiflow's Checkpoint.save. Re-save it with equiflow or"
                + " retrain.");
    }

    private static byte[] readAll(Path file) throws CheckpointException {
        try {
            if (Files.size(file) > Integer.MAX_VALUE - 8) {
                throw new CheckpointException(CheckpointException.Problem.NOT_A_CHECKPOINT, file + " is "
                        + Files.size(file) + " bytes, larger than any checkpoint equiflow writes; pass the"
                        + " checkpoint file, not an ensemble or archive.");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(CheckpointException.Problem.UNREADABLE, "no checkpoint at " + file
                    + ": check the path, or train first to create one.", e);
        } catch (IOException e) {
            if (e instanceof CheckpointException checkpointException) {
                throw checkpointException;
            }
            throw new CheckpointException(CheckpointException.Problem.UNREADABLE, "cannot read checkpoint " + file
                    + " (" + e + "); check its permissions and the disk.", e);
        }
    }

    private static long elementCount(int[] shape) {
        long count = 1;
        for (int extent : shape) {
            count *= extent;
        }
        return count;
    }

    private static <V> Map<String, V> orderedCopy(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
