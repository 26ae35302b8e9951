package org.equiflow.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Repeats a piece of work until enough time and iterations have passed; reports the median, the
 * quartiles and the fastest iteration of wall time, and the median CPU time of the calling
 * thread. On a shared machine the wall-clock median moves with whatever else runs; the minimum
 * and the thread's CPU time (the whole work when it runs on one thread) move much less.
 */
public record Timing(double medianSeconds, double q25Seconds, double q75Seconds, double minSeconds,
                     double medianCpuSeconds, int iterations) {

    public static Timing measure(Runnable work, int warmup, int minIterations, double minSeconds, int maxIterations) {
        return measure(work, warmup, 0.0, minIterations, minSeconds, maxIterations);
    }

    /**
     * Warms up for at least {@code warmup} iterations and {@code warmupSeconds}: the Vector API
     * kernels run as slow library code until C2 has compiled them, which takes seconds of
     * running, not a fixed count of iterations. {@link #medianCpuSeconds} is NaN where the JVM
     * cannot read a thread's CPU time.
     */
    public static Timing measure(Runnable work, int warmup, double warmupSeconds, int minIterations, double minSeconds, int maxIterations) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        boolean cpu = threads.isCurrentThreadCpuTimeSupported();
        if (cpu && !threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) work.run();
        List<Double> times = new ArrayList<>();
        List<Double> cpuTimes = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < maxIterations && (times.size() < minIterations || (System.nanoTime() - start) / 1e9 < minSeconds)) {
            long c0 = cpu ? threads.getCurrentThreadCpuTime() : 0;
            long t0 = System.nanoTime();
            work.run();
            long t1 = System.nanoTime();
            if (cpu) cpuTimes.add((threads.getCurrentThreadCpuTime() - c0) / 1e9);
            times.add((t1 - t0) / 1e9);
        }
        Collections.sort(times);
        Collections.sort(cpuTimes);
        return new Timing(quantile(times, 0.5), quantile(times, 0.25), quantile(times, 0.75), times.get(0),
                cpu ? quantile(cpuTimes, 0.5) : Double.NaN, times.size());
    }

    private static double quantile(List<Double> sorted, double q) {
        double position = q * (sorted.size() - 1);
        int lo = (int) Math.floor(position), hi = (int) Math.ceil(position);
        return sorted.get(lo) + (position - lo) * (sorted.get(hi) - sorted.get(lo));
    }
}
