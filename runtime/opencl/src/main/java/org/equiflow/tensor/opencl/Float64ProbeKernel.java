package org.equiflow.tensor.opencl;

import com.aparapi.Kernel;

/**
 * The smallest float64 kernel: if it does not run on the device, the device lacks float64
 * (cl_khr_fp64) rather than some real kernel using a construct Aparapi cannot translate.
 */
final class Float64ProbeKernel extends Kernel {

    double[] values = new double[] {1.5};

    @Override
    public void run() {
        int i = getGlobalId();
        values[i] = values[i] * 2.0;
    }
}
