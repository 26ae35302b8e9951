package org.equiflow.tensor.cpu;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's float32 multiply-add peak as the Java Vector API reaches it: twelve
 * independent chains of fused multiply-adds on the widest vectors, no memory traffic, on
 * {@code threads} threads at once (so that a clock that drops when every core is busy is
 * measured as the kernels meet it). The yardstick a profile divides a convolution's rate by.
 */
public final class MultiplyAddPeak {

    private static final VectorSpecies<Float> V = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: more than the multiply-add latency times the ports, so the chains never wait. */
    private static final int CHAINS = 12;
    /** Multiply-adds per chain per call: short calls, so that C2 compiles the method itself, not only its loop on stack replacement. */
    private static final long ROUND = 10_000;

    private MultiplyAddPeak() {
    }

    /** The measured peak: GFLOP per CPU-second of one thread while all run (a multiply-add counts two). */
    public record Peak(int threads, int lanes, double gigaflopsPerThread) {
    }

    /**
     * Runs every thread for about {@code seconds} after a warm-up of up to half a second (C2
     * compiles the chains first), and reports the slowest thread's rate: the rate every thread
     * can count on.
     */
    public static Peak measure(int threads, double seconds) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        runAll(threads, Math.min(seconds, 0.5));
        double[] rates = runAll(threads, seconds);
        double slowest = Double.MAX_VALUE;
        for (double r : rates) slowest = Math.min(slowest, r);
        return new Peak(threads, V.length(), slowest);
    }

    private static double[] runAll(int threads, double seconds) {
        double[] rates = new double[threads];
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int slot = t;
            Thread thread = new Thread(() -> rates[slot] = runFor(seconds), "multiply-add peak " + t);
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring the multiply-add peak", e);
            }
        }
        return rates;
    }

    /**
     * GFLOP per CPU-second of rounds of multiply-adds on this thread for about {@code seconds} of
     * its CPU time: CPU time, as the profile times kernels, so that a busy machine's other
     * processes lower neither figure.
     */
    private static double runFor(double seconds) {
        var clock = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = clock.getCurrentThreadCpuTime(), end = start + (long) (seconds * 1e9), rounds = 0, now;
        float sink = 0;
        do {
            sink += chains(ROUND, rounds);
            rounds++;
            now = clock.getCurrentThreadCpuTime();
        } while (now < end);
        if (Float.isNaN(sink)) throw new IllegalStateException("the chains diverged");
        return 2.0 * CHAINS * V.length() * ROUND * rounds / (now - start);
    }

    /** {@code iterations} multiply-adds on each of the twelve chains; a contraction, so the values stay finite. */
    private static float chains(long iterations, long seed) {
        FloatVector a0 = FloatVector.broadcast(V, seed % 7), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        FloatVector m = FloatVector.broadcast(V, 0.999f), c = FloatVector.broadcast(V, 1e-3f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
