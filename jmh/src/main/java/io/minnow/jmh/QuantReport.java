package io.minnow.jmh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The quantization rows of {@link PerfReport}: whole models int8 ({@link QuantModelBench}: Minnow q8 against ONNX Runtime
 * on the exported QDQ model, and against Minnow's own fp32), with the quantization issue's targets.
 */
final class QuantReport {
    /** Minnow q8 p50 / ORT (QDQ) p50 must be at most this. */
    static final double TARGET_VS_ORT = 1.0;
    /** Minnow q8 p50 / Minnow fp32 p50 must be at most this. */
    static final double TARGET_VS_F32 = 0.5;

    private QuantReport() {}

    /** int8 GEMV / f32 GEMV time: at least this much faster (4096 x 4096, batch 1). */
    static final double TARGET_GEMV_Q8 = 3.5;
    /** int4 GEMV: at least this much faster. */
    static final double TARGET_GEMV_Q4 = 6.0;

    static void render(StringBuilder sb, List<JmhResult> results) {
        models(sb, results, "QuantModelBench", "(QuantModelBench; JMH runs each engine's samples minutes apart)");
        models(sb, results, "InterleavedQuantModelBench", "in alternating turns (InterleavedModelBench: same machine state)");
        gemm(sb, results);
        gemv(sb, results);
    }

    /** Qs8GemmBench beside F32GemmBench on the same (m, nk): int8 GOP/s, the best f32 GFLOP/s, and the time ratio. */
    private static void gemm(StringBuilder sb, List<JmhResult> results) {
        Map<String, Map<String, Double>> q8 = new LinkedHashMap<>(); // m|nk -> kernel -> µs
        Map<String, Double> f32 = new LinkedHashMap<>();            // m|nk -> best f32 µs (not OpenBLAS)
        List<String> kernels = new ArrayList<>();
        for (JmhResult r : results) {
            String key = r.param("m") + "|" + r.param("nk");
            if (r.shortName().equals("Qs8GemmBench.gemm")) {
                q8.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(r.param("kernel"), r.micros());
                if (!kernels.contains(r.param("kernel"))) kernels.add(r.param("kernel"));
            } else if (r.shortName().equals("F32GemmBench.gemm") && !"openblas".equals(r.param("kernel"))) {
                f32.merge(key, r.micros(), Math::min);
            }
        }
        if (q8.isEmpty()) return;
        sb.append("\n### int8 GEMM beside f32 on the same shapes, 1 thread (Qs8GemmBench, requantize epilogue; F32GemmBench)\n\n");
        sb.append("| m | nk |");
        for (String k : kernels) sb.append(' ').append(k).append(" GOP/s |");
        sb.append(" best f32 GFLOP/s | f32 time / best int8 time |\n|---:|---:|").append("---:|".repeat(kernels.size() + 2)).append('\n');
        for (var e : q8.entrySet()) {
            String[] f = e.getKey().split("\\|");
            double ops = 2.0 * Double.parseDouble(f[0]) * Double.parseDouble(f[1]) * Double.parseDouble(f[1]);
            sb.append("| ").append(f[0]).append(" | ").append(f[1]).append(" |");
            double best = Double.NaN;
            for (String k : kernels) {
                double us = e.getValue().getOrDefault(k, Double.NaN);
                sb.append(' ').append(PerfReport.fmt(ops / (us * 1e3), 1)).append(" |");
                if (!Double.isNaN(us) && (Double.isNaN(best) || us < best)) best = us;
            }
            double fl = f32.getOrDefault(e.getKey(), Double.NaN);
            sb.append(' ').append(PerfReport.fmt(ops / (fl * 1e3), 1)).append(" | ").append(PerfReport.fmt(fl / best, 2)).append(" |\n");
        }
        sb.append("\nThe issue's int8 GEMM targets need AMX (≥ 10× f32) or AVX-512 VNNI (≥ 2.5×); this CPU has neither (AVX2 only:"
                + " the exact vpmaddwd path). The VNNI kernel is built and tested on emulation only.\n");
    }

    /**
     * Q4GemvBench: batch-1 GEMV in f32, q8 and q4 on the same weight shape. int4 has two families: q4-gemm (float32
     * activations) and q4-gemv (int8 activations, quantized per call inside the timed region); the int4 speed-up is
     * the best int4 kernel of either, and the row names it.
     */
    private static void gemv(StringBuilder sb, List<JmhResult> results) {
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>(); // nk -> kernel -> µs
        for (JmhResult r : results) {
            if (r.shortName().equals("Q4GemvBench.gemv")) rows.computeIfAbsent(r.param("nk"), k -> new LinkedHashMap<>()).put(r.param("kernel"), r.micros());
        }
        if (rows.isEmpty()) return;
        sb.append("\n### Batch-1 GEMV y = W·x, W nk×nk, 1 thread, µs (Q4GemvBench: f32 vs int8 vs int4 weights)\n\n");
        sb.append("| nk | f32 best µs | q8 µs | q4-gemm µs (f32 act) | q4-gemv µs (int8 act) | best int4 kernel | q8 speed-up | target"
                + " | int4 speed-up | target |\n|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n");
        for (var e : rows.entrySet()) {
            Map<String, Double> t = e.getValue();
            double f = t.getOrDefault("f32-best", Double.NaN), q8 = t.getOrDefault("q8-best", Double.NaN);
            String gemm = best(t, "q4-gemm-"), gemv = best(t, "q4-gemv-");
            String q4 = gemm == null ? gemv : gemv == null || t.get(gemm) <= t.get(gemv) ? gemm : gemv;
            double q4us = q4 == null ? Double.NaN : t.get(q4);
            boolean judged = e.getKey().equals("4096");
            sb.append("| ").append(e.getKey()).append(" | ").append(PerfReport.fmt(f, 1)).append(" | ").append(PerfReport.fmt(q8, 1))
                    .append(" | ").append(gemm == null ? "—" : PerfReport.fmt(t.get(gemm), 1))
                    .append(" | ").append(gemv == null ? "—" : PerfReport.fmt(t.get(gemv), 1))
                    .append(" | ").append(q4 == null ? "—" : q4).append(" | ").append(PerfReport.fmt(f / q8, 2)).append(" | ")
                    .append(judged ? "≥ " + PerfReport.fmt(TARGET_GEMV_Q8, 1) : "—").append(" | ").append(PerfReport.fmt(f / q4us, 2))
                    .append(" | ").append(judged ? "≥ " + PerfReport.fmt(TARGET_GEMV_Q4, 1) : "—").append(" |\n");
        }
        sb.append("\nq4-gemv times include quantizing x to int8 per call (as the engine does); q4-gemm reads x as float32."
                + " At nk = 1024 the float weight (4 MiB) stays in cache, so the memory-bound advantage of fewer bytes does not show.\n");
    }

    /** The fastest kernel whose id starts with prefix, or null. */
    private static String best(Map<String, Double> times, String prefix) {
        String best = null;
        for (var k : times.entrySet()) {
            if (k.getKey().startsWith(prefix) && (best == null || k.getValue() < times.get(best))) best = k.getKey();
        }
        return best;
    }

    /** The rows of one suite ({@code QuantModelBench} or {@code InterleavedQuantModelBench}). */
    private static void models(StringBuilder sb, List<JmhResult> results, String suite, String how) {
        Map<String, JmhResult[]> rows = new LinkedHashMap<>(); // model|batch|threads -> {q8, f32, ort}
        for (JmhResult r : results) {
            String name = r.shortName();
            int side = name.startsWith(suite + ".") ? QuantModelBench.ENGINES.indexOf(name.substring(suite.length() + 1)) : -1;
            if (side < 0) continue;
            rows.computeIfAbsent(r.param("model") + "|" + r.param("batch") + "|" + r.param("threads"), k -> new JmhResult[3])[side] = r;
        }
        if (rows.isEmpty()) return;
        sb.append("\n### Whole models int8: Minnow q8 vs ONNX Runtime on the exported QDQ model, and vs Minnow fp32 ").append(how).append("\n\n");
        sb.append("| model | batch | threads | Minnow q8 p50 µs | Minnow fp32 p50 µs | ORT QDQ p50 µs | q8 / ORT | target | q8 / fp32 | target | result |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        int pass = 0;
        List<String> keys = new ArrayList<>(rows.keySet());
        for (String k : keys) {
            String[] f = k.split("\\|");
            JmhResult[] p = rows.get(k);
            double q8 = p50(p[0]), f32 = p50(p[1]), ort = p50(p[2]);
            double vsOrt = q8 / ort, vsF32 = q8 / f32;
            boolean ok = vsOrt <= TARGET_VS_ORT && vsF32 <= TARGET_VS_F32;
            if (ok) pass++;
            sb.append("| ").append(f[0]).append(" | ").append(f[1]).append(" | ").append(f[2]).append(" | ")
                    .append(PerfReport.fmt(q8, 1)).append(" | ").append(PerfReport.fmt(f32, 1)).append(" | ").append(PerfReport.fmt(ort, 1))
                    .append(" | ").append(PerfReport.fmt(vsOrt, 2)).append(" | ≤ ").append(PerfReport.fmt(TARGET_VS_ORT, 2))
                    .append(" | ").append(PerfReport.fmt(vsF32, 2)).append(" | ≤ ").append(PerfReport.fmt(TARGET_VS_F32, 2))
                    .append(" | ").append(Double.isNaN(vsOrt) || Double.isNaN(vsF32) ? "—" : ok ? "PASS" : "FAIL").append(" |\n");
        }
        sb.append("\n").append(pass).append(" of ").append(keys.size()).append(" rows meet both targets.\n");
    }

    private static double p50(JmhResult r) {
        return PerfReport.p50p99(r)[0];
    }
}
