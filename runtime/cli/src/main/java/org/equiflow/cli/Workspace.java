package org.equiflow.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;
import org.equiflow.compiler.diag.Diagnostic;
import org.equiflow.compiler.ir.IrProgram;
import org.equiflow.compiler.model.FlowModel;
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
     * Compiles and lowers; prints diagnostics (once) and returns null when the script cannot run.
     * With {@code adoptCheckpointOverrides} (a resumed run) and no {@code --set} given, the
     * overrides the run directory's checkpoint was trained with are applied, so that a resumed run
     * is the same run without repeating them.
     */
    static Workspace open(String scriptArgument, String flowName, Path out, DiagnosticOptions options,
                          boolean adoptCheckpointOverrides, PrintWriter err) throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>(options.overrides);
        Compiler.Result result = options.check(scriptArgument, overrides);
        if (result.ok() && adoptCheckpointOverrides && overrides.isEmpty()) {
            var program = result.program().orElseThrow();
            String name = flowName != null ? flowName : program.flows().isEmpty() ? null : program.flows().get(0).name();
            if (name != null) {
                Map<String, String> stored = storedOverrides(directory(scriptArgument, name, out, overrides).resolve("checkpoint.eqf"));
                if (!stored.isEmpty()) {
                    overrides = stored;
                    result = options.check(scriptArgument, overrides);
                }
            }
        }
        options.print(result, err, d -> true);
        if (!result.ok()) return null;
        CheckedProgram program = result.program().orElseThrow();
        if (program.flows().isEmpty()) {
            err.println("error: " + scriptArgument + " defines no flow to train or sample");
            return null;
        }
        String name = flowName != null ? flowName : program.flows().get(0).name();
        var flow = program.flow(name);
        if (flow.isEmpty()) {
            err.println("error: no flow `" + name + "` in " + scriptArgument + "; flows: "
                    + String.join(", ", program.flows().stream().map(FlowModel::name).toList()));
            return null;
        }
        var ir = Compiler.lower(result, name, null);
        if (ir.isEmpty()) {
            // Not reached for a script that checked (check lowers every flow as this does); Compiler.lower keeps the E0800.
            options.print(result, err, Diagnostic::isError);
            return null;
        }
        Path script = Path.of(scriptArgument);
        var identity = new Checkpoint.Provenance(Checkpoint.sha256Hex(Printer.identity(flow.get())), overrides,
                theoryParameters(flow.get()), Map.of());
        return new Workspace(script, Files.readString(script), program, flow.get(), ir.get(),
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
        var theory = flow.theory();
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
    private static Map<String, String> storedOverrides(Path checkpoint) {
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
