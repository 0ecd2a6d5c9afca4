package io.minnow.engine.bench;

import java.util.Arrays;

/**
 * Latency statistics of one measurement: the number of timed runs and their distribution in
 * nanoseconds. Percentiles use the nearest-rank method on the sorted samples.
 */
public record BenchResult(int runs, long p50Nanos, long p99Nanos, double meanNanos, long minNanos, long maxNanos) {

    /** Statistics of raw per-run samples (nanoseconds); the array is not modified. */
    public static BenchResult of(long[] samples) {
        if (samples.length == 0) throw new IllegalArgumentException("no samples");
        long[] s = samples.clone();
        Arrays.sort(s);
        double sum = 0;
        for (long v : s) sum += v;
        return new BenchResult(s.length, percentile(s, 50), percentile(s, 99), sum / s.length, s[0], s[s.length - 1]);
    }

    /** Nearest-rank percentile of sorted samples: the smallest value with at least p% of samples at or below it. */
    public static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) throw new IllegalArgumentException("no samples");
        if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
    }

    public double p50Micros() { return p50Nanos / 1e3; }
    public double p99Micros() { return p99Nanos / 1e3; }
    public double meanMicros() { return meanNanos / 1e3; }

    @Override
    public String toString() {
        return String.format("p50 %.1f us, p99 %.1f us, mean %.1f us over %d runs", p50Micros(), p99Micros(), meanMicros(), runs);
    }
}
