package io.minnow.jmh;

import io.minnow.engine.bench.BenchResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a JMH JSON result file ({@code -rf json}): which benchmark with which {@code @Param}s, its
 * primary score, and in sample mode the raw per-invocation histogram.
 *
 * @param benchmark  fully qualified, e.g. {@code io.minnow.jmh.ModelBench.minnow}
 * @param histogram  sample mode: (time, count) pairs over all forks and measurement iterations, in
 *                   {@code unit}; empty otherwise
 */
public record JmhResult(String benchmark, String mode, Map<String, String> params, double score, String unit,
                        List<double[]> histogram) {

    /** {@code ModelBench.minnow} from {@code io.minnow.jmh.ModelBench.minnow}. */
    public String shortName() {
        String[] parts = benchmark.split("\\.");
        return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    public String param(String name) {
        return params.get(name);
    }

    /** The score in microseconds per op (time units only). */
    public double micros() {
        return score * microsPer(unit);
    }

    /**
     * p50/p99 of the sampled runs with the statistics of {@code minnow bench} ({@link BenchResult}:
     * nearest rank on the per-run samples), or null when the entry has no samples (not sample mode).
     */
    public BenchResult latency() {
        long n = 0;
        for (double[] vc : histogram) n += (long) vc[1];
        if (n == 0) return null;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException(benchmark + ": " + n + " samples");
        double toNanos = microsPer(unit) * 1e3;
        long[] samples = new long[(int) n];
        int i = 0;
        for (double[] vc : histogram) {
            long v = Math.round(vc[0] * toNanos);
            for (long c = 0; c < (long) vc[1]; c++) samples[i++] = v;
        }
        return BenchResult.of(samples);
    }

    /** Microseconds in one {@code unit} ({@code us/op} etc.). */
    static double microsPer(String unit) {
        return switch (unit) {
            case "ns/op" -> 1e-3;
            case "us/op" -> 1;
            case "ms/op" -> 1e3;
            case "s/op" -> 1e6;
            default -> throw new IllegalArgumentException("not a time per op: " + unit);
        };
    }

    /** Every entry of a JMH JSON result file's text. */
    @SuppressWarnings("unchecked")
    public static List<JmhResult> parse(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof List<?> list)) throw new IllegalArgumentException("a JMH result file is a JSON array");
        List<JmhResult> out = new ArrayList<>();
        for (Object o : list) {
            Map<String, Object> e = (Map<String, Object>) o;
            Map<String, String> params = new LinkedHashMap<>();
            if (e.get("params") instanceof Map<?, ?> p) p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
            Map<String, Object> pm = (Map<String, Object>) e.get("primaryMetric");
            List<double[]> hist = new ArrayList<>();
            // rawDataHistogram: forks -> iterations -> [value, count] pairs
            if (pm.get("rawDataHistogram") instanceof List<?> forks) {
                for (Object fork : forks) {
                    for (Object iter : (List<?>) fork) {
                        for (Object pair : (List<?>) iter) {
                            List<?> vc = (List<?>) pair;
                            hist.add(new double[]{number(vc.get(0)), number(vc.get(1))});
                        }
                    }
                }
            }
            out.add(new JmhResult((String) e.get("benchmark"), (String) e.get("mode"), params, number(pm.get("score")),
                    (String) pm.get("scoreUnit"), hist));
        }
        return out;
    }

    private static double number(Object o) {
        if (o instanceof Double d) return d;
        if (o instanceof String s) return Double.parseDouble(s); // JMH writes "NaN" as a string
        throw new IllegalArgumentException("not a number: " + o);
    }
}
