package org.equiflow.api;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.model.FlowModel;
import org.equiflow.compiler.model.TheoryInstance;
import org.equiflow.compiler.model.Printer;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.CheckpointException;

/**
 * A script made ready to run: checked (with overrides), one flow chosen and lowered, and the
 * run directory where its checkpoint, metrics, ensembles and report live
 * ({@code runs/<script name>/<flow>}, with a subdirectory per set of {@code --set} values, unless
 * {@code --out} says otherwise).
 *
 * @param identity what a checkpoint trained for this workspace must match, with the {@code --set}
 *                 values the script was compiled with (training settings empty)
 */
record Workspace(Path script, String scriptText, CheckedProgram program, FlowModel flow, IrProgram ir, Path directory,
                 Checkpoint.Provenance identity) {

    /**
     * The flow {@code flowName} of a compiled script (its first when null), lowered, with its run
     * directory: {@code out}, else the default for the script, flow and overrides.
     */
    static Workspace of(Session session, String flowName, Path out) throws ScriptException {
        CheckedProgram program = session.program();
        String scriptArgument = session.scriptName();
        if (program.flows().isEmpty()) throw new RunFailure(scriptArgument + " defines no flow to train or sample");
        String name = flowName != null ? flowName : program.flows().get(0).name();
        var flow = program.flow(name);
        if (flow.isEmpty()) {
            throw new RunFailure("no flow `" + name + "` in " + scriptArgument + "; flows: "
                    + String.join(", ", program.flows().stream().map(FlowModel::name).toList()));
        }
        var ir = Compiler.lower(session.compiled(), name, null);
        // Not reached for a script that checked (check lowers every flow as this does); Compiler.lower keeps the E0800.
        if (ir.isEmpty()) throw new ScriptException(scriptArgument, session.compiled());
        var overrides = session.overrides();
        var identity = new Checkpoint.Provenance(Checkpoint.sha256Hex(Printer.identity(flow.get())), overrides,
                theoryParameters(flow.get()), Map.of());
        return new Workspace(session.script(), session.scriptText(), program, flow.get(), ir.get(),
                directory(scriptArgument, name, out, overrides), identity);
    }

    /** {@code --out}, else runs/<script>/<flow>, else …/<flow>/<the --set values> so each point of a scan has its own. */
    static Path directory(String scriptArgument, String flowName, Path out, Map<String, String> overrides) {
        if (out != null) return out;
        String stem = Path.of(scriptArgument).getFileName().toString().replaceFirst("\\.flow$", "");
        Path directory = Path.of("runs", stem, flowName);
        return overrides.isEmpty() ? directory : directory.resolve(overrideLabel(overrides));
    }

    /**
     * Where HMC on a theory commits its result: {@code --out}, else runs/<script>/hmc/<theory>, with a
     * subdirectory per set of --set values as a flow's. Even a flow called {@code hmc} keeps its own files:
     * a theory's name holds no {@code =}, so it is never one of that flow's --set subdirectories.
     */
    static Path hmcDirectory(String scriptArgument, String theory, Path out, Map<String, String> overrides) {
        if (out != null) return out;
        Path directory = directory(scriptArgument, "hmc", null, Map.of()).resolve(theory);
        return overrides.isEmpty() ? directory : directory.resolve(overrideLabel(overrides));
    }

    /**
     * The --set values as one directory name: sorted by parameter (so the order of the flags does
     * not matter), {@code T.lattice=16x16,T.m2=-3.5}; characters a file name or a shell would
     * trip over become {@code _}.
     */
    static String overrideLabel(Map<String, String> overrides) {
        return new TreeMap<>(overrides).entrySet().stream().map(e -> {
            String value = e.getValue().strip();
            if (value.startsWith("[") && value.endsWith("]")) {
                value = String.join("x", value.substring(1, value.length() - 1).split("\\s*,\\s*"));
            }
            return (e.getKey() + "=" + value).replaceAll("[^A-Za-z0-9._=+-]", "_");
        }).collect(Collectors.joining(","));
    }

    /** The flow's theory parameters as bound for this run, {@code T.m2 → -3.5}, values in --set syntax. */
    static Map<String, String> theoryParameters(FlowModel flow) {
        return theoryParameters(flow.theory());
    }

    /** A theory instance's parameters as bound, {@code T.m2 → -3.5}, values in --set syntax. */
    static Map<String, String> theoryParameters(TheoryInstance theory) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put(theory.name() + ".lattice", setSyntax(theory.lattice().sizes()));
        theory.parameters().forEach((name, value) -> {
            if (!name.equals("lattice")) parameters.put(theory.name() + "." + name, setSyntax(value));
        });
        return parameters;
    }

    private static String setSyntax(Object value) {
        if (value instanceof List<?> list) return "[" + list.stream().map(Workspace::setSyntax).collect(Collectors.joining(",")) + "]";
        return String.valueOf(value);
    }

    /** The overrides a checkpoint was trained with; none when there is no readable checkpoint (its load reports why, later). */
    static Map<String, String> storedOverrides(Path checkpoint) {
        if (!Files.isRegularFile(checkpoint)) return Map.of();
        try {
            var provenance = Checkpoint.load(checkpoint).provenance();
            return provenance == null ? Map.of() : provenance.overrides();
        } catch (CheckpointException unreadableNow) {
            return Map.of();
        }
    }

    Path checkpoint() { return directory.resolve("checkpoint.eqf"); }

    /** The {@code --set} values the script was compiled with. */
    Map<String, String> overrides() { return identity.overrides(); }

    /** This run's provenance with the training settings a resumed run must reuse. */
    Checkpoint.Provenance provenance(Map<String, String> training) {
        return new Checkpoint.Provenance(identity.identitySha256(), identity.overrides(), identity.theoryParameters(), training);
    }
}
