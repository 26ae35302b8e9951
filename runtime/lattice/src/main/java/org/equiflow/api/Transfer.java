package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.CheckpointException;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.ir.Op;
import org.equiflow.truffle.nodes.Parameters;
import org.equiflow.truffle.CompiledFlow;

/**
 * Transfer learning: a new run that starts from the parameters of another trained run — at other
 * couplings (fine-tuning) or on another lattice size, which translation-equivariant conditioners
 * allow because their kernels do not depend on L. Parameters carry over by name and shape, all or
 * none; the optimizer state starts fresh (the source's Adam moments belong to its own loss
 * landscape and step count). The source is only read: its directory is not locked or written, so
 * it may even be training (its checkpoint is replaced atomically, so a consistent one is read).
 */
final class Transfer {
    private Transfer() {}

    /** Keys of the new run's recorded training settings that say where it started; a resumed run keeps them. */
    static final String RUN = "from_run", STEP = "from_step", FLOW = "from_flow", THEORY = "from_theory",
            IDENTITY = "from_identity_sha256", CHECKPOINT_SHA256 = "from_checkpoint_sha256", OPTIMIZER = "from_optimizer_state";
    static final String PREFIX = "from_";
    /** How many differing parameters a refusal lists before it counts the rest. */
    private static final int LISTED = 8;

    /** A trained run to start from: where it is, its checkpoint as read, and that file's SHA-256. */
    record Source(Path given, Path checkpoint, Checkpoint.Contents contents, String fileSha256) {}

    /**
     * Reads the run to start from: {@code from} is a run directory or its checkpoint file. Refuses
     * the new run's own directory (with {@code --force} it would be discarded before it was read).
     */
    static Source read(Path from, Workspace ws) {
        Path checkpoint = Files.isDirectory(from) ? from.resolve("checkpoint.eqf") : from;
        if (samePath(checkpoint, ws.checkpoint())) {
            throw new TransferException(TransferException.Problem.SAME_RUN, header(from, TransferException.Problem.SAME_RUN)
                    + "it is the directory this run trains in, " + ws.directory() + ", and a new run there would replace it."
                    + "\n   help: pass --out DIR (or other --set values) for the new run; --resume continues the run in " + ws.directory());
        }
        if (!Files.isRegularFile(checkpoint)) {
            throw new TransferException(TransferException.Problem.NOT_A_RUN, header(from, TransferException.Problem.NOT_A_RUN)
                    + (Files.isDirectory(from) ? "the directory holds no checkpoint.eqf: it is not a run directory, or its run never saved a checkpoint"
                            : "no such run directory or checkpoint file")
                    + "\n   help: pass a directory that `equiflow train` wrote (e.g. runs/<script>/<flow>/<the --set values>), or its checkpoint.eqf");
        }
        try {
            // Decoded from the very bytes that were hashed, so the recorded hash names the parameters that were loaded.
            byte[] bytes = Files.readAllBytes(checkpoint);
            return new Source(from, checkpoint, Checkpoint.load(checkpoint, bytes), sha256(bytes));
        } catch (CheckpointException e) {
            throw new TransferException(TransferException.Problem.UNREADABLE, header(from, TransferException.Problem.UNREADABLE) + e.getMessage());
        } catch (IOException e) {
            throw new TransferException(TransferException.Problem.UNREADABLE, header(from, TransferException.Problem.UNREADABLE)
                    + "cannot read " + checkpoint + " (" + e + "); check its permissions");
        }
    }

    /**
     * The run that {@code o} starts from, read and checked against the workspace's flow, or null
     * when {@code o} names none. Called before the new run's directory is created or locked, so a
     * refusal leaves every directory as it was — the source's above all.
     */
    static Source checked(Workspace ws, TrainingOptions o) {
        if (o.from() == null) return null;
        if (o.resume()) throw new InvalidSettingException(RESUME_AND_FROM);
        Source source = read(o.from(), ws);
        requireSameParameters(source, ws);
        return source;
    }

    static final String RESUME_AND_FROM = "--from starts a new run from another run's parameters and --resume continues the run in"
            + " the directory; pass one of them. A run started with --from is continued with --resume alone: its checkpoint"
            + " records where it started";

    /**
     * Requires that the workspace's flow has exactly the source's parameters — the same names and
     * shapes, as its IR declares them — naming each that differs, with what the source has and what
     * this flow needs.
     */
    static void requireSameParameters(Source source, Workspace ws) {
        Map<String, int[]> have = source.contents().parameterShapes();
        Map<String, int[]> need = new LinkedHashMap<>();
        for (Op.Param p : ws.ir().function(IrProgram.FLOW).orElseThrow().params()) {
            need.putIfAbsent(p.name(), Artifacts.shapeOf(Parameters.shapeOfParameter(p.type())));
        }
        List<String> differences = new ArrayList<>();
        need.forEach((name, shape) -> {
            int[] had = have.get(name);
            if (had == null) differences.add(name + ": this flow needs " + Arrays.toString(shape) + ", the source has no such parameter");
            else if (!Arrays.equals(had, shape)) differences.add(name + ": the source has " + Arrays.toString(had) + ", this flow needs " + Arrays.toString(shape));
        });
        have.forEach((name, shape) -> {
            if (!need.containsKey(name)) differences.add(name + ": the source has " + Arrays.toString(shape) + ", this flow has no such parameter");
        });
        if (differences.isEmpty()) return;
        var c = source.contents();
        String listed = differences.stream().limit(LISTED).map(d -> "\n  - " + d).collect(Collectors.joining())
                + (differences.size() > LISTED ? "\n  - … and " + (differences.size() - LISTED) + " more" : "");
        throw new TransferException(TransferException.Problem.DIFFERENT_PARAMETERS, header(source.given(), TransferException.Problem.DIFFERENT_PARAMETERS)
                + "its flow `" + c.flowName() + "` for " + c.theoryName() + " on " + c.lattice() + " has " + have.size()
                + " parameter tensors, this flow `" + ws.flow().name() + "` for " + ws.flow().theory().name() + " on "
                + ws.flow().theory().lattice().sizes() + " has " + need.size() + ", and " + differences.size()
                + (differences.size() == 1 ? " differs:" : " differ:") + listed
                + "\n   help: --from carries parameters over by name and shape: the same flow (nets, depth, widths, kernels) for a field"
                + " of the same kind; the couplings and the lattice size may differ. Train this flow from scratch, or start"
                + " from a run of the same architecture");
    }

    /** Copies the source's parameters into the freshly initialised flow (all of them: {@link #checked} compared names and shapes). */
    static void load(Source source, CompiledFlow flow) {
        source.contents().parameters().forEach((name, values) -> flow.parameters().assign(name, values));
    }

    /**
     * Where the run started, as recorded with its training settings: the source (absolute path,
     * training step, flow, theory parameters, identity and the checkpoint file's SHA-256, so that a
     * source retrained later is told apart) and that the optimizer state started fresh.
     */
    static Map<String, String> origin(Source source) {
        var c = source.contents();
        Map<String, String> origin = new LinkedHashMap<>();
        origin.put(RUN, source.given().toAbsolutePath().normalize().toString());
        origin.put(STEP, Long.toString(c.trainingStep()));
        origin.put(FLOW, c.flowName());
        origin.put(THEORY, theoryOf(c));
        if (c.provenance() != null) origin.put(IDENTITY, c.provenance().identitySha256());
        origin.put(CHECKPOINT_SHA256, source.fileSha256());
        origin.put(OPTIMIZER, "fresh");
        return origin;
    }

    /** The recorded origin among a checkpoint's training settings; empty for a run that did not start from another. */
    static Map<String, String> originIn(Map<String, String> training) {
        Map<String, String> origin = new LinkedHashMap<>();
        training.forEach((key, value) -> {
            if (key.startsWith(PREFIX)) origin.put(key, value);
        });
        return origin;
    }

    /**
     * One line for people: {@code runs/a at step 2500 (T.lambda 7.0 → 8.0, T.lattice [8,8] → [16,16]); optimizer state fresh};
     * null for a run that did not start from another. {@code now} is the run's theory parameters.
     */
    static String describe(Map<String, String> origin, Map<String, String> now) {
        if (!origin.containsKey(RUN)) return null;
        Map<String, String> then = parameters(origin.getOrDefault(THEORY, ""));
        List<String> changed = new ArrayList<>();
        now.forEach((name, value) -> {
            String was = then.get(name);
            if (was != null && !was.equals(value)) changed.add(name + " " + was + " → " + value);
        });
        return origin.get(RUN) + " at step " + origin.get(STEP) + " (flow " + origin.get(FLOW) + ", "
                + (changed.isEmpty() ? "the same theory parameters" : String.join(", ", changed)) + "); optimizer state "
                + origin.getOrDefault(OPTIMIZER, "fresh");
    }

    /** {@code T.lattice=[8,8] T.m2=-4.0 T.lambda=7.0}; a format 1 checkpoint records only the theory's name and lattice. */
    private static String theoryOf(Checkpoint.Contents c) {
        Map<String, String> parameters = c.provenance() != null ? c.provenance().theoryParameters()
                : Map.of(c.theoryName() + ".lattice", c.lattice().stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]")));
        return parameters.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    private static Map<String, String> parameters(String theory) {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : theory.split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return parameters;
    }

    private static String header(Path from, TransferException.Problem problem) {
        return "cannot start from " + from + " (" + problem + "): ";
    }

    private static boolean samePath(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) return Files.isSameFile(a, b);
        } catch (IOException unreadable) {
            // Compared as paths below.
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
