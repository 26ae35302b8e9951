package org.equiflow.tensor;

import java.util.Locale;
import java.util.Objects;


/**
 * The process-wide current {@link Backend} (the CPU backend unless changed) and the choice
 * behind {@code --device cpu|opencl|auto}. Process-wide rather than per thread because the
 * CPU kernels' worker threads and the caller must agree on it.
 */
public final class Backends {

    private static volatile Backend current = CpuBackend.INSTANCE;

    private Backends() {
    }

    public static Backend current() {
        return current;
    }

    public static void setCurrent(Backend backend) {
        current = Objects.requireNonNull(backend);
    }

    /** Restores the backend that was current before {@link #use}. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** Makes {@code backend} current until the returned scope is closed: {@code try (var s = Backends.use(b)) {..}}. */
    public static Scope use(Backend backend) {
        Backend previous = current;
        setCurrent(backend);
        return () -> setCurrent(previous);
    }

    /** A chosen backend and the one line that tells the user what was picked and why. */
    public record Selection(Backend backend, String summary) {
    }

    /**
     * The backend for a {@code --device} value: {@code cpu}; {@code opencl}, the best OpenCL
     * device, or an exception saying how to get one; {@code auto}, OpenCL only on a GPU, because
     * on a CPU the Vector API kernels beat any OpenCL CPU runtime.
     */
    public static Selection select(String device) {
        String requested = device.strip().toLowerCase(Locale.ROOT);
        return switch (requested) {
            case "cpu" -> new Selection(CpuBackend.INSTANCE, "device: cpu (" + CpuBackend.INSTANCE.description() + ")");
            case "opencl" -> {
                DeviceBackendProvider openCl = DeviceBackendProvider.named("opencl").orElseThrow(() -> new IllegalStateException(
                        "--device opencl: this build has no OpenCL backend (the equiflow-opencl module is not on the class path)."
                                + " Or run with --device cpu."));
                if (!openCl.available()) {
                    throw new IllegalStateException("--device opencl: no OpenCL device is available ("
                            + openCl.unavailableReason() + "). Install an OpenCL driver: on Debian/Ubuntu"
                            + " 'apt-get install pocl-opencl-icd ocl-icd-libopencl1' gives a CPU device; a GPU needs"
                            + " its vendor's OpenCL driver (ICD). Or run with --device cpu.");
                }
                Backend backend = openCl.onBestDevice();
                yield new Selection(backend, "device: opencl (" + backend.description() + ")");
            }
            case "auto" -> {
                var openCl = DeviceBackendProvider.named("opencl");
                if (openCl.isPresent() && openCl.get().gpuAvailable()) {
                    Backend backend = openCl.get().onBestDevice();
                    yield new Selection(backend, "device: auto -> opencl (" + backend.description() + ")");
                }
                String why = openCl.isEmpty() ? "this build has no OpenCL backend"
                        : openCl.get().available()
                                ? "no OpenCL GPU; the CPU backend is faster than OpenCL on " + openCl.get().deviceDescriptions().getFirst()
                                : "no OpenCL device: " + openCl.get().unavailableReason();
                yield new Selection(CpuBackend.INSTANCE, "device: auto -> cpu (" + why + ")");
            }
            default -> throw new IllegalArgumentException("--device must be cpu, opencl or auto, got '" + device + "'");
        };
    }
}
