package org.equiflow.tensor.opencl;

import java.util.List;
import org.equiflow.tensor.Backend;
import org.equiflow.tensor.DeviceBackendProvider;

/** Registers the OpenCL backend for {@code --device opencl|auto} (see META-INF/services). */
public final class OpenClBackendProvider implements DeviceBackendProvider {

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public boolean available() {
        return OpenClBackend.available();
    }

    @Override
    public String unavailableReason() {
        return OpenClBackend.unavailableReason();
    }

    @Override
    public boolean gpuAvailable() {
        return OpenClBackend.gpuAvailable();
    }

    @Override
    public List<String> deviceDescriptions() {
        return OpenClBackend.deviceDescriptions();
    }

    @Override
    public Backend onBestDevice() {
        return OpenClBackend.onBestDevice(OpenClBackend.FallbackPolicy.WARN);
    }
}
