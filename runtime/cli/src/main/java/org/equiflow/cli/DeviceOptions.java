package org.equiflow.cli;

import java.io.PrintWriter;

import org.equiflow.api.RunFailure;
import org.equiflow.tensor.Backends;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|opencl|auto}, for any command that runs tensors: add it with
 * {@code @Mixin DeviceOptions device;} and call {@link #activate} before the first op.
 */
final class DeviceOptions {
    @Option(names = "--device", paramLabel = "cpu|opencl|auto", defaultValue = "cpu",
            description = "Where kernels run: cpu (default), opencl (the best OpenCL device), or auto"
                    + " (OpenCL on a GPU, otherwise cpu).")
    String device;

    /** Makes the chosen backend current and prints which one it is, in one line, to err. */
    Backends.Selection activate(PrintWriter err) {
        Backends.Selection selection;
        try {
            selection = Backends.select(device);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new RunFailure(e.getMessage());
        }
        Backends.setCurrent(selection.backend());
        if (!device.equals("cpu")) err.println(selection.summary());
        err.flush();
        return selection;
    }
}
