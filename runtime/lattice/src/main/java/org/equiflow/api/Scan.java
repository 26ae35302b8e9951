package org.equiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.equiflow.compiler.ast.Item;
import org.equiflow.io.Checkpoint;
import org.equiflow.io.ScanReport;
import org.equiflow.sample.FlowSamplers;

/**
 * A parameter scan: one run per point of the cartesian product of the listed {@code --set} values,
 * each trained and sampled as {@code equiflow run} does ({@link Flow#trainAndSample}) in its
 * default run directory ({@link RunDirectory#defaultPath}, or {@code out/<the point's --set values>}),
 * then one table of acceptance, ESS and every observable against the scanned parameters.
 *
 * <h2>Resuming</h2>
 * A scan can be rerun after an interruption, and each point goes on from where it stands
 * ({@link State}). A point is {@link State#FINISHED} when its committed sampling result was drawn
 * from the checkpoint as it is now, that checkpoint has done at least the requested total of
 * training steps (the {@code --steps} of this scan, else the script's), and the result was sampled
 * with this scan's count, seed and method; a finished point is never trained, sampled or
 * rewritten again. A run trained further than asked stays as it is: steps are a total, and a
 * run is not trained backwards.
 *
 * <h2>Where the table goes</h2>
 * {@code runs/<script>/<flow>/scan-<the --set values>/} beside the points (or
 * {@code out/scan-<…>/}): {@code scan.csv}, {@code scan.md}, and with one scanned parameter one
 * plot per column ({@link ScanReport}). The table is read back from every point's committed
 * {@code ensemble.json}, so points skipped as finished appear in it exactly as freshly run ones.
 */
public final class Scan {
    /** A {@code --set} of the scan: one value (fixed at every point) or several (scanned), in the order given. */
    public record Parameter(String name, List<String> values) {
        public Parameter {
            values = List.copyOf(values);
        }

        public boolean scanned() { return values.size() > 1; }
    }

    /**
     * One point of the scan.
     *
     * @param values    the scanned parameters' values at this point, in the scan's order
     * @param overrides every {@code --set} of the point, fixed ones included
     */
    public record Point(Map<String, String> values, Map<String, String> overrides, Path runDirectory) {}

    /** Where a point stands when the scan reaches it, and so what the scan does with it. */
    public enum State {
        /** Nothing to do: its result is committed for this scan's steps and sampling settings. */
        FINISHED,
        /** Trained far enough, not (or not so) sampled: sampled only. */
        SAMPLE,
        /** Trained part of the way: training resumes up to the total, then it is sampled. */
        RESUME,
        /** Never trained: trained from the start, then sampled. */
        NEW
    }

    /** Progress of a scan; every method does nothing unless overridden. */
    public interface Listener {
        /** The scan reached point {@code index} (from 0) of {@code total}, which is in {@code state}. */
        default void point(Point point, State state, int index, int total) {}

        /** Hears the training of a point that trains. */
        default TrainingListener training(Point point) { return new TrainingListener() {}; }

        /** Hears the sampling of a point that samples. */
        default SamplingListener sampling(Point point) { return new SamplingListener() {}; }
    }

    /**
     * What a scan left: per point, what was done and what its committed result measured.
     *
     * @param directory the scan's directory, holding the table and plots
     * @param written   the table, markdown and plot files written
     * @param diverged  the points whose training diverged; they have no result and no row in the table
     */
    public record Result(Path directory, List<String> parameters, List<ScanReport.Row> rows, List<State> states,
                         List<Point> diverged, List<Path> written) {
        public String markdown() { return ScanReport.markdown(parameters, rows); }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Parameter> parameters;
    private final List<Point> points;
    private final List<Flow> flows;
    private final Path directory;

    private Scan(List<Parameter> parameters, List<Point> points, List<Flow> flows, Path directory) {
        this.parameters = parameters;
        this.points = points;
        this.flows = flows;
        this.directory = directory;
    }

    /**
     * Reads {@code --set} arguments of a scan, each {@code THEORY.PARAM=V1,V2,…} (numbers, scanned
     * when more than one) or {@code THEORY.PARAM=[…]} (one list value, e.g. a lattice). No
     * parameter, an empty or non-numeric value, a value listed twice or a parameter set twice is
     * an {@link InvalidSettingException}.
     */
    public static List<Parameter> parse(List<String> settings) {
        if (settings.isEmpty()) {
            throw new InvalidSettingException("a scan needs at least one --set THEORY.PARAM=V1,V2,… to scan, e.g. --set T.m2=-3,-4,-5");
        }
        Map<String, Parameter> parsed = new LinkedHashMap<>();
        for (String setting : settings) {
            int equals = setting.indexOf('=');
            String name = equals < 0 ? setting.strip() : setting.substring(0, equals).strip();
            if (equals <= 0 || name.isEmpty()) {
                throw new InvalidSettingException("--set " + setting + " is not THEORY.PARAM=V1,V2,…, e.g. --set T.m2=-3,-4,-5");
            }
            String value = setting.substring(equals + 1).strip();
            List<String> values = value.startsWith("[") ? List.of(value) : splitNumbers(name, value);
            if (parsed.put(name, new Parameter(name, values)) != null) {
                throw new InvalidSettingException("--set " + name + " is given twice; list all its values in one --set " + name + "=V1,V2,…");
            }
        }
        return List.copyOf(parsed.values());
    }

    private static List<String> splitNumbers(String name, String list) {
        List<String> values = new ArrayList<>();
        Set<Double> seen = new LinkedHashSet<>();
        for (String v : list.split(",", -1)) {
            String value = v.strip();
            if (value.isEmpty()) {
                throw new InvalidSettingException("--set " + name + "=" + list + " has an empty value; list numbers separated by commas, e.g. "
                        + name + "=-3,-4,-5");
            }
            double number;
            try {
                number = Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("--set " + name + ": `" + value + "` is not a number; a scanned parameter takes numbers, e.g. "
                        + name + "=-3,-4,-5");
            }
            if (!Double.isFinite(number)) throw new InvalidSettingException("--set " + name + ": `" + value + "` is not a finite number");
            if (!seen.add(number)) throw new InvalidSettingException("--set " + name + " lists " + value + " twice; each point of a scan is run once");
            values.add(value);
        }
        return values;
    }

    /**
     * Opens the scan of {@code script}'s flow {@code flowName} (null: the first) over
     * {@code parameters}: every point's script is compiled now, so that a value the script refuses
     * is reported before anything trains. {@code out} (null: the default) holds the points'
     * directories and the scan's.
     */
    public static Scan open(Path script, List<Parameter> parameters, String flowName, Path out, boolean strict)
            throws ScriptException, IOException {
        if (parameters.isEmpty()) throw new InvalidSettingException("a scan needs at least one --set THEORY.PARAM=V1,V2,…");
        List<Map<String, String>> combinations = new ArrayList<>();
        combinations.add(new LinkedHashMap<>());
        for (Parameter parameter : parameters) {
            List<Map<String, String>> extended = new ArrayList<>();
            for (Map<String, String> partial : combinations) {
                for (String value : parameter.values()) {
                    Map<String, String> next = new LinkedHashMap<>(partial);
                    next.put(parameter.name(), value);
                    extended.add(next);
                }
            }
            combinations = extended;
        }
        List<Point> points = new ArrayList<>();
        List<Flow> flows = new ArrayList<>();
        String resolvedFlow = null;
        for (Map<String, String> overrides : combinations) {
            Session session = Session.open(script, overrides, strict);
            Path runDirectory = out == null ? null : out.resolve(RunDirectory.overrideLabel(overrides));
            Flow flow = session.flow(flowName, runDirectory);
            resolvedFlow = flow.name();
            Map<String, String> values = new LinkedHashMap<>();
            for (Parameter p : parameters) if (p.scanned()) values.put(p.name(), overrides.get(p.name()));
            points.add(new Point(values, Map.copyOf(overrides), flow.runDirectory()));
            flows.add(flow);
        }
        Map<String, String> label = new LinkedHashMap<>();
        for (Parameter p : parameters) label.put(p.name(), String.join(",", p.values()));
        String name = "scan-" + RunDirectory.overrideLabel(label);
        Path base = out != null ? out : Workspace.directory(script.toString(), resolvedFlow, null, Map.of());
        return new Scan(List.copyOf(parameters), List.copyOf(points), List.copyOf(flows), base.resolve(name));
    }

    public List<Point> points() { return points; }

    /** Where the table and plots are written. */
    public Path directory() { return directory; }

    /**
     * Runs every point that is not finished, in order, then writes the table of all points that
     * have a result. A point whose training diverges has no result; the scan goes on with the next.
     */
    public Result run(TrainingOptions training, SamplingOptions sampling, Listener listener) throws IOException {
        if (training.force()) {
            throw new InvalidSettingException("a scan never replaces a point's run; to redo a point, delete its run directory");
        }
        List<State> states = new ArrayList<>();
        List<Point> diverged = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            Flow flow = flows.get(i);
            long steps = RunSettings.of(flow.workspace().program(), Item.RunKind.TRAIN, flow.name()).integer("steps", training.steps(), 1000);
            Checkpoint.Contents checkpoint = flow.trained() ? Artifacts.readCheckpoint(flow.workspace()) : null;
            State state = stateOf(flow, checkpoint, training, sampling, steps);
            states.add(state);
            listener.point(point, state, i, points.size());
            switch (state) {
                case FINISHED -> { }
                case SAMPLE -> flow.sample(sampling, listener.sampling(point));
                case RESUME, NEW -> {
                    TrainingOptions options = new TrainingOptions(steps, training.batch(), training.learningRate(), training.seed(),
                            state == State.RESUME, false, training.checkpointEvery(), training.logEvery(), training.precision());
                    var run = flow.trainAndSample(options, sampling, listener.training(point), listener.sampling(point));
                    if (run.training().diverged()) diverged.add(point);
                }
            }
        }
        List<String> scanned = parameters.stream().filter(Parameter::scanned).map(Parameter::name).toList();
        List<ScanReport.Row> rows = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            JsonNode result = committedResult(points.get(i).runDirectory());
            if (result != null) rows.add(row(points.get(i), result));
        }
        var written = new ScanReport(scanned, rows).write(directory);
        return new Result(directory, scanned, List.copyOf(rows), List.copyOf(states), List.copyOf(diverged), written);
    }

    /**
     * A point with no run is new; one trained short of {@code steps}, or with an option its run was
     * not trained with, is resumed (where a contradiction is refused with its reason rather than
     * the point skipped as finished under settings it never had).
     */
    private State stateOf(Flow flow, Checkpoint.Contents checkpoint, TrainingOptions training, SamplingOptions sampling, long steps)
            throws IOException {
        if (checkpoint == null) return State.NEW;
        long done = checkpoint.trainingStep();
        if (done < steps || Training.contradicts(checkpoint, training)) return State.RESUME;
        JsonNode result = committedResult(flow.runDirectory());
        if (result == null) return State.SAMPLE;
        var ws = flow.workspace();
        JsonNode run = result.path("run");
        var settings = RunSettings.of(ws.program(), Item.RunKind.SAMPLE, ws.flow().name());
        boolean sameRun = ws.identity().identitySha256().equals(run.path("identity_sha256").asText())
                && run.path("training_step").asLong(-2) == done;
        boolean sameSampling = result.path("count").asLong() == Sampling.Size.of(ws, sampling).count()
                && result.path("seed").asLong() == settings.integer("seed", sampling.seed(), 1)
                && result.path("sampler_method").asText().equals(settings.choice("method", FlowSamplers.DEFAULT));
        return sameRun && sameSampling ? State.FINISHED : State.SAMPLE;
    }

    /** The point's committed {@code ensemble.json}, or null when it has none. */
    private static JsonNode committedResult(Path runDirectory) throws IOException {
        Path metadata = runDirectory.resolve(RunDirectory.CURRENT).resolve("ensemble.json");
        if (!Files.isRegularFile(metadata)) return null;
        return JSON.readTree(Files.readAllBytes(metadata));
    }

    private static ScanReport.Row row(Point point, JsonNode result) {
        Map<String, ScanReport.Measured> observables = new LinkedHashMap<>();
        result.path("observables").properties().forEach(e ->
                observables.put(e.getKey(), new ScanReport.Measured(number(e.getValue().path("value")), number(e.getValue().path("error")))));
        return new ScanReport.Row(point.values(), result.path("run").path("training_step").asLong(-1),
                number(result.path("acceptance")), number(result.path("ess")), observables);
    }

    /** A JSON number, NaN for the null that stands for a non-finite one (or a missing key). */
    private static double number(JsonNode node) {
        return node.isNumber() ? node.asDouble() : Double.NaN;
    }
}
