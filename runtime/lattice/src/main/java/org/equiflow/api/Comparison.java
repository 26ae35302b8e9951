package org.equiflow.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.equiflow.api.ComparedRun.Measurement;
import org.equiflow.api.ComparisonException.Problem;
import org.equiflow.io.AtomicFiles;
import org.equiflow.io.RunReport;
import org.equiflow.physics.ExactAnswer;
import org.equiflow.physics.ExactAnswers;

/**
 * Runs of one theory side by side: every observable measured by at least two of them (or by one
 * where the exact answer is known), G(t) and m_eff(t) per t, the exact value where
 * {@link ExactAnswers} knows the theory, pulls, and what each run cost.
 *
 * <p>Pull: (x − exact)/σ where the exact value is known, else (x − x_ref)/√(σ² + σ_ref²) against the
 * first run that measured the row (the reference shows no pull). |pull| ≥ {@value #PULL_WARNING}
 * is marked {@code !!}: for correct samplers and errors that happens about 3 times in 1000.
 *
 * @param exact     the exact answer that filled the exact column; empty with {@code noExact} saying why
 * @param rows      one per compared observable, in the order the runs measured them
 * @param cost      one per run
 */
public record Comparison(List<ComparedRun> runs, Optional<ExactAnswer> exact, String noExact, List<Row> rows, List<Cost> cost) {
    public static final double PULL_WARNING = 3;

    /**
     * One compared observable; {@code values} and {@code pulls} have one entry per run (empty where the
     * run did not measure it, or it is the reference). {@code exact} is NaN where unknown.
     */
    public record Row(String observable, double exact, List<Optional<Measurement>> values, List<Optional<Double>> pulls) {
        public boolean flagged() { return pulls.stream().flatMap(Optional::stream).anyMatch(p -> Math.abs(p) >= PULL_WARNING); }
    }

    /**
     * What a run's samples cost. {@code tauInt} is the largest τ_int among its compared rows
     * ({@code tauIntOf} names the row), {@code effectiveSamples} = N / 2τ_int, or N × the
     * importance-sampling ESS fraction where no τ_int applies (reweighting). Seconds are wall
     * time; NaN where the run directory does not record them.
     */
    public record Cost(String run, String method, long count, double acceptance, double ess, double tauInt, String tauIntOf,
                       double effectiveSamples, double trainingSeconds, double samplingSeconds) {
        /** Effective samples per second of sampling. */
        public double perSamplingSecond() { return effectiveSamples / samplingSeconds; }

        /** Effective samples per second of training and sampling together: the flow's full price. */
        public double perSecond() { return effectiveSamples / (trainingSeconds + samplingSeconds); }
    }

    public Comparison {
        runs = List.copyOf(runs);
        rows = List.copyOf(rows);
        cost = List.copyOf(cost);
    }

    /** Loads the run directories (at least two) and compares them. */
    public static Comparison load(List<Path> directories) {
        if (directories.size() < 2) {
            throw new ComparisonException(Problem.TOO_FEW_RUNS, "compare needs at least two run directories, got " + directories.size()
                    + "\n   help: e.g. `equiflow compare runs/free_field/shallow runs/free_hmc`");
        }
        return of(directories.stream().map(ComparedRun::load).toList());
    }

    /** Compares loaded runs, refusing runs of different theories with every difference named. */
    public static Comparison of(List<ComparedRun> runs) {
        if (runs.size() < 2) throw new ComparisonException(Problem.TOO_FEW_RUNS, "compare needs at least two runs, got " + runs.size());
        for (int i = 1; i < runs.size(); i++) refuseDifferentTheories(runs.get(0), runs.get(i));
        ComparedRun first = runs.get(0);
        Optional<ExactAnswer> exact = Optional.empty();
        String noExact;
        if (first.standardTheory().isEmpty()) {
            noExact = "theory `" + first.theory() + "` is not recorded as a standard theory (a theory of the script's own,"
                    + " or a run directory written before equiflow recorded it)";
        } else {
            var lookup = ExactAnswers.of(first.standardTheory().get());
            noExact = switch (lookup) {
                case ExactAnswers.Known known -> {
                    exact = Optional.of(known.answer());
                    yield null;
                }
                case ExactAnswers.Unknown unknown -> unknown.reason();
            };
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Double> exactValues = exact.map(ExactAnswer::values).orElse(Map.of());
        LinkedHashSet<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.addAll(r.observables().keySet()));
        for (String name : names) addRow(rows, name, exactValues.getOrDefault(name, Double.NaN), runs, r -> r.observables().get(name));
        int extent = runs.stream().mapToInt(r -> r.correlator().size()).max().orElse(0);
        double[] exactG = exact.map(ExactAnswer::correlator).filter(g -> g.length == extent).orElse(null);
        double[] exactMass = exactG == null ? null : exact.get().effectiveMass();
        for (int t = 0; t < extent; t++) {
            int tt = t;
            addRow(rows, "G(t=" + t + ")", exactG == null ? Double.NaN : exactG[t], runs, r -> tt < r.correlator().size() ? r.correlator().get(tt) : null);
        }
        for (int t = 0; t < extent; t++) {
            int tt = t;
            addRow(rows, "m_eff(t=" + t + ")", exactMass == null ? Double.NaN : exactMass[t], runs,
                    r -> tt < r.effectiveMass().size() ? r.effectiveMass().get(tt) : null);
        }
        List<Cost> cost = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) cost.add(cost(runs.get(i), i, rows));
        return new Comparison(runs, exact, noExact, rows, cost);
    }

    /** A row where at least two runs measured a finite value, or one did and the exact value is known. */
    private static void addRow(List<Row> rows, String name, double exact, List<ComparedRun> runs, Function<ComparedRun, Measurement> measured) {
        List<Optional<Measurement>> values = new ArrayList<>();
        for (ComparedRun run : runs) values.add(Optional.ofNullable(measured.apply(run)).filter(m -> Double.isFinite(m.value())));
        long present = values.stream().filter(Optional::isPresent).count();
        boolean exactKnown = Double.isFinite(exact);
        if (present < 2 && !(present == 1 && exactKnown)) return;
        List<Optional<Double>> pulls = new ArrayList<>();
        int reference = -1;
        for (int i = 0; i < values.size() && !exactKnown && reference < 0; i++) if (values.get(i).isPresent()) reference = i;
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).isEmpty() || i == reference) {
                pulls.add(Optional.empty());
                continue;
            }
            Measurement x = values.get(i).get();
            double pull = exactKnown ? (x.value() - exact) / x.error()
                    : (x.value() - values.get(reference).get().value()) / Math.hypot(x.error(), values.get(reference).get().error());
            pulls.add(Double.isFinite(pull) ? Optional.of(pull) : Optional.empty());
        }
        rows.add(new Row(name, exact, values, pulls));
    }

    private static Cost cost(ComparedRun run, int index, List<Row> rows) {
        double tau = Double.NaN;
        String tauOf = null;
        for (Row row : rows) {
            var value = row.values().get(index);
            if (value.isPresent() && Double.isFinite(value.get().tauInt()) && !(value.get().tauInt() <= tau)) {
                tau = value.get().tauInt();
                tauOf = row.observable();
            }
        }
        double effective = Double.isFinite(tau) ? run.count() / (2 * tau) : run.count() * run.ess();
        return new Cost(label(run, index), run.method(), run.count(), run.acceptance(), run.ess(), tau, tauOf, effective,
                run.trainingSeconds(), run.samplingSeconds());
    }

    private static String label(ComparedRun run, int index) { return "[" + (index + 1) + "] " + run.sampler(); }

    private static void refuseDifferentTheories(ComparedRun a, ComparedRun b) {
        List<String> differences = new ArrayList<>();
        String theoryA = headOf(a), theoryB = headOf(b);
        if (theoryA != null && theoryB != null && !theoryA.equals(theoryB)) differences.add("theory " + theoryA + " vs " + theoryB);
        if (!a.lattice().equals(b.lattice())) differences.add("lattice " + a.lattice() + " vs " + b.lattice());
        LinkedHashSet<String> parameters = new LinkedHashSet<>(a.theoryParameters().keySet());
        parameters.addAll(b.theoryParameters().keySet());
        parameters.remove("lattice");
        for (String p : parameters) {
            Object x = a.theoryParameters().get(p), y = b.theoryParameters().get(p);
            if (!Objects.equals(x, y) && !(x instanceof Number m && y instanceof Number n && m.doubleValue() == n.doubleValue())) {
                differences.add(p + " = " + (x == null ? "(no such parameter)" : x) + " vs " + (y == null ? "(no such parameter)" : y));
            }
        }
        boolean hashed = a.theorySha256() != null && b.theorySha256() != null;
        if (hashed && !a.theorySha256().equals(b.theorySha256()) && differences.isEmpty()) {
            differences.add("the theory definitions differ: " + firstDifference(a.theoryDefinition(), b.theoryDefinition()));
        }
        if (differences.isEmpty()) return;
        throw new ComparisonException(Problem.DIFFERENT_THEORIES, "the runs sample different theories, so their numbers are not comparable:\n   "
                + a.directory() + " vs " + b.directory() + ":\n" + String.join("\n", differences.stream().map(d -> "   - " + d).toList())
                + (hashed ? "" : "\n   note: an older run directory records no theory definition; only parameters and lattice were compared")
                + "\n   help: compare runs of one theory instance with the same --set values");
    }

    /** The standard theory's name, else the first word of the recorded definition after `theory`; null when unrecorded. */
    private static String headOf(ComparedRun run) {
        if (run.standardTheory().isPresent()) return run.standardTheory().get().qualifiedName();
        if (run.theoryDefinition() == null) return null;
        String[] words = run.theoryDefinition().strip().split("\\s+");
        return words.length > 1 ? words[1] : null;
    }

    private static String firstDifference(String a, String b) {
        if (a == null || b == null) return "one run directory does not record its definition";
        String[] x = a.split("\n"), y = b.split("\n");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i].strip() : "(nothing)", q = i < y.length ? y[i].strip() : "(nothing)";
            if (!p.equals(q)) return "`" + p + "` vs `" + q + "`";
        }
        return "in whitespace only";
    }

    /** Whether some pull is at least {@value #PULL_WARNING}. */
    public boolean flagged() { return rows.stream().anyMatch(Row::flagged); }

    private boolean exactColumn() { return rows.stream().anyMatch(r -> Double.isFinite(r.exact())); }

    // ---- tables ----

    private List<List<String>> observableCells() {
        List<List<String>> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("observable"));
        if (exactColumn()) header.add("exact");
        for (int i = 0; i < runs.size(); i++) {
            header.add(label(runs.get(i), i));
            header.add("pull");
        }
        cells.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.observable()));
            if (exactColumn()) line.add(Double.isFinite(row.exact()) ? String.format(Locale.ROOT, "%.6g", row.exact()) : "–");
            for (int i = 0; i < runs.size(); i++) {
                line.add(row.values().get(i).map(m -> withError(m.value(), m.error())).orElse("–"));
                line.add(row.pulls().get(i).map(p -> String.format(Locale.ROOT, "%+.2f", p) + (Math.abs(p) >= PULL_WARNING ? " !!" : ""))
                        .orElse(row.values().get(i).isPresent() && !Double.isFinite(row.exact()) ? "ref" : "–"));
            }
            cells.add(line);
        }
        return cells;
    }

    private List<List<String>> costCells() {
        List<List<String>> cells = new ArrayList<>();
        cells.add(List.of("run", "method", "N", "acceptance", "ESS", "τ_int (max, of)", "N_eff = N/2τ_int", "training s", "sampling s",
                "N_eff / sampling s", "N_eff / total s"));
        for (Cost c : cost) {
            cells.add(List.of(c.run(), c.method(), Long.toString(c.count()), number(c.acceptance(), "%.3f"), number(c.ess(), "%.3f"),
                    Double.isFinite(c.tauInt()) ? String.format(Locale.ROOT, "%.2f (%s)", c.tauInt(), c.tauIntOf()) : "–",
                    number(c.effectiveSamples(), "%.0f"), number(c.trainingSeconds(), "%.1f"), number(c.samplingSeconds(), "%.1f"),
                    number(c.perSamplingSecond(), "%.1f"), number(c.perSecond(), "%.1f")));
        }
        return cells;
    }

    private List<String> legend() {
        List<String> lines = new ArrayList<>();
        ComparedRun first = runs.get(0);
        lines.add("theory " + first.theory() + " = " + first.standardTheory().map(s -> s.qualifiedName()).orElse("its script's theory")
                + parameters(first) + " on " + first.lattice());
        for (int i = 0; i < runs.size(); i++) {
            ComparedRun r = runs.get(i);
            lines.add(label(r, i) + ": " + r.directory() + " (" + r.method() + ", N = " + r.count() + ")");
        }
        lines.add(exact.map(e -> "exact: " + e.description()).orElse("exact: none (" + noExact + ")"));
        return lines;
    }

    private static String parameters(ComparedRun run) {
        List<String> parts = new ArrayList<>();
        run.theoryParameters().forEach((k, v) -> { if (!k.equals("lattice")) parts.add(k + " = " + v); });
        return "(" + String.join(", ", parts) + ")";
    }

    private static final String FOOTNOTE = "pull = (x − exact)/σ, or (x − x_ref)/√(σ² + σ_ref²) against the run marked ref where no exact value"
            + " is known; !! marks |pull| ≥ 3";

    /** The tables as Markdown: legend, observables with pulls, cost. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        for (String line : legend()) out.append("- ").append(line).append('\n');
        out.append('\n').append(markdownTable(observableCells())).append('\n').append(FOOTNOTE).append(".\n\n");
        out.append(markdownTable(costCells()));
        return out.toString();
    }

    /** The tables as aligned plain text for a terminal. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (String line : legend()) out.append(line).append('\n');
        out.append('\n').append(textTable(observableCells())).append(FOOTNOTE).append('\n').append('\n');
        out.append(textTable(costCells()));
        return out.toString();
    }

    private static String markdownTable(List<List<String>> cells) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < cells.size(); r++) {
            out.append("| ").append(String.join(" | ", cells.get(r))).append(" |\n");
            if (r == 0) out.append("|").append("---|".repeat(cells.get(0).size())).append('\n');
        }
        return out.toString();
    }

    private static String textTable(List<List<String>> cells) {
        int[] width = new int[cells.get(0).size()];
        for (List<String> row : cells) for (int c = 0; c < row.size(); c++) width[c] = Math.max(width[c], row.get(c).codePointCount(0, row.get(c).length()));
        StringBuilder out = new StringBuilder();
        for (List<String> row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.size(); c++) {
                String cell = row.get(c);
                line.append(cell).append(" ".repeat(width[c] - cell.codePointCount(0, cell.length()) + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The observables as CSV: observable, exact, then value_i, error_i, tau_int_i, pull_i per run (empty where none). */
    public String csv() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("observable", row.observable());
            line.put("exact", Double.isFinite(row.exact()) ? row.exact() : "");
            for (int i = 0; i < runs.size(); i++) {
                var value = row.values().get(i);
                line.put("value_" + (i + 1), value.map(m -> (Object) m.value()).orElse(""));
                line.put("error_" + (i + 1), value.map(m -> (Object) m.error()).orElse(""));
                line.put("tau_int_" + (i + 1), value.filter(m -> Double.isFinite(m.tauInt())).map(m -> (Object) m.tauInt()).orElse(""));
                line.put("pull_" + (i + 1), row.pulls().get(i).map(p -> (Object) p).orElse(""));
            }
            lines.add(line);
        }
        return RunReport.csv(lines);
    }

    /** The cost table as CSV, one line per run, with its directory. */
    public String costCsv() {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int i = 0; i < cost.size(); i++) {
            Cost c = cost.get(i);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("run", i + 1);
            line.put("directory", runs.get(i).directory());
            line.put("sampler", runs.get(i).sampler());
            line.put("method", c.method());
            line.put("count", c.count());
            line.put("acceptance", c.acceptance());
            line.put("ess", c.ess());
            line.put("tau_int_max", c.tauInt());
            line.put("tau_int_max_of", c.tauIntOf() == null ? "" : c.tauIntOf());
            line.put("effective_samples", c.effectiveSamples());
            line.put("training_seconds", c.trainingSeconds());
            line.put("sampling_seconds", c.samplingSeconds());
            line.put("effective_samples_per_sampling_second", c.perSamplingSecond());
            line.put("effective_samples_per_second", c.perSecond());
            lines.add(line);
        }
        return RunReport.csv(lines);
    }

    /**
     * Writes {@link #csv()} to {@code file} and {@link #costCsv()} beside it as FILE-cost.csv (the suffix
     * before the extension: table.csv → table-cost.csv), each atomically; returns the cost file.
     */
    public Path writeCsv(Path file) throws IOException {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path costFile = file.resolveSibling(dot > 0 ? name.substring(0, dot) + "-cost" + name.substring(dot) : name + "-cost.csv");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        AtomicFiles.write(file, csv().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(costFile, costCsv().getBytes(StandardCharsets.UTF_8));
        return costFile;
    }

    private static String number(double value, String format) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "–";
    }

    /** value ± error with the error to two significant digits and the value to the same decimal place. */
    static String withError(double value, double error) {
        if (!(error > 0) || !Double.isFinite(error)) return String.format(Locale.ROOT, "%.6g", value);
        int decimals = Math.max(0, Math.min(12, 1 - (int) Math.floor(Math.log10(error))));
        return String.format(Locale.ROOT, "%." + decimals + "f ± %." + decimals + "f", value, error);
    }
}
