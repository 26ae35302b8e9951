package org.equiflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equiflow.compiler.Compiler;
import org.equiflow.sample.Hmc;
import org.equiflow.truffle.CompiledFlow;

/**
 * The SU(N) speed cases of issue 16: what a user of the SU(2) and SU(3) spectral-coupling flows
 * and of HMC pays per training step, per sampled configuration and per HMC trajectory. Each case is
 * one script bundled with the bench (the theory G of examples/su2_2d.flow or su3_2d.flow on an
 * L×L torus, L = 8 unless asked otherwise) and one kind of work on it. No PyTorch reference
 * exists for SU(N) flows, so these are equiflow's own numbers.
 */
public enum SuNCase {
    /** One reverse-KL training step of the spectral-coupling flow, as `train` runs it. */
    SU2_SPECTRAL_TRAIN("su2_spectral_train", "su2_spectral.flow", "spectral", Work.TRAIN),
    /** Proposals of the (untrained) spectral flow through independence Metropolis, as `sample` runs them. */
    SU2_SPECTRAL_SAMPLE("su2_spectral_sample", "su2_spectral.flow", "spectral", Work.SAMPLE),
    /** One HMC trajectory of SU(2), the baseline the flow is compared with. */
    SU2_HMC("su2_hmc", "su2_spectral.flow", null, Work.HMC),
    /** One reverse-KL training step of examples/su3_2d.flow's SU(3) spectral-coupling flow. */
    SU3_SPECTRAL_TRAIN("su3_spectral_train", "su3_spectral.flow", "spectral", Work.TRAIN),
    /** Proposals of the (untrained) SU(3) spectral flow through independence Metropolis. */
    SU3_SPECTRAL_SAMPLE("su3_spectral_sample", "su3_spectral.flow", "spectral", Work.SAMPLE),
    /** Haar-prior proposals through independence Metropolis: what the prior alone costs. */
    SU3_HAAR_SAMPLE("su3_haar_sample", "su3_haar.flow", "haar_prior", Work.SAMPLE),
    /** One HMC trajectory of SU(3). */
    SU3_HMC("su3_hmc", "su3_haar.flow", null, Work.HMC);

    /** What a case times: a training step, a batch of sampled configurations, or an HMC trajectory of all chains. */
    public enum Work { TRAIN, SAMPLE, HMC }

    /** The lattice size the cases run at unless asked otherwise. */
    public static final int DEFAULT_SIZE = 8;
    /** The training batch of examples/su2_2d.flow. */
    public static final int DEFAULT_TRAIN_BATCH = 64;
    public static final int DEFAULT_SAMPLE_BATCH = 1024;
    /** Chains of a trajectory: the `hmc` command's default (HmcOptions.DEFAULT_CHAINS). */
    public static final int DEFAULT_CHAINS = 16;
    /** The integrator of the examples' `hmc` blocks: leapfrog, ε = 0.1, 10 steps. */
    public static final double HMC_STEP_SIZE = 0.1;
    public static final int HMC_MD_STEPS = 10;

    private final String caseName;
    private final String resource;
    private final String flow;
    private final Work work;

    SuNCase(String caseName, String resource, String flow, Work work) {
        this.caseName = caseName;
        this.resource = resource;
        this.flow = flow;
        this.work = work;
    }

    /** The name `--cases` selects it by. */
    public String caseName() { return caseName; }

    public Work work() { return work; }

    public static Optional<SuNCase> named(String name) {
        return Arrays.stream(values()).filter(c -> c.caseName.equals(name)).findFirst();
    }

    public static List<String> names() { return Arrays.stream(values()).map(SuNCase::caseName).toList(); }

    /**
     * A case made ready to time on an L×L lattice: {@code run} does one iteration of the work on
     * {@code batch} configurations (training batch, sampled configurations, or HMC chains).
     */
    public record Prepared(SuNCase of, int size, int batch, Runnable run) {
    }

    /** Compiles the case's script at lattice size {@code size} and builds its workload, seeded with 0. */
    public Prepared prepare(int size, int batch) {
        Path script = scriptFile();
        try {
            var checked = Compiler.check(script, resource, Map.of("G.lattice", "[" + size + ", " + size + "]"));
            if (!checked.ok()) {
                // The scripts ship with the bench; a size the theory refuses (odd, too small) is the only way here.
                throw new IllegalArgumentException(caseName + " does not compile at L = " + size + ": "
                        + checked.diagnostics().sorted().stream().filter(d -> d.isError()).map(d -> d.message()).toList());
            }
            var program = checked.program().orElseThrow();
            Runnable run = switch (work) {
                case TRAIN -> {
                    var w = new FlowWorkloads(compile(checked), 1e-3, 0);
                    yield () -> w.trainStep(batch);
                }
                case SAMPLE -> {
                    var w = new FlowWorkloads(compile(checked), 1e-3, 0);
                    yield () -> w.sampleChain(batch);
                }
                case HMC -> {
                    var hmc = new Hmc(program.theories().get(0), program.names(), batch, 0);
                    yield () -> hmc.trajectory(HMC_STEP_SIZE, HMC_MD_STEPS);
                }
            };
            return new Prepared(this, size, batch, run);
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ignored) {
                // a stray temporary file is no reason to fail the measurement
            }
        }
    }

    private CompiledFlow compile(Compiler.Result checked) {
        var ir = Compiler.lower(checked, flow, null).orElseThrow(() -> new IllegalStateException(caseName + ": flow " + flow + " does not lower"));
        return new CompiledFlow(ir, FlowWorkloads.defaultDType(), 0);
    }

    /** The bundled script, copied to a file: the compiler reads scripts from files. */
    private Path scriptFile() {
        try (var in = SuNCase.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the bench jar");
            Path file = Files.createTempFile("equiflow-bench-" + caseName + "-", ".flow");
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
