package org.equiflow.truffle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.equiflow.tensor.Tape;
import org.equiflow.compiler.Compiler;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Ops;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.opencl.OpenClBackend;
import org.equiflow.tensor.opencl.OpenClTestDevice;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole compiled program on the OpenCL backend — every node of the Truffle tree launching
 * device kernels — against the CPU backend: the flow's forward map, log q, the action, and the
 * gradient of the training loss with respect to every parameter.
 */
@Tag("opencl")
class OpenClProgramTest {
    @TempDir
    Path dir;

    @Test
    void aTrainingStepGivesTheSameLossAndGradientsOnOpenClAndCpu() throws IOException {
        assertTheSameOnOpenClAndCpu("""
                use std.theories.phi4
                use std.nets.cnn
                use std.masks.checkerboard
                theory T = phi4(lattice = [4, 4], m2 = -4.0, lambda = 8.0)
                flow f for T {
                    prior normal()
                    repeat i in 0..4 {
                        affine(mask = checkerboard(parity = i % 2), net = cnn(hidden = [4, 4], out_act = tanh))
                    }
                }
                """);
    }

    @Test
    void aGaugeEquivariantTrainingStepGivesTheSameLossAndGradientsOnOpenClAndCpu() throws IOException {
        assertTheSameOnOpenClAndCpu("""
                use std.theories.u1
                use std.nets.cnn
                use std.gauge.*
                theory T = u1(lattice = [4, 4], beta = 2.0)
                flow f for T {
                    prior haar
                    repeat i in 0..4 {
                        plaquette_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4),
                                           transform = ncp_mixture(components = 2), net = cnn(hidden = [4], kernel = 3))
                    }
                    repeat i in 4..6 {
                        plaquette_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4),
                                           transform = circular_spline(bins = 4), net = cnn(hidden = [4], kernel = 3))
                    }
                }
                """);
    }

    @Test
    void anSu2SpectralTrainingStepGivesTheSameLossAndGradientsOnOpenClAndCpu() throws IOException {
        assertTheSameOnOpenClAndCpu("""
                use std.theories.su2
                use std.nets.cnn
                use std.gauge.{spectral_coupling, link_mask}
                theory T = su2(lattice = [4, 4], beta = 2.2)
                flow f for T {
                    prior haar
                    repeat i in 0..4 {
                        spectral_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4), bins = 4, net = cnn(hidden = [4], kernel = 3))
                    }
                }
                """);
    }

    /** SU(3): the alcove eigenphases run on the host inside the device program (no kernel of their own). */
    @Test
    void anSu3SpectralTrainingStepGivesTheSameLossAndGradientsOnOpenClAndCpu() throws IOException {
        assertTheSameOnOpenClAndCpu("""
                use std.theories.su3
                use std.nets.cnn
                use std.gauge.{spectral_coupling, link_mask}
                theory T = su3(lattice = [4, 4], beta = 5.0)
                flow f for T {
                    prior haar
                    repeat i in 0..4 {
                        spectral_coupling(links = link_mask(mu = i % 2, offset = (i / 2) % 4), bins = 4, net = cnn(hidden = [4], kernel = 3))
                    }
                }
                """);
    }

    private void assertTheSameOnOpenClAndCpu(String source) throws IOException {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        Path script = dir.resolve("t.flow");
        Files.writeString(script, source);
        var checked = Compiler.check(script, "t.flow", Map.of());
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        var ir = Compiler.lower(checked, "f", null).orElseThrow();
        var cpuFlow = new CompiledFlow(ir, DType.F32, 5);
        var deviceFlow = new CompiledFlow(ir, DType.F32, 5);
        Tensor z = cpuFlow.samplePrior(16, new SplittableRandom(8));

        double cpuLoss = lossAndGradients(cpuFlow, z);
        long launchesBefore = device.launches().values().stream().mapToLong(OpenClBackend.LaunchCount::onDevice).sum();
        double deviceLoss;
        try (var scope = Backends.use(device)) {
            deviceLoss = lossAndGradients(deviceFlow, z);
        }
        long launches = device.launches().values().stream().mapToLong(OpenClBackend.LaunchCount::onDevice).sum() - launchesBefore;
        assertTrue(launches > 100, "the program should have run on the device, launched " + launches + " kernels");
        assertEquals(cpuLoss, deviceLoss, 1e-4 * Math.abs(cpuLoss));
        for (String name : cpuFlow.parameterNames()) {
            Tensor a = cpuFlow.parameters().get(name).grad(), b = deviceFlow.parameters().get(name).grad();
            double scale = 0;
            for (int i = 0; i < a.size(); i++) scale = Math.max(scale, Math.abs(a.get(i)));
            for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), 1e-3 * scale + 1e-6, name + "[" + i + "]");
        }
    }

    private static double lossAndGradients(CompiledFlow flow, Tensor z) {
        try (Tape tape = Tape.open()) {
            CompiledFlow.Forward out = flow.forward(z);
            Tensor loss = Ops.meanOverBatch(Ops.add(Ops.sub(flow.logPrior(z), out.logDet()), flow.action(out.x())));
            tape.backward(loss);
            return loss.get(0);
        }
    }
}
