package org.equiflow.tensor.opencl;

import java.util.List;
import java.util.SplittableRandom;

import org.equiflow.tensor.Backend;
import org.equiflow.tensor.Conv;
import org.equiflow.tensor.CpuBackend;
import org.equiflow.tensor.DType;
import org.equiflow.tensor.Shape;
import org.equiflow.tensor.Tensor;

/**
 * Not a test: milliseconds per float32 periodic convolution {@code [B, Cin, L, L] -> [B, Cout, L, L]},
 * k = 3, on the CPU backend and on the best OpenCL device (transfers included, as a training
 * step pays them). Run with the test classpath:
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp ... OpenClConvTiming [B] [L] [Cin] [Cout]}.
 */
public final class OpenClConvTiming {

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int extent = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int inChannels = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int outChannels = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        SplittableRandom random = new SplittableRandom(3);
        List<Tensor> inputs = List.of(
                Tensor.randn(new Shape(batch, inChannels, extent, extent), DType.F32, random),
                Tensor.randn(new Shape(outChannels, inChannels, 3, 3), DType.F32, random),
                Tensor.randn(Shape.perConfiguration(1, outChannels), DType.F32, random));
        Shape outShape = new Shape(batch, outChannels, extent, extent);
        OpenClBackend openCl = OpenClBackend.onBestDevice(OpenClBackend.FallbackPolicy.FAIL);
        System.out.printf("conv [%d, %d, %d, %d] -> %d channels, k=3%n", batch, inChannels, extent, extent, outChannels);
        for (Backend backend : List.of(CpuBackend.INSTANCE, openCl)) {
            Tensor out = Tensor.zeros(outShape, DType.F32);
            for (int i = 0; i < 20; i++) backend.forward(new Conv(), inputs, out);
            int repetitions = 100;
            long start = System.nanoTime();
            for (int i = 0; i < repetitions; i++) backend.forward(new Conv(), inputs, out);
            double millis = (System.nanoTime() - start) / 1e6 / repetitions;
            System.out.printf("%-8s %8.3f ms  (%s)%n", backend.name(), millis, backend.description());
        }
        openCl.dispose();
    }
}
