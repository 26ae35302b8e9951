package org.equiflow.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.check.CheckedProgram;

/**
 * A checked script, ready to train, sample and run HMC on: the entry point of the Java API, and
 * what every {@code equiflow} command that runs a script goes through.
 *
 * <pre>{@code
 * Session session = Session.open(Path.of("examples/phi4_tutorial.flow"), Map.of("T.lattice", "[4,4]"));
 * TrainingResult trained = session.flow("realnvp").train(TrainingOptions.builder().steps(100).build());
 * }</pre>
 *
 * Opening compiles the script with the given {@code --set} overrides; a script with errors is a
 * {@link ScriptException} carrying the diagnostics. Warnings are in {@link #compiled()}.
 */
public final class Session {
    private final Path script;
    private final String scriptName;
    private final String scriptText;
    private final Compiler.Result compiled;
    private final Map<String, String> overrides;

    private Session(Path script, String scriptName, String scriptText, Compiler.Result compiled, Map<String, String> overrides) {
        this.script = script;
        this.scriptName = scriptName;
        this.scriptText = scriptText;
        this.compiled = compiled;
        this.overrides = Map.copyOf(overrides);
    }

    /** Opens a script as written. */
    public static Session open(Path script) throws ScriptException, IOException {
        return open(script, Map.of(), false);
    }

    /** Opens a script with theory arguments overridden, {@code T.m2 → -3.5} as {@code --set T.m2=-3.5} does. */
    public static Session open(Path script, Map<String, String> overrides) throws ScriptException, IOException {
        return open(script, overrides, false);
    }

    /**
     * Opens a script with overrides; with {@code strict}, a flow that breaks a symmetry its theory
     * declares is an error rather than a warning.
     */
    public static Session open(Path script, Map<String, String> overrides, boolean strict) throws ScriptException, IOException {
        return opened(script, check(script, overrides, strict), overrides);
    }

    /**
     * Opens a script to continue a trained run: with no overrides given, the ones the run
     * directory's checkpoint was trained with are applied, so that a resumed run is the same run
     * without repeating them. {@code flowName} (null: the script's first flow) and
     * {@code runDirectory} (null: the default) say which run.
     */
    public static Session openToResume(Path script, Map<String, String> overrides, boolean strict, String flowName, Path runDirectory)
            throws ScriptException, IOException {
        Map<String, String> applied = new LinkedHashMap<>(overrides);
        Compiler.Result result = check(script, applied, strict);
        if (result.ok() && applied.isEmpty()) {
            var program = result.program().orElseThrow();
            String name = flowName != null ? flowName : program.flows().isEmpty() ? null : program.flows().get(0).name();
            if (name != null) {
                Path checkpoint = Workspace.directory(script.toString(), name, runDirectory, applied).resolve("checkpoint.eqf");
                Map<String, String> stored = Workspace.storedOverrides(checkpoint);
                if (!stored.isEmpty()) {
                    applied = new LinkedHashMap<>(stored);
                    result = check(script, applied, strict);
                }
            }
        }
        return opened(script, result, applied);
    }

    private static Compiler.Result check(Path script, Map<String, String> overrides, boolean strict) {
        return Compiler.check(script, script.toString(), overrides, strict);
    }

    private static Session opened(Path script, Compiler.Result result, Map<String, String> overrides) throws ScriptException, IOException {
        if (!result.ok()) throw new ScriptException(script.toString(), result);
        return new Session(script, script.toString(), Files.readString(script), result, overrides);
    }

    /** The compiler's result: the checked program and every diagnostic, warnings included. */
    public Compiler.Result compiled() { return compiled; }

    public CheckedProgram program() { return compiled.program().orElseThrow(); }

    /** The overrides the script was compiled with (a resumed run's may come from its checkpoint). */
    public Map<String, String> overrides() { return overrides; }

    public Path script() { return script; }

    /** The script as named in messages: the path it was opened with. */
    public String scriptName() { return scriptName; }

    String scriptText() { return scriptText; }

    /** The script's first flow, with its default run directory. */
    public Flow flow() throws ScriptException {
        return flow(null);
    }

    /** The flow called {@code name} (null: the first), with its default run directory. */
    public Flow flow(String name) throws ScriptException {
        return flow(name, null);
    }

    /** The flow called {@code name} (null: the first) with its run directory at {@code runDirectory} (null: the default). */
    public Flow flow(String name, Path runDirectory) throws ScriptException {
        return new Flow(Workspace.of(this, name, runDirectory), this, name);
    }

    /**
     * HMC on a theory of the script, measured like a flow's chain; its ensemble and report are
     * committed to the run directory as one result, as a flow's sampling result is.
     */
    public HmcResult hmc(HmcOptions options) throws IOException {
        return hmc(options, new HmcListener() {});
    }

    /** HMC, with progress and the header reported to {@code listener}. */
    public HmcResult hmc(HmcOptions options, HmcListener listener) throws IOException {
        return HmcRun.run(this, options, listener);
    }

    /**
     * HMC on the ranks of {@code job}: the chains divided between the ranks (independent chains, each
     * rank's from its own seed), gathered in chain order and measured on every rank; rank 0 locks the
     * run directory and commits the result. {@code listener} hears every rank (print on rank 0).
     */
    public HmcResult hmc(HmcOptions options, HmcListener listener, org.equiflow.distributed.Communicator job) throws IOException {
        return HmcRun.run(this, options, listener, job);
    }

    /**
     * Correlated ensembles: maps the ensemble of {@code options.ensemble()} — a sample of this
     * session's theory, at the couplings α₁ it was opened with — through the script's flow, trained
     * towards the couplings α₂ of {@code options.toSet()}, and reweights it to α₂; ⟨O⟩₁, ⟨O⟩₂ and the
     * correlated difference ⟨O⟩₂ − ⟨O⟩₁ with jackknife errors, beside plain reweighting (f = identity),
     * are committed with the mapped ensemble and its log weights as one result. A refusal is a
     * {@link CorrelationException} whose {@link CorrelationException#problem()} names the case.
     */
    public CorrelationResult correlate(CorrelationOptions options) throws IOException, ScriptException {
        return correlate(options, new CorrelationListener() {});
    }

    /** Correlated ensembles, with the map's training reported to {@code listener}. */
    public CorrelationResult correlate(CorrelationOptions options, CorrelationListener listener) throws IOException, ScriptException {
        return Correlation.run(this, options, listener);
    }
}
