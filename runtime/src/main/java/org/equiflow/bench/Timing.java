package org.equiflow.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeats a piece of work until enough time and iterations have passed; reports the median. */
public record Timing(double medianSeconds, double q25Seconds, double q75Seconds, int iterations) {

    public static Timing measure(Runnable work, int warmup, int minIterations, double minSeconds, int maxIterations) {
        return measure(work, warmup, 0.0, minIterations, minSeconds, maxIterations);
    }

    /**
     * Warms up for at least {@code warmup} iterations and {@code warmupSeconds}: the Vector API
     * kernels run as slow library code until C2 has compiled them, which takes seconds of
     * running, not a fixed count of iterations.
     */
    public static Timing measure(Runnable work, int warmup, double warmupSeconds, int minIterations, double minSeconds, int maxIterations) {
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) work.run();
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < maxIterations && (times.size() < minIterations || (System.nanoTime() - start) / 1e9 < minSeconds)) {
            long t0 = System.nanoTime();
            work.run();
            times.add((System.nanoTime() - t0) / 1e9);
        }
        Collections.sort(times);
        return new Timing(quantile(times, 0.5), quantile(times, 0.25), quantile(times, 0.75), times.size());
    }

    private static double quantile(List<Double> sorted, double q) {
        double position = q * (sorted.size() - 1);
        int lo = (int) Math.floor(position), hi = (int) Math.ceil(position);
        return sorted.get(lo) + (position - lo) * (sorted.get(hi) - sorted.get(lo));
    }
}
