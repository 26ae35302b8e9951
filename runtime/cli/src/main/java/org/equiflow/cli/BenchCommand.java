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
import org.equiflow.bench.SuNCase;
import org.equiflow.bench.Timing;
import org.equiflow.tensor.cpu.CpuParallel;
import org.equiflow.compiler.Compiler;
import org.equiflow.compiler.model.FieldSpec;
import org.equiflow.truffle.CompiledFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `equiflow bench`: the speed cases of BENCHMARKS.md §B on this machine — one training step and
 * the sampling rate of the notebook φ⁴ model at several lattice sizes and batches, or, for a
 * script whose theory has U(1) links, the U(1) model's training step at L = 8, batch 64, on one
 * thread — and, when the PyTorch reference can run here, the same cases measured right after,
 * with the ratio. The SU(N) cases of issue 16 ({@link SuNCase}, named in --cases) bring their own
 * scripts and have no reference.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time a training step and sampling of a flow, side by side with the PyTorch reference when it is installed.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--script", defaultValue = "examples/phi4_tutorial.flow", description = "The script (default: ${DEFAULT-VALUE}).")
    String script;

    @Option(names = "--flow", description = "The flow to time (default: the script's first).")
    String flowName;

    @Option(names = "--L", split = ",", defaultValue = "8,16,32",
            description = "Lattice sizes (default: ${DEFAULT-VALUE}; 8 for a U(1) theory and the SU(N) cases).")
    List<Integer> sizes;

    @Option(names = "--batch", split = ",", defaultValue = "64,1024",
            description = "Training batches (default: ${DEFAULT-VALUE}; 64 for a U(1) theory and the spectral training cases).")
    List<Integer> batches;

    @Option(names = "--sample-batch", defaultValue = "1024", description = "Sampling batch (default: ${DEFAULT-VALUE}).")
    int sampleBatch;

    @Option(names = "--cases", split = ",", defaultValue = "train,sample",
            description = "train, sample (default: ${DEFAULT-VALUE}; train for a U(1) theory); or SU(N) cases, which bring their own scripts:"
                    + " su2_spectral_train, su2_spectral_sample, su2_hmc, su3_spectral_train, su3_spectral_sample, su3_haar_sample, su3_hmc, or sun for all seven.")
    List<String> cases;

    @Option(names = "--chains", defaultValue = "" + SuNCase.DEFAULT_CHAINS,
            description = "HMC chains per trajectory of the su2_hmc and su3_hmc cases (default: ${DEFAULT-VALUE}, as `hmc`).")
    int chains;

    @Option(names = "--threads", description = "CPU threads for equiflow's kernels (in a JVM of its own when this one has another count)"
            + " and for the reference (default: a U(1) theory 1 on both sides, as BENCHMARKS.md §B; otherwise all cores for equiflow, 2 for the reference).")
    Integer threads;

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

    @Option(names = "--peak", description = "With --profile: also measure this machine's float32 multiply-add peak (Vector API, every kernel thread at once, 2 s)"
            + " and print each convolution kernel's share of it.")
    boolean peak;

    @Option(names = "--profile-steps", defaultValue = "50", description = "Steps the profile sums over (default: ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--in-process", description = "Measure every lattice size in this JVM (default: one JVM per size, so that kernels the JIT compiled for one size do not slow the next).")
    boolean inProcess;

    /** Where a per-size child JVM writes its measurements for the parent's table. */
    @Option(names = "--results", hidden = true)
    Path results;

    @Option(names = "--shared", description = "The shared folder with bench/ref-pytorch and bench/ref-pytorch-u1 (default: ../shared beside the repository).")
    Path shared;

    @Mixin
    FlowDiagnosticOptions diagnostics = new FlowDiagnosticOptions();

    @Mixin
    DeviceOptions device = new DeviceOptions();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /**
     * One measured case: wall-clock median, fastest iteration and median CPU time of the calling
     * thread (NaN where not measured), in seconds per iteration of {@code batch} configurations.
     */
    record Measurement(double seconds, double minSeconds, double cpuSeconds, int batch) {
        String tsv() { return seconds + "\t" + minSeconds + "\t" + cpuSeconds + "\t" + batch; }

        static Measurement ofTsv(String[] f) {
            return new Measurement(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]), Integer.parseInt(f[3]));
        }
    }

    /** The backend and thread count the measurements ran on (a child JVM's, when there was one). */
    private String measuredOn;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        device.activate(err);
        var checks = new OptionChecks(spec);
        for (int size : sizes) checks.range("--L", size, 2, 4096);
        for (int batch : batches) checks.range("--batch", batch, 1, OptionChecks.MAX_BATCH);
        checks.range("--sample-batch", sampleBatch, 1, OptionChecks.MAX_BATCH);
        checks.nonNegative("--min-time", minTime);
        checks.range("--warmup", warmup, 0, Integer.MAX_VALUE);
        checks.nonNegative("--warmup-time", warmupTime);
        checks.range("--profile-steps", profileSteps, 1, Integer.MAX_VALUE);
        if (threads != null) checks.range("--threads", threads, 1, 4096);
        checks.range("--chains", chains, 1, OptionChecks.MAX_BATCH);
        if (peak && !profile) throw checks.usage("--peak measures the multiply-add peak for the kernel profile; add --profile");
        List<SuNCase> suN = suNCases(checks);
        if (!suN.isEmpty()) return benchSuN(suN, out, err);
        Map<String, Measurement> ours = new LinkedHashMap<>();
        var base = diagnostics.check(script, diagnostics.overrides);
        // A child JVM measuring one lattice size compiles the same script: its parent has shown the warnings already.
        diagnostics.print(base, err, d -> results == null || d.isError());
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
        var theoryInstance = model.get().theory();
        String theory = theoryInstance.name();
        int dimensions = theoryInstance.lattice().dimensions();
        boolean gauge = theoryInstance.field().kind() == FieldSpec.Kind.U1;
        if (gauge) u1Defaults();
        int ourThreads = threads != null ? threads : gauge ? 1 : CpuParallel.threads();
        int referenceThreads = threads != null ? threads : gauge ? 1 : 2;
        if (ourThreads < 1) {
            err.println("error: --threads must be at least 1, not " + ourThreads);
            return 1;
        }
        boolean otherThreads = ourThreads != CpuParallel.threads();
        if (otherThreads && inProcess) {
            err.println("error: this JVM runs kernels on " + CpuParallel.threads() + " thread(s), so --in-process cannot measure "
                    + ourThreads + "\nhelp: leave out --in-process (the sizes are then measured in JVMs started with -Dequiflow.cpu.threads="
                    + ourThreads + "), or start this one with it (EQUIFLOW_JAVA_OPTS=-Dequiflow.cpu.threads=" + ourThreads + ")");
            return 1;
        }
        measuredOn = org.equiflow.tensor.Backends.current().description();
        var renderer = new org.equiflow.compiler.diag.DiagnosticRenderer(diagnostics.useColor());
        // One JVM per size by default: C2 compiles the kernels for the first size it sees. The
        // kernels' thread count is fixed when a JVM starts, so another count needs a JVM too.
        boolean childJvm = !inProcess && (sizes.size() > 1 || otherThreads);
        String label = gauge ? "U(1) " : "";
        for (int size : sizes) {
            Map<String, Measurement> measured = childJvm ? measureInChildJvm(size, ourThreads, out, err)
                    : measureInThisJvm(size, name, theory, dimensions, label, renderer, out, err);
            if (measured == null) return 1;
            ours.putAll(measured);
        }
        if (results != null) {
            StringBuilder lines = new StringBuilder("#on\t" + measuredOn + "\n");
            ours.forEach((k, v) -> lines.append(k).append('\t').append(v.tsv()).append('\n'));
            Files.writeString(results, lines);
            return 0; // the parent prints the table of all sizes
        }
        Map<String, Measurement> theirs = reference.equals("off") ? Map.of()
                : gauge ? pytorchU1(referenceThreads, theoryInstance.parameters().get("beta"), out, err)
                : pytorch(referenceThreads, out, err);
        if (theirs == null) return reference.equals("on") ? 1 : 0;
        out.println();
        out.printf("%s, %d cores, Java %s, equiflow on %s; reference: %s%n", java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors(),
                Runtime.version(), measuredOn,
                theirs.isEmpty() ? "not run" : (gauge ? "PyTorch U(1) model (ref-pytorch-u1), " : "PyTorch, ") + referenceThreads
                        + " thread(s), run right after");
        out.println();
        out.println("| case | equiflow | PyTorch reference | speed-up |");
        out.println("|---|---|---|---|");
        ours.forEach((k, v) -> {
            boolean rate = k.contains("sample");
            Measurement ref = theirs.get(k);
            String mine = rate ? String.format("%.0f configs/s", v.batch() / v.seconds()) : String.format("%.2f ms", v.seconds() * 1e3);
            String other = ref == null ? "–" : rate ? String.format("%.0f configs/s", ref.batch() / ref.seconds()) : String.format("%.2f ms", ref.seconds() * 1e3);
            String ratio = ref == null ? "–" : String.format("%.2f×", ref.seconds() / v.seconds());
            out.println("| " + k + " | " + mine + " | " + other + " | " + ratio + " |");
        });
        printSteadierTable(out, ours, theirs, ourThreads == 1 && referenceThreads == 1);
        out.flush();
        return 0;
    }

    /**
     * The SU(N) cases named by --cases (`sun`: all of them), in the order named; empty when it
     * names the script's train/sample cases. Mixing the two, or a name that is neither, is a
     * usage error: the SU(N) cases bring their own scripts, so they cannot share a run with --script's.
     */
    private List<SuNCase> suNCases(OptionChecks checks) {
        List<SuNCase> named = new ArrayList<>();
        boolean scriptCases = false;
        for (String c : cases) {
            if (c.equals("train") || c.equals("sample")) scriptCases = true;
            else if (c.equals("sun")) named.addAll(List.of(SuNCase.values()));
            else named.add(SuNCase.named(c).orElseThrow(() -> checks.usage("--cases: unknown case `" + c + "`; cases: train, sample, sun, "
                    + String.join(", ", SuNCase.names()))));
        }
        if (scriptCases && !named.isEmpty())
            throw checks.usage("--cases: the SU(N) cases bring their own scripts and cannot run with train or sample; bench them separately");
        return named.stream().distinct().toList();
    }

    /**
     * Times the SU(N) cases in this JVM, at L = 8 (training batch 64, sampling batch 1024, 16
     * HMC chains) unless --L, --batch, --sample-batch or --chains say otherwise, and prints one
     * table; with --profile, the kernel profile of each case after it. No reference runs: there
     * is no PyTorch SU(N) flow in ../shared/bench to compare with.
     */
    private int benchSuN(List<SuNCase> suN, PrintWriter out, PrintWriter err) {
        var parsed = spec.commandLine().getParseResult();
        if (threads != null && threads != CpuParallel.threads()) {
            err.println("error: the SU(N) cases run in this JVM, whose kernels run on " + CpuParallel.threads() + " thread(s), not " + threads
                    + "\nhelp: start it with that many (EQUIFLOW_JAVA_OPTS=-Dequiflow.cpu.threads=" + threads + "), without --threads");
            return 1;
        }
        if (reference.equals("on")) {
            err.println("error: --reference on: no PyTorch reference exists for the SU(N) cases (../shared/bench has φ⁴ and U(1) only)"
                    + "\nhelp: leave out --reference; the SU(N) cases are measured on their own");
            return 1;
        }
        List<Integer> ls = parsed.hasMatchedOption("--L") ? sizes : List.of(SuNCase.DEFAULT_SIZE);
        List<Integer> trainBatches = parsed.hasMatchedOption("--batch") ? batches : List.of(SuNCase.DEFAULT_TRAIN_BATCH);
        String backend = org.equiflow.tensor.Backends.current().name() + ", " + CpuParallel.threads() + " thread(s)";
        Map<String, Measurement> measured = new LinkedHashMap<>();
        Map<String, SuNCase.Work> works = new LinkedHashMap<>();
        for (int size : ls) {
            for (SuNCase c : suN) {
                List<Integer> perIteration = switch (c.work()) {
                    case TRAIN -> trainBatches;
                    case SAMPLE -> List.of(sampleBatch);
                    case HMC -> List.of(chains);
                };
                for (int batch : perIteration) {
                    SuNCase.Prepared prepared;
                    try {
                        prepared = c.prepare(size, batch);
                    } catch (IllegalArgumentException e) {
                        err.println("error: " + e.getMessage());
                        return 1;
                    }
                    String label = c.caseName() + " L=" + size + " " + (c.work() == SuNCase.Work.HMC ? "chains=" : "B=") + batch;
                    Timing t = Timing.measure(prepared.run(), warmup, warmupTime, 5, minTime, 1000);
                    measured.put(label, new Measurement(t.medianSeconds(), t.minSeconds(), t.medianCpuSeconds(), batch));
                    works.put(label, c.work());
                    String what = switch (c.work()) {
                        case TRAIN -> "ms/step";
                        case SAMPLE -> String.format("ms/batch = %.0f configs/s", batch / t.medianSeconds());
                        case HMC -> String.format("ms/trajectory (%d leapfrog steps, all chains)", SuNCase.HMC_MD_STEPS);
                    };
                    out.printf("equiflow[%s] %-32s %10.2f %s  (iqr %.2f–%.2f, min %.2f, thread CPU %.2f, n=%d)%n", backend, label,
                            t.medianSeconds() * 1e3, what, t.q25Seconds() * 1e3, t.q75Seconds() * 1e3, t.minSeconds() * 1e3,
                            t.medianCpuSeconds() * 1e3, t.iterations());
                    out.flush();
                    if (profile) printProfile(out, label, prepared.run());
                }
            }
        }
        out.println();
        out.printf("%s, %d cores, Java %s, equiflow on %s; no reference (none exists for SU(N))%n", java.time.LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), org.equiflow.tensor.Backends.current().description());
        out.println();
        out.println("| case | median | fastest | per configuration (median) |");
        out.println("|---|---|---|---|");
        measured.forEach((k, v) -> {
            String per = switch (works.get(k)) {
                case HMC -> String.format("%.2f ms per chain-trajectory", v.seconds() * 1e3 / v.batch());
                case SAMPLE -> String.format("%.0f configs/s", v.batch() / v.seconds());
                case TRAIN -> String.format("%.3f ms per configuration", v.seconds() * 1e3 / v.batch());
            };
            out.printf("| %s | %.2f ms | %.2f ms | %s |%n", k, v.seconds() * 1e3, v.minSeconds() * 1e3, per);
        });
        out.flush();
        return 0;
    }

    /**
     * The same cases by the two figures a busy machine disturbs less: the fastest iteration, and
     * (when both sides run on one thread, so that the calling thread does all the work) the
     * median CPU time of that thread.
     */
    private static void printSteadierTable(PrintWriter out, Map<String, Measurement> ours, Map<String, Measurement> theirs, boolean oneThread) {
        boolean any = ours.keySet().stream().anyMatch(k -> theirs.containsKey(k) && !Double.isNaN(theirs.get(k).minSeconds()));
        if (!any) return;
        out.println();
        out.println(oneThread ? "Less disturbed by other load: the fastest step, and the median CPU time of the one thread (ms):"
                : "Less disturbed by other load: the fastest iteration (ms):");
        out.println();
        out.println(oneThread ? "| case | equiflow min | reference min | speed-up | equiflow CPU | reference CPU | speed-up |"
                : "| case | equiflow min | reference min | speed-up |");
        out.println(oneThread ? "|---|---|---|---|---|---|---|" : "|---|---|---|---|");
        ours.forEach((k, v) -> {
            Measurement ref = theirs.get(k);
            if (ref == null || Double.isNaN(ref.minSeconds())) return;
            String row = String.format("| %s | %.2f | %.2f | %.2f× |", k, v.minSeconds() * 1e3, ref.minSeconds() * 1e3, ref.minSeconds() / v.minSeconds());
            if (oneThread) row += Double.isNaN(v.cpuSeconds()) || Double.isNaN(ref.cpuSeconds()) ? " – | – | – |"
                    : String.format(" %.2f | %.2f | %.2f× |", v.cpuSeconds() * 1e3, ref.cpuSeconds() * 1e3, ref.cpuSeconds() / v.cpuSeconds());
            out.println(row);
        });
    }

    /**
     * BENCHMARKS.md §B has one U(1) case, the training step at L = 8, batch 64: a U(1) script
     * measures that unless the options say otherwise (sampling has no U(1) reference).
     */
    private void u1Defaults() {
        var parsed = spec.commandLine().getParseResult();
        if (!parsed.hasMatchedOption("--L")) sizes = List.of(8);
        if (!parsed.hasMatchedOption("--batch")) batches = List.of(64);
        if (!parsed.hasMatchedOption("--cases")) cases = List.of("train");
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
        var peakRate = peak ? multiplyAddPeak() : null;
        out.println("| kernel (operands) -> result | calls/step | CPU ms/step | share of CPU | GFLOP per CPU-second" + (peak ? " (of the peak)" : "") + " |");
        out.println("|---|---|---|---|---|");
        long inKernels = 0, small = 0, smallCalls = 0;
        for (var e : profiler.entries()) {
            inKernels += e.nanos();
            double ms = e.nanos() / 1e6 / profileSteps;
            if (ms / perStep < 0.005) {
                small += e.nanos();
                smallCalls += e.calls();
                continue;
            }
            double rate = e.gigaflopsPerCpuSecond();
            String arithmetic = Double.isNaN(rate) ? "–"
                    : peakRate == null ? String.format("%.1f", rate) : String.format("%.1f (%.0f %%)", rate, 100 * rate / peakRate.gigaflopsPerThread());
            out.printf("| %s | %d | %.3f | %.1f %% | %s |%n", e.kernel(), e.calls() / profileSteps, ms, 100 * ms / perStep, arithmetic);
        }
        out.printf("| other kernels (each under 0.5 %%) | %d | %.3f | %.1f %% | |%n", smallCalls / profileSteps,
                small / 1e6 / profileSteps, 100 * small / 1e6 / profileSteps / perStep);
        double outside = perStep - inKernels / 1e6 / profileSteps;
        out.printf("| outside the kernels: result allocation, tape, Truffle nodes, prior sample, Adam, JIT and GC threads | | %.3f | %.1f %% | |%n",
                outside, 100 * outside / perStep);
        out.println();
        out.println("GFLOP per CPU-second: the convolutions' multiply-adds (two flops each) over the kernel's CPU time; a conditioner's gradient counts"
                + " the weights' and the input's gradients. Counted as direct convolutions: a layer computed by Winograd's F(2×2, 3×3)"
                + " (16 channels or more in and out, every site of a 2D lattice) does 16/36 of them, so its rate can pass the peak.");
        if (peakRate != null) {
            out.printf("Multiply-add peak: %.1f GFLOP per CPU-second per thread (%d threads at once, %d float32 lanes, Java Vector API fused multiply-adds,"
                    + " no memory traffic).%n", peakRate.gigaflopsPerThread(), peakRate.threads(), peakRate.lanes());
        }
        out.println();
        out.flush();
    }

    /** The multiply-add peak for --peak, measured once per run (every profile of this JVM compares with the same figure). */
    private org.equiflow.tensor.cpu.MultiplyAddPeak.Peak multiplyAddPeak() {
        if (measuredPeak == null) measuredPeak = org.equiflow.tensor.cpu.MultiplyAddPeak.measure(CpuParallel.threads(), 1.0);
        return measuredPeak;
    }

    private org.equiflow.tensor.cpu.MultiplyAddPeak.Peak measuredPeak;

    /** Times the cases at one lattice size in this JVM; null (after printing why) if the script does not compile there. */
    private Map<String, Measurement> measureInThisJvm(int size, String name, String theory, int dimensions, String label,
                                                      org.equiflow.compiler.diag.DiagnosticRenderer renderer, PrintWriter out, PrintWriter err) {
        Map<String, Measurement> measured = new LinkedHashMap<>();
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
        String backend = org.equiflow.tensor.Backends.current().name() + ", " + CpuParallel.threads() + " thread(s)";
        if (cases.contains("train")) {
            for (int batch : batches) {
                Timing t = Timing.measure(() -> work.trainStep(batch), warmup, warmupTime, 5, minTime, 1000);
                measured.put(label + "train L=" + size + " B=" + batch, new Measurement(t.medianSeconds(), t.minSeconds(), t.medianCpuSeconds(), batch));
                out.printf("equiflow[%s] %strain  L=%-3d B=%-5d %10.2f ms/step  (iqr %.2f–%.2f, min %.2f, thread CPU %.2f, n=%d)%n", backend, label, size, batch,
                        t.medianSeconds() * 1e3, t.q25Seconds() * 1e3, t.q75Seconds() * 1e3, t.minSeconds() * 1e3, t.medianCpuSeconds() * 1e3, t.iterations());
                out.flush();
                if (profile) printProfile(out, "train L=" + size + " B=" + batch, () -> work.trainStep(batch));
            }
        }
        if (cases.contains("sample")) {
            Timing t = Timing.measure(() -> work.sample(sampleBatch), warmup, warmupTime, 5, minTime, 1000);
            measured.put(label + "sample L=" + size + " B=" + sampleBatch, new Measurement(t.medianSeconds(), t.minSeconds(), t.medianCpuSeconds(), sampleBatch));
            out.printf("equiflow[%s] %ssample L=%-3d B=%-5d %10.0f configs/s (%.2f ms/batch, n=%d)%n", backend, label, size, sampleBatch,
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
    private Map<String, Measurement> measureInChildJvm(int size, int kernelThreads, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path file = Files.createTempFile("equiflow-bench-L" + size + "-", ".tsv");
        try {
            List<String> command = new java.util.ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-Dequiflow.cpu.threads=" + kernelThreads); // the last -D of a name wins
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
            Map<String, Measurement> measured = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.split("\t");
                if (fields[0].equals("#on")) measuredOn = fields[1];
                else if (fields.length == 5) measured.put(fields[0], Measurement.ofTsv(java.util.Arrays.copyOfRange(fields, 1, 5)));
            }
            return measured;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs the reference from a private copy (it writes results.json beside itself) and reads its results. */
    private Map<String, Measurement> pytorch(int referenceThreads, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Path folder = referenceFolder("ref-pytorch", "bench.py", "python3-torch libjemalloc2", "PyTorch reference", out, err);
        if (folder == null) return notRun();
        Path work = Files.createTempDirectory("equiflow-ref");
        for (String f : List.of("bench.py", "flow.py")) Files.copy(folder.resolve(f), work.resolve(f));
        List<String> ls = sizes.stream().map(String::valueOf).toList();
        List<String> common = List.of("--threads", String.valueOf(referenceThreads), "--warmup", String.valueOf(warmup), "--min-time", String.valueOf(minTime),
                "--no-wait-idle");
        out.println();
        out.println("PyTorch reference (" + folder + "), same machine, right after:");
        out.flush();
        if (cases.contains("train")) {
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "bench.py", "train", "--L"));
            cmd.addAll(ls);
            cmd.add("--batch");
            batches.forEach(b -> cmd.add(String.valueOf(b)));
            cmd.addAll(common);
            if (run(cmd, work, out) != 0) { err.println("the PyTorch reference failed (train)"); return null; }
        }
        if (cases.contains("sample")) {
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "bench.py", "sample", "--L"));
            cmd.addAll(ls);
            cmd.addAll(List.of("--sample-batch", String.valueOf(sampleBatch)));
            cmd.addAll(common);
            if (run(cmd, work, out) != 0) { err.println("the PyTorch reference failed (sample)"); return null; }
        }
        JsonNode results = new ObjectMapper().readTree(work.resolve("results.json").toFile());
        Map<String, Measurement> theirs = new LinkedHashMap<>();
        // bench.py files its results under threadsN, or threadsN_glibc where jemalloc is missing.
        String key = results.path("train_step").has("threads" + referenceThreads) || results.path("sample").has("threads" + referenceThreads)
                ? "threads" + referenceThreads : "threads" + referenceThreads + "_glibc";
        JsonNode train = results.path("train_step").path(key);
        train.fieldNames().forEachRemaining(k -> {
            JsonNode t = train.get(k);
            theirs.put("train " + k.replace("L", "L=").replace("_B", " B="), new Measurement(t.get("median_s").asDouble(),
                    t.has("min_s") ? t.get("min_s").asDouble() : Double.NaN, Double.NaN, batchOf(k)));
        });
        JsonNode sample = results.path("sample").path(key);
        sample.fieldNames().forEachRemaining(k -> {
            int batch = batchOf(k);
            theirs.put("sample " + k.replace("L", "L=").replace("_B", " B="),
                    new Measurement(batch / sample.get(k).get("with_action_configs_per_s").asDouble(), Double.NaN, Double.NaN, batch));
        });
        return theirs;
    }

    private static int batchOf(String key) { return Integer.parseInt(key.substring(key.indexOf("_B") + 2)); }

    /**
     * Runs the U(1) reference's training step (bench/ref-pytorch-u1/flow_u1.py, unchanged) under
     * our timing driver, {@code u1_reference_step.py}: the reference's train.py times whole runs
     * only. Null (after printing why) if it fails; empty if it cannot run here and is optional.
     */
    private Map<String, Measurement> pytorchU1(int referenceThreads, Object beta, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        if (!cases.contains("train")) {
            (reference.equals("on") ? err : out).println("PyTorch U(1) reference not run: it has a training step only (--cases train)");
            return notRun();
        }
        Path folder = referenceFolder("ref-pytorch-u1", "flow_u1.py", "python3-torch", "PyTorch U(1) reference", out, err);
        if (folder == null) return notRun();
        Path work = Files.createTempDirectory("equiflow-ref-u1");
        Path driver = work.resolve("u1_reference_step.py");
        try (var in = FlowWorkloads.class.getResourceAsStream("u1_reference_step.py")) {
            Files.copy(java.util.Objects.requireNonNull(in, "u1_reference_step.py is missing from the jar"), driver);
        }
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), driver.toString(), "--ref-dir", folder.toString(), "--L"));
        sizes.forEach(l -> cmd.add(String.valueOf(l)));
        cmd.add("--batch");
        batches.forEach(b -> cmd.add(String.valueOf(b)));
        cmd.addAll(List.of("--threads", String.valueOf(referenceThreads), "--warmup", String.valueOf(warmup),
                "--warmup-time", String.valueOf(warmupTime), "--min-time", String.valueOf(minTime), "--out", work.resolve("results.json").toString()));
        if (beta instanceof Number b) cmd.addAll(List.of("--beta", String.valueOf(b.doubleValue())));
        out.println();
        out.println("PyTorch U(1) reference (" + folder + "/flow_u1.py, step as its train.py), same machine, right after:");
        out.flush();
        if (run(cmd, work, out) != 0) { err.println("the PyTorch U(1) reference failed"); return null; }
        JsonNode train = new ObjectMapper().readTree(work.resolve("results.json").toFile()).path("train");
        Map<String, Measurement> theirs = new LinkedHashMap<>();
        train.fieldNames().forEachRemaining(k -> {
            JsonNode t = train.get(k);
            theirs.put("U(1) train " + k.replace("L", "L=").replace("_B", " B="), new Measurement(t.get("median_s").asDouble(),
                    t.get("min_s").asDouble(), t.get("cpu_median_s").asDouble(), batchOf(k)));
        });
        return theirs;
    }

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /**
     * {@code <shared>/bench/<name>} when {@code script} is there and /usr/bin/python3 imports
     * torch; otherwise null, after saying why (an error only when --reference on asked for it).
     */
    private Path referenceFolder(String name, String script, String packages, String what, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        Path folder = (shared != null ? shared : Path.of("").toAbsolutePath().getParent().resolve("shared")).resolve("bench").resolve(name);
        boolean present = Files.exists(folder.resolve(script));
        if (present && Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import torch"), folder, null) == 0) return folder;
        String why = !present ? folder + "/" + script + " is missing" : "/usr/bin/python3 cannot import torch (apt-get install -y " + packages + ")";
        (reference.equals("on") ? err : out).println(what + " not run: " + why);
        return null;
    }

    /** What a reference that cannot run gives: nothing to compare, or a failure when --reference on asked for it. */
    private Map<String, Measurement> notRun() {
        return reference.equals("on") ? null : Map.of();
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
