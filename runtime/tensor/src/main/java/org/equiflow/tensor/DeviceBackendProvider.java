package org.equiflow.tensor;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A backend that runs the primitives on a device other than this machine's CPU threads (OpenCL
 * today), found through {@link ServiceLoader} so that the tensor layer never names it: the device
 * module registers itself in {@code META-INF/services}, and without it on the class path
 * {@code --device opencl} says so instead of failing to link.
 */
public interface DeviceBackendProvider {

    /** The {@code --device} value that asks for this backend: "opencl". */
    String name();

    /** Whether a device this backend can use is present and working. */
    boolean available();

    /** Why {@link #available()} is false, in words for the user. */
    String unavailableReason();

    /** Whether one of the available devices is a GPU (so {@code --device auto} prefers it to the CPU backend). */
    boolean gpuAvailable();

    /** One line per available device, best first. */
    List<String> deviceDescriptions();

    /** The backend on the best available device, falling back to the CPU with a warning when a kernel cannot run there. */
    Backend onBestDevice();

    /** The provider registered for {@code name}, if its module is on the class path. */
    static Optional<DeviceBackendProvider> named(String name) {
        for (DeviceBackendProvider provider : ServiceLoader.load(DeviceBackendProvider.class)) {
            if (provider.name().equals(name)) return Optional.of(provider);
        }
        return Optional.empty();
    }
}
