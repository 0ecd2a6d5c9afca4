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

    static void render(StringBuilder sb, List<JmhResult> results) {
        models(sb, results);
    }

    private static void models(StringBuilder sb, List<JmhResult> results) {
        Map<String, JmhResult[]> rows = new LinkedHashMap<>(); // model|batch|threads -> {q8, f32, ort}
        for (JmhResult r : results) {
            int side = switch (r.shortName()) {
                case "QuantModelBench.minnowQ8" -> 0;
                case "QuantModelBench.minnowF32" -> 1;
                case "QuantModelBench.onnxruntimeQdq" -> 2;
                default -> -1;
            };
            if (side < 0) continue;
            rows.computeIfAbsent(r.param("model") + "|" + r.param("batch") + "|" + r.param("threads"), k -> new JmhResult[3])[side] = r;
        }
        if (rows.isEmpty()) return;
        sb.append("\n### Whole models int8: Minnow q8 vs ONNX Runtime on the exported QDQ model, and vs Minnow fp32 (QuantModelBench)\n\n");
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
        sb.append("\n").append(pass).append(" of ").append(keys.size()).append(" models meet both targets.\n");
    }

    private static double p50(JmhResult r) {
        if (r == null) return Double.NaN;
        var b = r.latency();
        return b == null ? r.micros() : b.p50Micros();
    }
}
