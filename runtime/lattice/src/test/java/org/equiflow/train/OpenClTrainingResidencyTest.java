package org.equiflow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.equiflow.compiler.Compiler;
import org.equiflow.tensor.Backends;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Tensor;
import org.equiflow.tensor.opencl.OpenClBackend;
import org.equiflow.tensor.opencl.OpenClTestDevice;
import org.equiflow.truffle.CompiledFlow;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.equiflow.testing.Repository;

/**
 * Training the tutorial's φ⁴ model (examples/phi4_tutorial.flow, 16 affine couplings, on a 4×4
 * lattice) on the OpenCL backend keeps its tensors on the device: after warm-up, a step copies
 * to the host only what host code reads (the gradients for Adam, the loss, the per-configuration
 * action and log q) and to the device only what the host changed (the parameters Adam updated
 * and the prior sample) — not the activations of its thousands of kernel launches — and the
 * gradients and parameters cross in one gathered copy each, not one copy per tensor. And the
 * steps give the CPU backend's losses and parameters, so the host and device copies stayed in
 * step across Adam updates.
 */
@Tag("opencl")
class OpenClTrainingResidencyTest {
    private static final Path REPO = Repository.root();
    private static final int BATCH = 32;
    private static final int WARM_UP = 2;
    private static final int MEASURED = 2;
    /** What host code reads or writes per step besides parameters and gradients: loss, action, log q, the prior sample, a few spare. */
    private static final int PER_STEP_VALUES = 8;
    /**
     * Copies per step each way: the gathered gradients (and the table of where they are), the
     * gathered parameters (and their table), the prior sample, loss, action and log q.
     */
    private static final int COPIES_PER_STEP = 8;

    @Test
    void aTrainingStepCopiesParametersAndPerConfigurationValuesNotActivations() {
        OpenClBackend device = OpenClTestDevice.backendOrSkip();
        CompiledFlow cpuFlow = tutorialFlow(), deviceFlow = tutorialFlow();
        Trainer cpu = new Trainer(cpuFlow, Trainer.adamFor(cpuFlow, 1e-3), 5);
        Trainer onDevice = new Trainer(deviceFlow, Trainer.adamFor(deviceFlow, 1e-3), 5);

        // The test backend is shared: measure what these steps leave, not what others left.
        long residentBefore = device.residentBytes();
        OpenClBackend.Transfers before = null;
        long launchesBefore = 0;
        try (var scope = Backends.use(device)) {
            for (int step = 0; step < WARM_UP + MEASURED; step++) {
                if (step == WARM_UP) {
                    before = device.transfers();
                    launchesBefore = launches(device);
                }
                double expected = cpuStep(cpu, step);
                double actual = onDevice.step(step, BATCH).loss();
                assertEquals(expected, actual, 1e-4 * Math.abs(expected), "loss of step " + step);
            }
        }
        OpenClBackend.Transfers perRun = device.transfers().minus(before);
        // The step's arena round discarded its results: only the flow's constants (masks) stay.
        long resident = device.residentBytes() - residentBefore;
        assertTrue(resident < 64 * 1024, "after the steps " + resident + " B of tensors stay on the device");
        long launchesPerStep = (launches(device) - launchesBefore) / MEASURED;

        int parameters = 0;
        long parameterBytes = 0;
        for (Tensor p : deviceFlow.parameters().all()) {
            parameters++;
            parameterBytes += (long) p.size() * Float.BYTES;
        }
        long toHostPerStep = perRun.toHost() / MEASURED, toDevicePerStep = perRun.toDevice() / MEASURED;
        long toHostBytesPerStep = perRun.toHostBytes() / MEASURED, toDeviceBytesPerStep = perRun.toDeviceBytes() / MEASURED;
        String report = "per step: " + launchesPerStep + " launches, " + toHostPerStep + " copies to the host ("
                + toHostBytesPerStep + " B), " + toDevicePerStep + " to the device (" + toDeviceBytesPerStep + " B); "
                + parameters + " parameter tensors of " + parameterBytes + " B in all";
        System.out.println("OpenCL training residency, L=4 B=" + BATCH + ": " + report);

        assertTrue(launchesPerStep > 500, "the step should run on the device: " + report);
        // Copies: the gradients and the parameters each in one gathered copy, plus the per-configuration values.
        assertTrue(toHostPerStep <= COPIES_PER_STEP, report);
        assertTrue(toDevicePerStep <= COPIES_PER_STEP, report);
        // Bytes: a copy moves a staging array at most four times its values, and at least 256 B.
        long perConfiguration = (long) PER_STEP_VALUES * BATCH * 16 * Float.BYTES;
        long bound = 4 * (parameterBytes + perConfiguration) + 256L * (parameters + PER_STEP_VALUES);
        assertTrue(toHostBytesPerStep <= bound, report + "; bound " + bound + " B");
        assertTrue(toDeviceBytesPerStep <= bound, report + "; bound " + bound + " B");

        for (String name : cpuFlow.parameterNames()) {
            Tensor a = cpuFlow.parameters().get(name), b = deviceFlow.parameters().get(name);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i), b.get(i), 1e-4 * Math.abs(a.get(i)) + 1e-5, name + "[" + i + "] after " + (WARM_UP + MEASURED) + " steps");
            }
        }
    }

    private static double cpuStep(Trainer cpu, int step) {
        try (var scope = Backends.use(org.equiflow.tensor.CpuBackend.INSTANCE)) {
            return cpu.step(step, BATCH).loss();
        }
    }

    private static long launches(OpenClBackend device) {
        return device.launches().values().stream().mapToLong(OpenClBackend.LaunchCount::onDevice).sum();
    }

    private static CompiledFlow tutorialFlow() {
        Path script = REPO.resolve("examples/phi4_tutorial.flow");
        var checked = Compiler.check(script, "examples/phi4_tutorial.flow", Map.of("T.lattice", "[4,4]"));
        assertTrue(checked.ok(), () -> checked.diagnostics().all().toString());
        return new CompiledFlow(Compiler.lower(checked, "realnvp", null).orElseThrow(), DType.F32, 3);
    }
}
