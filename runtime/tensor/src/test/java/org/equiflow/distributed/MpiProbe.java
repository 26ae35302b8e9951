package org.equiflow.distributed;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A job MpiCommunicatorTest launches under mpirun: each rank runs the collectives on numbers that depend on
 * its rank and prints what it got, one line each, for the test to compare with what they must be.
 * {@code abort}, {@code exit} (without MPI_Finalize) and {@code kill} (SIGKILL) end rank 1 while rank 0
 * waits in a barrier that could never complete.
 */
public final class MpiProbe {

    /**
     * Four blocks of two values whose sum depends on the order: 1e16 + 1 rounds back to 1e16 (ties to even),
     * so adding left to right gives 1e16, while adding each rank's half first gives 1e16 + 2.
     */
    static final double[] BLOCKS = {1e16, 0.1, 1, 0.2, 1, 0.3, 1, 0.4};

    private MpiProbe() { }

    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "collectives";
        // "singleton": MPI without a launcher, one rank, the library EQUIFLOW_MPI_LIBRARY names (MPICH's, in the test).
        Communicator world = mode.equals("singleton") ? MpiCommunicator.open(System.getenv()) : Communicators.detect();
        int rank = world.rank();
        if (!mode.equals("collectives") && !mode.equals("singleton")) {
            if (rank == 1) {
                switch (mode) {
                    case "abort" -> world.abort(3);
                    case "kill" -> killThisProcess();
                    default -> System.exit(3);   // without MPI_Finalize: the launcher must notice and end the job
                }
            }
            world.barrier();
            System.out.println("rank " + rank + " passed a barrier rank 1 never entered");
            world.close();
            return;
        }
        print(rank, "description", world.description());
        print(rank, "size", world.size());
        // 0.1 + 0.2 and 1e16 + 1: sums whose last bits show the order of addition.
        print(rank, "allreduceSum", Arrays.toString(world.allreduceSum(new double[] {rank + 1, 0.1 * (rank + 1), rank == 0 ? 1e16 : 1})));
        print(rank, "allreduceSumFloat", Arrays.toString(world.allreduceSum(new float[] {0.5f + rank, -rank})));
        print(rank, "allreduceMax", Arrays.toString(world.allreduceMax(new double[] {rank, -rank})));
        // BLOCKS, two values a block: rank 0 holds the first two blocks, rank 1 (if any) the other two.
        double[] blocks = Arrays.copyOfRange(BLOCKS, rank == 0 ? 0 : 4, rank == 0 ? 4 : 8);
        print(rank, "allreduceSumOfBlocks", Arrays.toString(world.allreduceSumOfBlocks(blocks, 2)));
        int last = world.size() - 1;
        double[] fromTheLast = rank == last ? new double[] {3.25, -1e-300} : new double[2];
        world.broadcast(fromTheLast, last);
        print(rank, "broadcast", Arrays.toString(fromTheLast));
        byte[] text = world.broadcast(rank == 0 ? "phi^4 on 2 ranks".getBytes(StandardCharsets.UTF_8) : null, 0);
        print(rank, "broadcastBytes", new String(text, StandardCharsets.UTF_8));
        double[] mine = new double[rank + 1];
        for (int i = 0; i <= rank; i++) mine[i] = 10 * (rank + 1) + i;
        print(rank, "gather", Arrays.toString(world.gather(mine, 0)));
        Thread other = new Thread(() -> {
            try {
                world.barrier();
                print(rank, "otherThread", "called MPI");
            } catch (IllegalStateException e) {
                print(rank, "otherThread", "refused");
            }
        });
        other.start();
        try {
            other.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        world.barrier();
        print(rank, "barrier", "passed");
        world.close();
    }

    private static void killThisProcess() {
        try {
            new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            Thread.sleep(10_000);
        } catch (Exception e) {
            Runtime.getRuntime().halt(4);
        }
    }

    private static void print(int rank, String what, Object value) {
        System.out.println("rank " + rank + " " + what + " " + value);
        System.out.flush();
    }
}
