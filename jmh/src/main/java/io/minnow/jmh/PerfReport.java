package io.minnow.jmh;

import io.minnow.engine.bench.BenchResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads JMH JSON result files and prints the performance tables of the README as Markdown: whole models
 * (Minnow / ONNX Runtime p50, with the dense-fp32 targets), conv layers (GFLOP/s, Minnow / ORT), GEMM
 * (GFLOP/s, % of the FMA peak, against OpenBLAS) and GEMV (GB/s against the DRAM probe). Each section
 * appears when its suite is in the files.
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.minnow.jmh.PerfReport reports/jmh-*.json [--peak GFLOPS] [--dram GBS] [--out reports/perf.md]
 * </pre>
 * Model p50/p99 are computed from JMH's raw sample histogram with {@link BenchResult} (nearest rank), the
 * statistics {@code minnow bench} prints; conv and GEMM rows use JMH's average time.
 */
public final class PerfReport {
    /** Minnow p50 / ORT p50 must be at most this at batch 1 (dense-fp32 baseline issue). */
    static final double TARGET_BATCH1 = 1.0;
    /** ... and at most this at batch 64. */
    static final double TARGET_BATCH64 = 1.1;

    private PerfReport() {}

    public static void main(String[] args) throws Exception {
        double peak = Double.NaN, dram = Double.NaN;
        Path out = null, root = Path.of(System.getProperty("minnow.root", "."));
        List<JmhResult> results = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--peak" -> peak = Double.parseDouble(args[++i]);
                case "--dram" -> dram = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--root" -> root = Path.of(args[++i]);
                default -> {
                    Path f = Path.of(args[i]);
                    if (!Files.exists(f)) {
                        System.err.println("PerfReport: " + f + " not found, skipped");
                        continue;
                    }
                    results.addAll(JmhResult.parse(Files.readString(f)));
                    files.add(f.toString());
                }
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: PerfReport RESULT.json... [--peak GFLOPS] [--dram GBS] [--out FILE.md] [--root DIR]");
            System.exit(2);
        }
        Path r = root;
        String md = "<!-- PerfReport " + String.join(" ", files) + " -->\n\n"
                + render(results, peak, dram, name -> ConvLayers.resolve(name, r));
        System.out.print(md);
        if (out != null) Files.writeString(out, md);
    }

    /**
     * The report for these results. {@code peak} / {@code dram} override the probes (NaN: take the probe
     * results, if any); {@code layers} gives the conv layer behind an F32ConvBench {@code layer} name.
     */
    public static String render(List<JmhResult> results, double peak, double dram, Function<String, ConvLayer> layers) {
        for (JmhResult r : results) {
            if (r.shortName().equals("FmaPeakProbe.fma") && Double.isNaN(peak)) peak = perNano(r);
            if (r.shortName().equals("DramBandwidthProbe.sum") && Double.isNaN(dram)) dram = perNano(r);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("Machine probes (1 thread): FMA peak ").append(fmt(peak, 1)).append(" GFLOP/s (FmaPeakProbe), DRAM read ")
                .append(fmt(dram, 1)).append(" GB/s (DramBandwidthProbe).\n");
        models(sb, results, "ModelBench", "(ModelBench, fp32; JMH runs Minnow's samples and ORT's minutes apart)");
        models(sb, results, "InterleavedModelBench", "in alternating turns (InterleavedModelBench, fp32: same machine state)");
        conv(sb, results, layers);
        gemm(sb, results, peak, dram);
        gemmInterleaved(sb, results, peak);
        QuantReport.render(sb, results);
        return sb.toString();
    }

    /** A throughput score (ops per time) in ops per nanosecond: GFLOP/s or GB/s for the probes. */
    private static double perNano(JmhResult r) {
        return switch (r.unit()) {
            case "ops/ns" -> r.score();
            case "ops/us" -> r.score() * 1e-3;
            case "ops/ms" -> r.score() * 1e-6;
            case "ops/s" -> r.score() * 1e-9;
            default -> throw new IllegalArgumentException(r.shortName() + ": expected a throughput, got " + r.unit());
        };
    }

    // ---- ModelBench ----

    /** The rows of one suite ({@code ModelBench} or {@code InterleavedModelBench}: the same bodies, timed differently). */
    private static void models(StringBuilder sb, List<JmhResult> results, String suite, String how) {
        Map<String, JmhResult[]> rows = new LinkedHashMap<>(); // model|batch|threads -> {minnow, ort}
        for (JmhResult r : results) {
            String name = r.shortName();
            int side = name.startsWith(suite + ".") ? ModelBench.ENGINES.indexOf(name.substring(suite.length() + 1)) : -1;
            if (side < 0) continue;
            String key = r.param("model") + "|" + r.param("batch") + "|" + r.param("threads");
            rows.computeIfAbsent(key, k -> new JmhResult[2])[side] = r;
        }
        if (rows.isEmpty()) return;
        List<String> order = new ArrayList<>(rows.keySet());
        List<String> modelOrder = order.stream().map(k -> k.split("\\|")[0]).distinct().toList();
        order.sort(Comparator.<String>comparingInt(k -> modelOrder.indexOf(k.split("\\|")[0]))
                .thenComparingInt(k -> Integer.parseInt(k.split("\\|")[1]))
                .thenComparingInt(k -> Integer.parseInt(k.split("\\|")[2])));
        sb.append("\n### Whole models: Minnow vs ONNX Runtime ").append(how).append("\n\n");
        sb.append("| model | batch | threads | Minnow p50 µs | Minnow p99 µs | ORT p50 µs | ORT p99 µs | Minnow / ORT | target | result |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        int pass = 0, judged = 0;
        for (String k : order) {
            String[] f = k.split("\\|");
            JmhResult[] p = rows.get(k);
            double[] mn = p50p99(p[0]), ort = p50p99(p[1]);
            double ratio = mn[0] / ort[0];
            double target = switch (f[1]) {
                case "1" -> TARGET_BATCH1;
                case "64" -> TARGET_BATCH64;
                default -> Double.NaN;
            };
            String verdict = Double.isNaN(target) || Double.isNaN(ratio) ? "—" : ratio <= target ? "PASS" : "FAIL";
            if (!verdict.equals("—")) {
                judged++;
                if (verdict.equals("PASS")) pass++;
            }
            sb.append("| ").append(f[0]).append(" | ").append(f[1]).append(" | ").append(f[2]).append(" | ")
                    .append(fmt(mn[0], 1)).append(" | ").append(fmt(mn[1], 1)).append(" | ")
                    .append(fmt(ort[0], 1)).append(" | ").append(fmt(ort[1], 1)).append(" | ")
                    .append(fmt(ratio, 2)).append(" | ").append(Double.isNaN(target) ? "—" : "≤ " + fmt(target, 2))
                    .append(" | ").append(verdict).append(" |\n");
        }
        sb.append("\n").append(pass).append(" of ").append(judged).append(" rows meet the target (Minnow p50 / ORT p50 ≤ ")
                .append(fmt(TARGET_BATCH1, 1)).append(" at batch 1, ≤ ").append(fmt(TARGET_BATCH64, 1)).append(" at batch 64).\n");
    }

    /** p50, p99 in µs: from the sample histogram when there is one, else JMH's score for both; NaN if absent. */
    static double[] p50p99(JmhResult r) {
        if (r == null) return new double[]{Double.NaN, Double.NaN};
        BenchResult b = r.latency();
        if (b == null) return new double[]{r.micros(), r.micros()};
        return new double[]{b.p50Micros(), b.p99Micros()};
    }

    // ---- F32ConvBench ----

    private static void conv(StringBuilder sb, List<JmhResult> results, Function<String, ConvLayer> layers) {
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>(); // layer -> backend -> µs
        for (JmhResult r : results) {
            if (!r.shortName().equals("F32ConvBench.conv")) continue;
            rows.computeIfAbsent(r.param("layer"), k -> new LinkedHashMap<>()).put(r.param("backend"), r.micros());
        }
        if (rows.isEmpty()) return;
        sb.append("\n### Conv layers: batch 1, 1 thread (F32ConvBench)\n\n");
        sb.append("| layer | shape | MFLOP | Minnow µs | GFLOP/s | Minnow-Java µs | GFLOP/s | ORT µs | GFLOP/s | Minnow / ORT | Java / ORT |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double logSum = 0;
        int n = 0;
        for (var e : rows.entrySet()) {
            String shape = "?";
            double flops = Double.NaN;
            try {
                ConvLayer l = layers.apply(e.getKey());
                shape = l.shape();
                flops = l.flops();
            } catch (RuntimeException ex) {
                // the model file is not here: times and ratios still stand, GFLOP/s cannot be computed
            }
            Map<String, Double> t = e.getValue();
            double mn = t.getOrDefault("minnow", Double.NaN), java = t.getOrDefault("minnow-java", Double.NaN),
                    ort = t.getOrDefault("ort", Double.NaN);
            double ratio = mn / ort;
            if (ratio > 0 && Double.isFinite(ratio)) {
                logSum += Math.log(ratio);
                n++;
            }
            sb.append("| ").append(e.getKey()).append(" | ").append(shape).append(" | ").append(fmt(flops / 1e6, 2))
                    .append(" | ").append(fmt(mn, 1)).append(" | ").append(fmt(flops / (mn * 1e3), 1))
                    .append(" | ").append(fmt(java, 1)).append(" | ").append(fmt(flops / (java * 1e3), 1))
                    .append(" | ").append(fmt(ort, 1)).append(" | ").append(fmt(flops / (ort * 1e3), 1))
                    .append(" | ").append(fmt(ratio, 2)).append(" | ").append(fmt(java / ort, 2)).append(" |\n");
        }
        if (n > 0) sb.append("\nGeometric mean of Minnow / ORT over ").append(n).append(" layers: ").append(fmt(Math.exp(logSum / n), 2)).append(".\n");
    }

    // ---- F32GemmBench ----

    /** Our GEMM must reach at least this fraction of OpenBLAS's GFLOP/s at m ≥ 64. */
    static final double TARGET_VS_OPENBLAS = 0.9;

    /** InterleavedGemmBench: our kernel and OpenBLAS in alternating turns per shape, GFLOP/s from the p50 call. */
    private static void gemmInterleaved(StringBuilder sb, List<JmhResult> results, double peak) {
        Map<String, Map<String, Double>> cells = new LinkedHashMap<>(); // "m|nk" -> kernel -> p50 µs
        for (JmhResult r : results) {
            if (!r.shortName().equals("InterleavedGemmBench.gemm")) continue;
            cells.computeIfAbsent(r.param("m") + "|" + r.param("nk"), k -> new LinkedHashMap<>()).put(r.param("kernel"), p50p99(r)[0]);
        }
        if (cells.isEmpty()) return;
        sb.append("\n### GEMM against OpenBLAS in alternating turns, 1 thread, GFLOP/s of the p50 call (InterleavedGemmBench)\n\n");
        sb.append("| m | nk | kernel | GFLOP/s | % of peak | OpenBLAS GFLOP/s | kernel / OpenBLAS | target | result |\n");
        sb.append("|---:|---:|---|---:|---:|---:|---:|---:|---|\n");
        int pass = 0, judged = 0;
        for (var e : cells.entrySet()) {
            String[] f = e.getKey().split("\\|");
            double m = Double.parseDouble(f[0]), nk = Double.parseDouble(f[1]), flop = 2 * m * nk * nk;
            for (var k : e.getValue().entrySet()) {
                if (k.getKey().equals("openblas")) continue;
                double gf = flop / (k.getValue() * 1e3), blas = flop / (e.getValue().getOrDefault("openblas", Double.NaN) * 1e3);
                double ratio = gf / blas;
                boolean judge = m >= 64 && !Double.isNaN(ratio);
                if (judge) {
                    judged++;
                    if (ratio >= TARGET_VS_OPENBLAS) pass++;
                }
                sb.append("| ").append(f[0]).append(" | ").append(f[1]).append(" | ").append(k.getKey()).append(" | ")
                        .append(fmt(gf, 1)).append(" | ").append(Double.isNaN(peak) ? "?" : fmt(100 * gf / peak, 0) + "%")
                        .append(" | ").append(fmt(blas, 1)).append(" | ").append(fmt(ratio, 2)).append(" | ")
                        .append(m >= 64 ? "≥ " + fmt(TARGET_VS_OPENBLAS, 2) : "—").append(" | ")
                        .append(!judge ? "—" : ratio >= TARGET_VS_OPENBLAS ? "PASS" : "FAIL").append(" |\n");
            }
        }
        sb.append("\n").append(pass).append(" of ").append(judged).append(" rows at m ≥ 64 reach ")
                .append(fmt(TARGET_VS_OPENBLAS, 1)).append("× OpenBLAS.\n");
    }

    private static void gemm(StringBuilder sb, List<JmhResult> results, double peak, double dram) {
        Map<String, Map<String, Double>> cells = new LinkedHashMap<>(); // "m|nk" -> kernel -> µs
        Set<String> kernels = new LinkedHashSet<>();
        for (JmhResult r : results) {
            if (!r.shortName().equals("F32GemmBench.gemm")) continue;
            kernels.add(r.param("kernel"));
            cells.computeIfAbsent(r.param("m") + "|" + r.param("nk"), k -> new LinkedHashMap<>()).put(r.param("kernel"), r.micros());
        }
        if (cells.isEmpty()) return;
        List<String> keys = new ArrayList<>(cells.keySet());
        keys.sort(Comparator.<String>comparingInt(k -> Integer.parseInt(k.split("\\|")[0])).thenComparingInt(k -> Integer.parseInt(k.split("\\|")[1])));
        List<String> ks = new ArrayList<>(kernels);
        boolean overPeak = false;

        sb.append("\n### GEMM: C[m×nk] = A[m×nk]·B[nk×nk], 1 thread, GFLOP/s (F32GemmBench)\n\n");
        sb.append("| m | nk |");
        for (String k : ks) sb.append(' ').append(k).append(" |");
        sb.append(" best Minnow | % of peak | best / OpenBLAS |\n|---:|---:|");
        sb.append("---:|".repeat(ks.size() + 3)).append('\n');
        for (String key : keys) {
            String[] f = key.split("\\|");
            double m = Double.parseDouble(f[0]), nk = Double.parseDouble(f[1]);
            Map<String, Double> t = cells.get(key);
            sb.append("| ").append(f[0]).append(" | ").append(f[1]).append(" |");
            double best = Double.NaN;
            String bestId = null;
            for (String k : ks) {
                double gf = 2 * m * nk * nk / (t.getOrDefault(k, Double.NaN) * 1e3);
                sb.append(' ').append(fmt(gf, 1)).append(" |");
                if (!k.equals("openblas") && !Double.isNaN(gf) && (bestId == null || gf > best)) {
                    best = gf;
                    bestId = k;
                }
            }
            double blas = 2 * m * nk * nk / (t.getOrDefault("openblas", Double.NaN) * 1e3);
            if (best > 1.1 * peak) overPeak = true;
            sb.append(' ').append(fmt(best, 1)).append(bestId == null ? "" : " (" + bestId + ")").append(" | ")
                    .append(Double.isNaN(peak) ? "?" : fmt(100 * best / peak, 0) + "%").append(" | ")
                    .append(fmt(best / blas, 2)).append(" |\n");
        }

        if (overPeak) {
            sb.append("\n**Warning:** some kernels run more than 10% above the FMA probe's peak: the probe was disturbed"
                    + " (other load on the machine); rerun it, or pass --peak.\n");
        }

        List<String> gemv = keys.stream().filter(k -> k.startsWith("1|")).toList();
        if (gemv.isEmpty()) return;
        sb.append("\n### GEMV (m = 1): B streamed once per call, GB/s (F32GemmBench)\n\n");
        sb.append("| nk | B MiB |");
        for (String k : ks) sb.append(' ').append(k).append(" |");
        sb.append(" best Minnow | % of DRAM |\n|---:|---:|").append("---:|".repeat(ks.size() + 2)).append('\n');
        for (String key : gemv) {
            double nk = Double.parseDouble(key.split("\\|")[1]), bytes = 4 * nk * nk;
            Map<String, Double> t = cells.get(key);
            sb.append("| ").append(key.split("\\|")[1]).append(" | ").append(fmt(bytes / (1 << 20), 1)).append(" |");
            double best = Double.NaN;
            for (String k : ks) {
                double gbs = bytes / (t.getOrDefault(k, Double.NaN) * 1e3);
                sb.append(' ').append(fmt(gbs, 1)).append(" |");
                if (!k.equals("openblas") && !Double.isNaN(gbs) && (Double.isNaN(best) || gbs > best)) best = gbs;
            }
            sb.append(' ').append(fmt(best, 1)).append(" | ").append(Double.isNaN(dram) ? "?" : fmt(100 * best / dram, 0) + "%").append(" |\n");
        }
        sb.append("\nGB/s counts B's 4·nk² bytes only; B fits in cache up to nk = 1024 (4 MiB), so those rows can exceed DRAM speed.\n");
    }

    static String fmt(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "?";
    }
}
