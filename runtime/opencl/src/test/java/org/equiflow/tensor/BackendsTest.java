package org.equiflow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.equiflow.tensor.opencl.OpenClBackend;

/** {@code --device} selection; runs with or without an OpenCL device and checks the right branch. */
class BackendsTest {

    @Test
    void cpuIsTheDefaultAndSelectable() {
        assertSame(CpuBackend.INSTANCE, Backends.current());
        var selection = Backends.select(" CPU ");
        assertSame(CpuBackend.INSTANCE, selection.backend());
        assertTrue(selection.summary().startsWith("device: cpu"), selection.summary());
    }

    @Test
    void unknownDeviceIsRejectedWithTheChoices() {
        var error = assertThrows(IllegalArgumentException.class, () -> Backends.select("gpu"));
        assertTrue(error.getMessage().contains("cpu, opencl or auto"), error.getMessage());
    }

    @Test
    void openClIsTheBestDeviceOrAnErrorSayingHowToInstallOne() {
        if (OpenClBackend.available()) {
            var selection = Backends.select("opencl");
            assertEquals("opencl", selection.backend().name());
            assertTrue(selection.summary().contains(OpenClBackend.deviceDescriptions().getFirst()), selection.summary());
        } else {
            var error = assertThrows(IllegalStateException.class, () -> Backends.select("opencl"));
            assertTrue(error.getMessage().contains("pocl-opencl-icd") && error.getMessage().contains("--device cpu"),
                    error.getMessage());
        }
    }

    @Test
    void autoTakesOpenClOnlyOnAGpu() {
        var selection = Backends.select("auto");
        assertEquals(OpenClBackend.gpuAvailable() ? "opencl" : "cpu", selection.backend().name());
        assertTrue(selection.summary().startsWith("device: auto -> " + selection.backend().name()), selection.summary());
    }

    @Test
    void useRestoresThePreviousBackend() {
        Backend other = new Backend() {
            public String name() { return "recording"; }
            public String description() { return "test backend"; }
            public void forward(Primitive primitive, java.util.List<Tensor> inputs, Tensor out) {
                out.set(0, 42.0);
            }
        };
        try (var scope = Backends.use(other)) {
            assertEquals(42.0, Ops.neg(Tensor.zeros(Shape.scalar(), DType.F32)).get(0), "Ops must dispatch to the current backend");
        }
        assertSame(CpuBackend.INSTANCE, Backends.current());
    }
}
