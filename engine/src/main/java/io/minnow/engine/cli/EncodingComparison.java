package io.minnow.engine.cli;

import io.minnow.engine.api.Model;
import io.minnow.engine.api.Options;
import io.minnow.engine.api.Session;
import io.minnow.engine.bench.Bench;
import io.minnow.engine.bench.BenchResult;
import io.minnow.engine.compress.PostTraining;
import io.minnow.engine.compress.QuantConfig;
import io.minnow.engine.data.Dataset;
import io.minnow.formats.ModelDef;
import io.minnow.formats.mnw.MnwWriter;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model in every encoding Minnow executes — {@code f32}, {@code q8} (int8 weights and activations) and {@code q4}
 * (int4 Gemm/1x1-conv weights, int8 elsewhere) — each written as .mnw and measured the same way: file bytes, ratio
 * to f32, top-1 accuracy on the evaluation set, batch-1 p50 latency and speed-up over f32 (same threads, same run).
 * Shared by {@code minnow compare} and {@code minnow demo}.
 */
final class EncodingComparison {
    private EncodingComparison() {}

    /** Latency measured per encoding. */
    static final long BENCH_BUDGET_NANOS = 1_500_000_000L;

    record Row(String encoding, long bytes, double ratio, double accuracy, double p50Micros, double speedup) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("encoding", encoding);
            m.put("bytes", bytes);
            m.put("ratio", ratio);
            m.put("accuracy", accuracy);
            m.put("p50_us", p50Micros);
            m.put("speedup", speedup);
            return m;
        }
    }

    /**
     * @param dir where the three .mnw files are written (kept: a report folder, or a temporary one the caller deletes)
     */
    static List<Row> run(String name, ModelDef fp32, Options options, Dataset eval, Dataset calib, int calibN, Path dir,
                         PrintWriter err) throws Exception {
        Map<String, ModelDef> variants = new LinkedHashMap<>();
        variants.put("f32", fp32);
        try (Model probe = Model.of(fp32, options)) {
            var input = probe.inputs().getFirst();
            for (boolean int4 : new boolean[]{false, true}) {
                QuantConfig cfg = int4 ? QuantConfig.int4(64) : QuantConfig.int8();
                Progress bar = new Progress(err, name + " calibrate " + (int4 ? "q4" : "q8"), Math.min(calibN, calib.size()));
                variants.put(int4 ? "q4" : "q8",
                        PostTraining.quantize(fp32, cfg, CompressCommand.batches(calib, input), calibN, bar::update).model());
                bar.done();
            }
        }
        List<Row> rows = new ArrayList<>();
        long f32Bytes = 0;
        double f32P50 = 0;
        for (var e : variants.entrySet()) {
            Path file = dir.resolve(name + "-" + e.getKey() + ".mnw");
            MnwWriter.write(e.getValue(), file);
            long bytes = Files.size(file);
            try (Model m = Model.load(file, options)) {
                var acc = Evaluation.run(m, eval, Evaluation.batchFor(m, 100), new Progress(err, name + " eval " + e.getKey(), eval.size()));
                long b = Math.max(Shapes.fixedBatch(m.inputs().getFirst()), 1);
                var inputs = BenchCommand.randomInputs(m, b);
                BenchResult r;
                try (Session s = m.newSession()) {
                    r = Bench.measureFor(BENCH_BUDGET_NANOS, 30, 30, 5000, () -> s.run(inputs));
                }
                if (e.getKey().equals("f32")) {
                    f32Bytes = bytes;
                    f32P50 = r.p50Micros();
                }
                rows.add(new Row(e.getKey(), bytes, (double) f32Bytes / bytes, acc.accuracy(), r.p50Micros(), f32P50 / r.p50Micros()));
            }
        }
        return rows;
    }

    static final String HEADER = "%-9s %-6s %10s %7s %9s %10s %8s%n";

    static void printHeader(PrintWriter out) {
        out.printf(HEADER, "model", "enc", "bytes", "ratio", "accuracy", "p50 " + Format.microUnit(), "speedup");
    }

    static void print(PrintWriter out, String model, Row r) {
        out.printf(HEADER, model, r.encoding(), Format.bytes(r.bytes()), String.format("%.2fx", r.ratio()), Format.percent(r.accuracy()),
                Format.micros(r.p50Micros()), String.format("%.2fx", r.speedup()));
    }
}
