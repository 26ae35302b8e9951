package org.equiflow.distributed;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;

/**
 * The timing behind docs/distributed.md's table: the median time of one collective on vectors of 1, 10⁴
 * and 10⁶ doubles, each call started after a barrier so that the ranks enter together, printed by rank 0.
 * Run it under a launcher, e.g. {@code mpirun -np 2 --oversubscribe java --enable-native-access=ALL-UNNAMED
 * -cp runtime/tensor/target/classes:runtime/tensor/target/test-classes org.equiflow.distributed.MpiAllreduceTiming}.
 */
public final class MpiAllreduceTiming {

    private MpiAllreduceTiming() { }

    public static void main(String[] args) {
        try (Communicator world = Communicators.detect()) {
            if (world.rank() == 0) System.out.println(world.description());
            for (int length : new int[] {1, 10_000, 1_000_000}) {
                int repeats = length >= 1_000_000 ? 40 : length >= 10_000 ? 400 : 4000;
                double[] values = new double[length];
                Arrays.fill(values, world.rank() + 0.5);
                double[] block = values;
                double sum = median(world, repeats, () -> world.allreduceSum(values));
                double ordered = median(world, length >= 1_000_000 ? 20 : repeats, () -> world.allreduceSumOfBlocks(block, length));
                float[] floats = new float[length];
                double single = median(world, repeats, () -> world.allreduceSum(floats));
                // What each call spends outside MPI: the array copied into the kept native buffer, the result out of it.
                double copies;
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buffer = arena.allocate(ValueLayout.JAVA_DOUBLE, length);
                    copies = median(world, repeats, () -> {
                        MemorySegment.copy(values, 0, buffer, ValueLayout.JAVA_DOUBLE, 0, length);
                        double[] result = new double[length];
                        MemorySegment.copy(buffer, ValueLayout.JAVA_DOUBLE, 0, result, 0, length);
                    });
                }
                if (world.rank() == 0) {
                    System.out.printf(Locale.ROOT, "%9d values: allreduceSum double %10.1f µs (of which copies %8.1f µs), float %10.1f µs;"
                            + " allreduceSumOfBlocks (one block a rank) %10.1f µs%n", length, sum * 1e6, copies * 1e6, single * 1e6, ordered * 1e6);
                }
            }
        }
    }

    private static double median(Communicator world, int repeats, Runnable collective) {
        for (int i = 0; i < Math.max(5, repeats / 10); i++) collective.run();   // JIT and the library's first-use paths
        double[] seconds = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            world.barrier();
            long start = System.nanoTime();
            collective.run();
            seconds[i] = (System.nanoTime() - start) * 1e-9;
        }
        Arrays.sort(seconds);
        return seconds[repeats / 2];
    }
}
