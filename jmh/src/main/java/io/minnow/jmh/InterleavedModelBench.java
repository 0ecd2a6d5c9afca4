package io.minnow.jmh;

import io.minnow.engine.bench.Bench;
import io.minnow.engine.bench.BenchResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole-model comparisons of {@link ModelBench} (Minnow fp32 vs ONNX Runtime fp32) and {@link QuantModelBench}
 * (Minnow q8 vs Minnow fp32 vs ORT on the exported QDQ model), timed in alternating turns instead of one after
 * the other.
 *
 * <p>Why: JMH runs every configuration of one benchmark method before the next method, so Minnow's and ORT's
 * samples of the same model are taken minutes apart. On a shared virtual machine whose speed drifts by tens of
 * percent over minutes, that drift lands in the ratio (in one run: the same Minnow fp32 lenet5 batch-64 p50 was
 * 7.6 ms in ModelBench and 5.4 ms in QuantModelBench). Here each round gives every engine a turn of
 * {@code --turn-ms} ({@link Bench#interleaved}: same setup code, same inputs, wall-clock time per run), so every
 * engine sees the same machine and the ratio of the p50s is what the targets judge.
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.minnow.jmh.InterleavedModelBench [--suite models|quant-models|both]
 *      [--models a,b] [--batch 1,64] [--threads 1,2] [--rounds 20] [--turn-ms 100] [--warmup-ms 2000]
 *      [--out reports/interleaved-models.json]
 * </pre>
 * The output is JMH's JSON format (sample mode, us/op, the per-run samples as the raw histogram) with benchmark
 * names {@code io.minnow.jmh.InterleavedModelBench.<engine>} and {@code io.minnow.jmh.InterleavedQuantModelBench.<engine>},
 * so {@link PerfReport} reads it beside the JMH files.
 */
public final class InterleavedModelBench {
    private InterleavedModelBench() {}

    public static void main(String[] args) throws Exception {
        String suite = "both";
        List<String> models = List.of("lenet300", "lenet5", "resnet", "mobilenet");
        List<Integer> batches = List.of(1, 64), threads = List.of(1, 2), quantBatches = List.of(1), quantThreads = List.of(1);
        int rounds = 20;
        long turnMs = 100, warmupMs = 2000;
        Path out = Path.of("reports/interleaved-models.json");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--suite" -> suite = v;
                case "--models" -> models = List.of(v.split(","));
                case "--batch" -> batches = ints(v);
                case "--threads" -> threads = ints(v);
                case "--quant-batch" -> quantBatches = ints(v);
                case "--quant-threads" -> quantThreads = ints(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--turn-ms" -> turnMs = Long.parseLong(v);
                case "--warmup-ms" -> warmupMs = Long.parseLong(v);
                case "--out" -> out = Path.of(v);
                default -> {
                    System.err.println("InterleavedModelBench: unknown argument " + args[i]);
                    System.exit(2);
                }
            }
            i++;
        }
        if (!List.of("models", "quant-models", "both").contains(suite)) throw new IllegalArgumentException("--suite " + suite);
        List<String> entries = new ArrayList<>();
        Timing timing = new Timing(rounds, turnMs, warmupMs);
        for (String model : models) {
            if (!suite.equals("quant-models")) {
                entries.addAll(grid("InterleavedModelBench", ModelBench.ENGINES, model, batches, threads, timing,
                        (b, t) -> ModelBench.open(model, b, t)));
            }
            if (!suite.equals("models")) {
                entries.addAll(grid("InterleavedQuantModelBench", QuantModelBench.ENGINES, model, quantBatches, quantThreads,
                        timing, (b, t) -> QuantModelBench.open(model, b, t)));
            }
        }
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, "[\n" + String.join(",\n", entries) + "\n]\n");
        System.err.println("InterleavedModelBench: wrote " + out);
    }

    /** How long the turns are: {@link Bench#interleaved}'s rounds, turn and warm-up. */
    private record Timing(int rounds, long turnMs, long warmupMs) {}

    @FunctionalInterface
    private interface Opener {
        ComparedBench open(int batch, int threads) throws Exception;
    }

    /** Every (batch, threads) of one model for one suite, each set up, measured and torn down in turn. */
    private static List<String> grid(String suite, List<String> engines, String model, List<Integer> batches,
                                     List<Integer> threads, Timing timing, Opener opener) throws Exception {
        List<String> entries = new ArrayList<>();
        for (int b : batches) {
            for (int t : threads) {
                ComparedBench bench = opener.open(b, t);
                try {
                    entries.addAll(measure(suite, engines, bench.bodies(), model, b, t, timing));
                } finally {
                    bench.tearDown();
                }
            }
        }
        return entries;
    }

    /** One configuration: the engines in turns; a JSON entry per engine; a progress line with the ratios. */
    private static List<String> measure(String suite, List<String> engines, List<Bench.Body> bodies, String model, int batch,
                                        int threads, Timing timing) throws Exception {
        long[][] samples = Bench.interleaved(timing.warmupMs() * 1_000_000L, timing.rounds(), timing.turnMs() * 1_000_000L, bodies);
        List<String> entries = new ArrayList<>();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %s batch %d threads %d:", suite, model, batch, threads));
        double first = Double.NaN;
        for (int e = 0; e < engines.size(); e++) {
            BenchResult r = BenchResult.of(samples[e]);
            if (e == 0) first = r.p50Micros();
            line.append(String.format(Locale.ROOT, " %s p50 %.1f us (%d runs)%s", engines.get(e), r.p50Micros(), r.runs(),
                    e == 0 ? "" : String.format(Locale.ROOT, " [%.2f]", first / r.p50Micros())));
            entries.add(entry("io.minnow.jmh." + suite + "." + engines.get(e), model, batch, threads, r, samples[e]));
        }
        System.err.println(line);
        return entries;
    }

    /** A JMH-format sample-mode entry: the per-run samples as the raw histogram, in µs rounded to 0.1 µs. */
    static String entry(String benchmark, String model, int batch, int threads, BenchResult r, long[] samples) {
        return entry(benchmark, String.format(Locale.ROOT, "\"model\":\"%s\",\"batch\":\"%d\",\"threads\":\"%d\"",
                model, batch, threads), r, samples);
    }

    /** The same with the params object's members given as JSON text ({@code "name":"value",...}). */
    static String entry(String benchmark, String params, BenchResult r, long[] samples) {
        Map<Long, Integer> hist = new TreeMap<>();
        for (long s : samples) hist.merge(Math.round(s / 100.0), 1, Integer::sum); // units of 0.1 µs
        StringBuilder h = new StringBuilder();
        for (var e : hist.entrySet()) {
            if (!h.isEmpty()) h.append(',');
            h.append('[').append(e.getKey() / 10.0).append(',').append(e.getValue()).append(']');
        }
        return String.format(Locale.ROOT, "{\"benchmark\":\"%s\",\"mode\":\"sample\",\"threads\":1,\"forks\":1,"
                        + "\"params\":{%s},"
                        + "\"primaryMetric\":{\"score\":%s,\"scoreUnit\":\"us/op\",\"rawDataHistogram\":[[[%s]]]}}",
                benchmark, params, r.p50Micros(), h);
    }

    /** "1,64" as integers (the command-line lists of both interleaved benches). */
    static List<Integer> ints(String csv) {
        List<Integer> out = new ArrayList<>();
        for (String s : csv.split(",")) out.add(Integer.parseInt(s.trim()));
        return out;
    }
}
