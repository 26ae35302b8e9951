package org.equiflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.equiflow.bench.FlowWorkloads;
import org.equiflow.bench.Timing;
import org.equiflow.compiler.Compiler;
import org.equiflow.truffle.CompiledFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `equiflow bench`: the speed cases of BENCHMARKS.md §B on this machine — one training step and
 * the sampling rate of the notebook φ⁴ model at several lattice sizes and batches — and, when
 * the PyTorch reference can run here, the same cases measured right after, with the ratio.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a training step and sampling of a flow, side by side with the PyTorch reference when it is installed.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--script", defaultValue = "examples/phi4_tutorial.flow", description = "The script (default: ${DEFAULT-VALUE}).")
    String script;

    @Option(names = "--flow", description = "The flow to time (default: the script's first).")
    String flowName;

    @Option(names = "--L", split = ",", defaultValue = "8,16,32", description = "Lattice sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--batch", split = ",", defaultValue = "64,1024", description = "Training batches (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--sample-batch", defaultValue = "1024", description = "Sampling batch (default: ${DEFAULT-VALUE}).")
    int sampleBatch;

    @Option(names = "--cases", split = ",", defaultValue = "train,sample", description = "train, sample (default: ${DEFAULT-VALUE}).")
    List<String> cases;

    @Option(names = "--min-time", defaultValue = "3", description = "Seconds per measurement at least (default: ${DEFAULT-VALUE}).")
    double minTime;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--warmup-time", defaultValue = "3", description = "Seconds of untimed warm-up per case at least, for the JIT (default: ${DEFAULT-VALUE}).")
    double warmupTime;

    @Option(names = "--reference", defaultValue = "auto",
            description = "Run the PyTorch reference after: auto (when /usr/bin/python3 has torch), on, off (default: ${DEFAULT-VALUE}).")
    String reference;

    @Option(names = "--after", paramLabel = "PASS", description = "Run the IR as it is after this pass (default: all passes), to measure what each pass buys.")
    String after;

    @Option(names = "--profile", description = "After each case, time every kernel over --profile-steps steps (or batches) and print where the CPU time goes.")
    boolean profile;

    @Option(names = "--profile-steps", defaultValue = "50", description = "Steps the profile sums over (default: ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--in-process", description = "Measure every lattice size in this JVM (default: one JVM per size, so that kernels the JIT compiled for one size do not slow the next).")
    boolean inProcess;

    /** Where a per-size child JVM writes its measurements for the parent's table. */
    @Option(names = "--results", hidden = true)
    Path results;

    @Option(names = "--shared", description = "The shared folder with bench/ref-pytorch (default: ../shared beside the repository).")
    Path shared;

    @Mixin
    DiagnosticOptions diagnostics = new DiagnosticOptions();

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        device.activate(err);
        Map<String, Double> ours = new LinkedHashMap<>();
        var base = diagnostics.compile(script, err);
        if (!base.ok()) return 1;
        var program = base.program().orElseThrow();
        if (program.flows().isEmpty()) {
            err.println("error: " + script + " defines no flow to benchmark");
            return 1;
        }
        String name = flowName != null ? flowName : program.flows().get(0).name();
        var model = program.flow(name);
        if (model.isEmpty()) {
            err.println("error: no flow `" + name + "` in " + script);
            return 1;
        }
        String theory = model.get().theory().name();
        int dimensions = model.get().theory().lattice().dimensions();
        var renderer = new org.equiflow.compiler.diag.DiagnosticRenderer(diagnostics.useColor());
        // One JVM per size by default: C2 compiles the kernels for the first size it sees.
        boolean jvmPerSize = !inProcess && sizes.size() > 1;
        for (int size : sizes) {
            Map<String, Double> measured = jvmPerSize ? measureInChildJvm(size, out, err)
                    : measureInThisJvm(size, name, theory, dimensions, renderer, out, err);
            if (measured == null) return 1;
            ours.putAll(measured);
        }
        if (results != null) {
            StringBuilder lines = new StringBuilder();
            ours.forEach((k, v) -> lines.append(k).append('\t').append(v).append('\n'));
            Files.writeString(results, lines);
            return 0; // the parent prints the table of all sizes
        }
        Map<String, Double> theirs = reference.equals("off") ? Map.of() : pytorch(out, err);
        if (theirs == null) return reference.equals("on") ? 1 : 0;
        out.println();
        out.printf("%s, %d cores, Java %s, %s; reference: %s%n", java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                Runtime.version(), org.equiflow.tensor.Backends.current().description(),
                theirs.isEmpty() ? "not run" : "PyTorch, 2 threads, run right after");
        out.println();
        out.println("| case | equiflow | PyTorch reference | speed-up |");
        out.println("|---|---|---|---|");
        ours.forEach((k, v) -> {
            boolean rate = k.startsWith("sample");
            Double ref = theirs.get(k);
            String mine = rate ? String.format("%.0f configs/s", v) : String.format("%.2f ms", v * 1e3);
            String other = ref == null ? "–" : rate ? String.format("%.0f configs/s", ref) : String.format("%.2f ms", ref * 1e3);
            String ratio = ref == null ? "–" : String.format("%.2f×", rate ? v / ref : ref / v);
            out.println("| " + k + " | " + mine + " | " + other + " | " + ratio + " |");
        });
        out.flush();
        return 0;
    }

    /**
     * Runs {@code step} {@link #profileSteps} times with every kernel timed and prints a markdown
     * table: the process's CPU time per step by kernel, and what lies outside the kernels. CPU
     * time rather than wall time because the blocks of a batch run on several threads at once,
     * and the kernel timers add up over threads.
     */
    private void printProfile(PrintWriter out, String label, Runnable step) {
        var profiler = new org.equiflow.bench.KernelProfile(org.equiflow.tensor.Backends.current());
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long wall, cpu;
        try (var scope = org.equiflow.tensor.Backends.use(profiler)) {
            for (int i = 0; i < warmup; i++) step.run();
            profiler.reset();
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            for (int i = 0; i < profileSteps; i++) step.run();
            wall = System.nanoTime() - t0;
            cpu = os.getProcessCpuTime() - c0;
        }
        double perStep = cpu / 1e6 / profileSteps;
        out.println();
        out.printf("Profile, %s: %.2f ms wall, %.2f ms CPU (all threads) per step over %d steps (timers included)%n%n",
                label, wall / 1e6 / profileSteps, perStep, profileSteps);
        out.println("| kernel (operands) -> result | calls/step | CPU ms/step | share of CPU |");
        out.println("|---|---|---|---|");
        long inKernels = 0, small = 0, smallCalls = 0;
        for (var e : profiler.entries()) {
            inKernels += e.nanos();
            double ms = e.nanos() / 1e6 / profileSteps;
            if (ms / perStep < 0.005) {
                small += e.nanos();
                smallCalls += e.calls();
                continue;
            }
            out.printf("| %s | %d | %.3f | %.1f %% |%n", e.kernel(), e.calls() / profileSteps, ms, 100 * ms / perStep);
        }
        out.printf("| other kernels (each under 0.5 %%) | %d | %.3f | %.1f %% |%n", smallCalls / profileSteps,
                small / 1e6 / profileSteps, 100 * small / 1e6 / profileSteps / perStep);
        double outside = perStep - inKernels / 1e6 / profileSteps;
        out.printf("| outside the kernels: result allocation, tape, Truffle nodes, prior sample, Adam, JIT and GC threads | | %.3f | %.1f %% |%n",
                outside, 100 * outside / perStep);
        out.println();
        out.flush();
    }

    /** Times the cases at one lattice size in this JVM; null (after printing why) if the script does not compile there. */
    private Map<String, Double> measureInThisJvm(int size, String name, String theory, int dimensions,
                                                 org.equiflow.compiler.diag.DiagnosticRenderer renderer, PrintWriter out, PrintWriter err) {
        Map<String, Double> measured = new LinkedHashMap<>();
        // The same script re-specialised to each lattice size, as a user would with --set.
        Map<String, String> set = new LinkedHashMap<>(diagnostics.overrides);
        set.put(theory + ".lattice", "[" + String.join(",", java.util.Collections.nCopies(dimensions, String.valueOf(size))) + "]");
        var checked = Compiler.check(Path.of(script), script, set);
        var ir = checked.ok() ? Compiler.lower(checked, name, after) : java.util.Optional.<org.equiflow.compiler.ir.IrProgram>empty();
        if (ir.isEmpty()) {
            checked.diagnostics().sorted().stream().filter(d -> d.isError()).forEach(d -> err.print(renderer.render(d)));
            err.flush();
            return null;
        }
        var flow = new CompiledFlow(ir.get(), FlowWorkloads.defaultDType(), 0);
        var work = new FlowWorkloads(flow, 1e-3, 0);
        if (cases.contains("train")) {
            for (int batch : batches) {
                Timing t = Timing.measure(() -> work.trainStep(batch), warmup, warmupTime, 5, minTime, 1000);
                measured.put("train L=" + size + " B=" + batch, t.medianSeconds());
                out.printf("equiflow[%s] train  L=%-3d B=%-5d %10.2f ms/step  (iqr %.2f–%.2f, n=%d)%n", org.equiflow.tensor.Backends.current().name(), size, batch,
                        t.medianSeconds() * 1e3, t.q25Seconds() * 1e3, t.q75Seconds() * 1e3, t.iterations());
                out.flush();
                if (profile) printProfile(out, "train L=" + size + " B=" + batch, () -> work.trainStep(batch));
            }
        }
        if (cases.contains("sample")) {
            Timing t = Timing.measure(() -> work.sample(sampleBatch), warmup, warmupTime, 5, minTime, 1000);
            measured.put("sample L=" + size + " B=" + sampleBatch, sampleBatch / t.medianSeconds());
            out.printf("equiflow[%s] sample L=%-3d B=%-5d %10.0f configs/s (%.2f ms/batch, n=%d)%n", org.equiflow.tensor.Backends.current().name(), size, sampleBatch,
                    sampleBatch / t.medianSeconds(), t.medianSeconds() * 1e3, t.iterations());
            out.flush();
            if (profile) printProfile(out, "sample L=" + size + " B=" + sampleBatch, () -> work.sample(sampleBatch));
        }
        return measured;
    }

    /**
     * Measures one lattice size in a fresh JVM with this command's options, echoing its output.
     * C2 compiles the convolution kernels for the first size it sees; measured after L = 8 in
     * the same JVM, the L = 16 step was 1.5–3× slower than in a JVM of its own.
     */
    private Map<String, Double> measureInChildJvm(int size, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path file = Files.createTempFile("equiflow-bench-L" + size + "-", ".tsv");
        try {
            List<String> command = new java.util.ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
            command.add("bench");
            // The original arguments of the whole command line: global options, then `bench` and its own.
            List<String> original = spec.commandLine().getParseResult().originalArgs();
            int own = original.indexOf(spec.name()) + 1;
            command.addAll(command.size() - 1, original.subList(0, own - 1));
            for (int i = own; i < original.size(); i++) {
                String arg = original.get(i);
                if (arg.equals("--L") || arg.equals("--reference")) {
                    i++;
                    continue;
                }
                if (arg.startsWith("--L=") || arg.startsWith("--reference=")) continue;
                command.add(arg);
            }
            command.addAll(List.of("--L", String.valueOf(size), "--reference", "off", "--in-process", "--results", file.toString()));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    out.println(line);
                    out.flush();
                }
            }
            if (child.waitFor() != 0) {
                err.println("error: measuring L=" + size + " in a separate JVM failed (exit " + child.exitValue() + "); rerun with --in-process to see why");
                return null;
            }
            Map<String, Double> measured = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                int tab = line.indexOf('\t');
                if (tab > 0) measured.put(line.substring(0, tab), Double.parseDouble(line.substring(tab + 1)));
            }
            return measured;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs the reference from a private copy (it writes results.json beside itself) and reads its results. */
    private Map<String, Double> pytorch(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path folder = (shared != null ? shared : Path.of("").toAbsolutePath().getParent().resolve("shared"))
                .resolve("bench/ref-pytorch");
        Path python = Path.of("/usr/bin/python3");
        boolean torch = Files.isExecutable(python) && Files.exists(folder.resolve("bench.py"))
                && run(List.of(python.toString(), "-c", "import torch"), folder, null) == 0;
        if (!torch) {
            String why = !Files.exists(folder.resolve("bench.py")) ? folder + "/bench.py is missing"
                    : "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch libjemalloc2)";
            (reference.equals("on") ? err : out).println("PyTorch reference not run: " + why);
            return reference.equals("on") ? null : Map.of();
        }
        Path work = Files.createTempDirectory("equiflow-ref");
        for (String f : List.of("bench.py", "flow.py")) Files.copy(folder.resolve(f), work.resolve(f));
        List<String> ls = sizes.stream().map(String::valueOf).toList();
        List<String> common = List.of("--threads", "2", "--warmup", String.valueOf(warmup), "--min-time", String.valueOf(minTime),
                "--no-wait-idle");
        out.println();
        out.println("PyTorch reference (" + folder + "), same machine, right after:");
        out.flush();
        if (cases.contains("train")) {
            List<String> cmd = new ArrayList<>(List.of(python.toString(), "bench.py", "train", "--L"));
            cmd.addAll(ls);
            cmd.add("--batch");
            batches.forEach(b -> cmd.add(String.valueOf(b)));
            cmd.addAll(common);
            if (run(cmd, work, out) != 0) { err.println("the PyTorch reference failed (train)"); return null; }
        }
        if (cases.contains("sample")) {
            List<String> cmd = new ArrayList<>(List.of(python.toString(), "bench.py", "sample", "--L"));
            cmd.addAll(ls);
            cmd.addAll(List.of("--sample-batch", String.valueOf(sampleBatch)));
            cmd.addAll(common);
            if (run(cmd, work, out) != 0) { err.println("the PyTorch reference failed (sample)"); return null; }
        }
        JsonNode results = new ObjectMapper().readTree(work.resolve("results.json").toFile());
        Map<String, Double> theirs = new LinkedHashMap<>();
        JsonNode train = results.path("train_step").path("threads2");
        train.fieldNames().forEachRemaining(k -> theirs.put("train " + k.replace("L", "L=").replace("_B", " B="),
                train.get(k).get("median_s").asDouble()));
        JsonNode sample = results.path("sample").path("threads2");
        sample.fieldNames().forEachRemaining(k -> theirs.put("sample " + k.replace("L", "L=").replace("_B", " B="),
                sample.get(k).get("with_action_configs_per_s").asDouble()));
        return theirs;
    }

    private static int run(List<String> command, Path dir, PrintWriter echo) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = reader.readLine()) != null) if (echo != null) { echo.println("  " + line); echo.flush(); }
        }
        if (!p.waitFor(2, TimeUnit.HOURS)) p.destroyForcibly();
        return p.exitValue();
    }
}
