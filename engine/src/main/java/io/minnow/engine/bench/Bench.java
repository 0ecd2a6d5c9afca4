package io.minnow.engine.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The timing core behind {@code minnow bench} and {@code minnow demo}: run the body {@code warmup} times
 * untimed (JIT, caches, arena), then time each of {@code iters} runs on its own with
 * {@link System#nanoTime()}. Per-run samples keep the tail visible (p99), which an average over a loop
 * would hide. Reported numbers come from JMH; this is the quick, honest look the command line gives.
 */
public final class Bench {
    /** Something to time; its result is kept alive so the JIT cannot drop the work. */
    @FunctionalInterface
    public interface Body {
        Object run() throws Exception;
    }

    private static volatile Object sink;

    private Bench() {}

    /** Warms up, then times {@code iters} single runs. */
    public static BenchResult measure(int warmup, int iters, Body body) throws Exception {
        if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
        for (int i = 0; i < warmup; i++) sink = body.run();
        long[] samples = new long[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            Object r = body.run();
            samples[i] = System.nanoTime() - t0;
            sink = r;
        }
        sink = null;
        return BenchResult.of(samples);
    }

    /**
     * Times several bodies against each other in turns, so that they share the machine's state: each of
     * {@code rounds} rounds gives every body one turn of about {@code turnNanos} (at least one run), in
     * forward order on even rounds and reverse order on odd ones (no body always follows the same one).
     * On a shared host whose speed drifts over seconds, ratios of these samples are far steadier than ratios
     * of measurements taken minutes apart. Each body is first warmed for about {@code warmupNanos} (at
     * least one run). Returns the per-run samples of each body, in nanoseconds, in the order of {@code bodies}.
     */
    public static long[][] interleaved(long warmupNanos, int rounds, long turnNanos, List<Body> bodies) throws Exception {
        if (bodies.isEmpty()) throw new IllegalArgumentException("no bodies to time");
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        if (warmupNanos < 0 || turnNanos < 0) throw new IllegalArgumentException("negative warm-up or turn time");
        for (Body b : bodies) {
            long end = System.nanoTime() + warmupNanos;
            do sink = b.run(); while (System.nanoTime() < end);
        }
        int n = bodies.size();
        long[][] samples = new long[n][16];
        int[] counts = new int[n];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                int which = round % 2 == 0 ? i : n - 1 - i;
                Body b = bodies.get(which);
                long turnEnd = System.nanoTime() + turnNanos;
                long t1;
                do {
                    long t0 = System.nanoTime();
                    Object r = b.run();
                    t1 = System.nanoTime();
                    sink = r;
                    if (counts[which] == samples[which].length) samples[which] = Arrays.copyOf(samples[which], 2 * counts[which]);
                    samples[which][counts[which]++] = t1 - t0;
                } while (t1 < turnEnd);
            }
        }
        sink = null;
        for (int i = 0; i < n; i++) samples[i] = Arrays.copyOf(samples[i], counts[i]);
        return samples;
    }

    /**
     * Like {@link #measure}, but picks the number of timed runs to fill about {@code budgetNanos}
     * (bounded by {@code minIters} and {@code maxIters}), judged from the warm-up runs.
     */
    public static BenchResult measureFor(long budgetNanos, int warmup, int minIters, int maxIters, Body body) throws Exception {
        if (minIters < 1 || maxIters < minIters) throw new IllegalArgumentException("need 1 <= minIters <= maxIters");
        int w = Math.max(warmup, 1);
        long t0 = System.nanoTime();
        for (int i = 0; i < w; i++) sink = body.run();
        long perRun = Math.max((System.nanoTime() - t0) / w, 1);
        long iters = Math.clamp(budgetNanos / perRun, minIters, maxIters);
        return measure(0, (int) iters, body);
    }
}
