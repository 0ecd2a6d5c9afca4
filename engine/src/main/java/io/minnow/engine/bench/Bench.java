package io.minnow.engine.bench;

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
