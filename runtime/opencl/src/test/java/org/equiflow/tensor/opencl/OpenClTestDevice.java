package org.equiflow.tensor.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one OpenCL backend the tests share (so each kernel is compiled once per test run), in
 * the strict policy: a kernel that Aparapi runs on Java threads instead fails the test. Device
 * results poison their host arrays with NaN until synced, so a host read that bypasses the
 * sync shows up as NaN in the test that makes it (on PoCL the device buffer would otherwise
 * share memory with the host and hide it).
 *
 * <p>{@code -Dequiflow.opencl.require=device} fails (instead of skipping) the tests where no
 * OpenCL device exists; {@code -Dequiflow.opencl.require=gpu} also fails them where the best
 * device is not a GPU, so a run meant for a GPU cannot pass on a CPU's OpenCL (the GPU bundle of
 * tools/gpu-bundle sets it).
 */
public final class OpenClTestDevice {

    private static OpenClBackend backend;

    private OpenClTestDevice() {
    }

    /**
     * The backend, or a skipped test where no OpenCL device exists. On CI ({@code CI=true}) a
     * missing device fails instead: CI installs PoCL, so its absence is a broken setup. So it
     * does under {@code -Dequiflow.opencl.require=device|gpu}, and under {@code gpu} a best
     * device that is not a GPU fails too.
     */
    public static synchronized OpenClBackend backendOrSkip() {
        String require = System.getProperty("equiflow.opencl.require", "");
        if (!require.isEmpty() && !require.equals("device") && !require.equals("gpu")) {
            fail("-Dequiflow.opencl.require=" + require + ": expected device or gpu");
        }
        if (!OpenClBackend.available()) {
            String message = "no OpenCL device (" + OpenClBackend.unavailableReason()
                    + "); install pocl-opencl-icd and ocl-icd-libopencl1 to run the OpenCL tests on the CPU";
            if ("true".equals(System.getenv("CI"))) fail("CI=true, but " + message);
            if (!require.isEmpty()) fail("-Dequiflow.opencl.require=" + require + ", but " + message);
            assumeTrue(false, message);
        }
        if (backend == null) {
            backend = OpenClBackend.onBestDevice(OpenClBackend.FallbackPolicy.FAIL);
            backend.poisonStaleHostArrays(true);
            System.out.println("OpenCL tests run on: " + backend.description());
        }
        if (require.equals("gpu") && !backend.deviceIsGpu()) {
            fail("-Dequiflow.opencl.require=gpu, but the best OpenCL device is " + backend.description());
        }
        return backend;
    }
}
