package io.minnow.jmh;

import io.minnow.engine.bench.BenchResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JMH JSON parsing and the Markdown tables, on a hand-made result file whose numbers are easy to check. */
class PerfReportTest {
    private static String fixture() throws IOException {
        try (InputStream in = PerfReportTest.class.getResourceAsStream("/perf/fixture.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void jsonReaderHandlesWhatJmhWrites() {
        Object v = Json.parse(" {\"a\" : [1, -2.5e1, \"NaN\", NaN, true, null], \"b\" : {\"s\" : \"x\\\"y\\\\z\\u0041\"}, \"e\" : []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        List<?> a = (List<?>) m.get("a");
        assertEquals(1.0, a.get(0));
        assertEquals(-25.0, a.get(1));
        assertEquals("NaN", a.get(2));
        assertTrue(((Double) a.get(3)).isNaN());
        assertEquals(Boolean.TRUE, a.get(4));
        assertNull(a.get(5));
        assertEquals("x\"y\\zA", ((Map<?, ?>) m.get("b")).get("s"));
        assertEquals(List.of(), m.get("e"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\" 1}"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1] x"));
    }

    @Test
    void parsesEntriesParamsAndSampleHistograms() throws IOException {
        List<JmhResult> rs = JmhResult.parse(fixture());
        assertEquals(13, rs.size());
        JmhResult first = rs.get(0);
        assertEquals("ModelBench.minnow", first.shortName());
        assertEquals("lenet5", first.param("model"));
        assertEquals("sample", first.mode());
        assertEquals(95.0, first.score());
        // samples over both iterations: 80 80 90 90 90 90 90 90 100 200 (µs); nearest rank as in minnow bench
        BenchResult b = first.latency();
        assertEquals(10, b.runs());
        assertEquals(90_000, b.p50Nanos());
        assertEquals(200_000, b.p99Nanos());
        assertEquals(1200.0, rs.get(2).micros(), 1e-9); // ms/op converted
        assertNull(rs.get(4).latency(), "average-time entries have no samples");
        assertTrue(Double.isNaN(rs.get(12).score()));
    }

    @Test
    void tablesShowRatiosTargetsAndThroughput() throws IOException {
        String md = PerfReport.render(JmhResult.parse(fixture()), Double.NaN, Double.NaN,
                name -> ConvLayers.resolve(name, Path.of("does-not-exist")));
        assertTrue(md.contains("FMA peak 100.0 GFLOP/s"), md);
        assertTrue(md.contains("DRAM read 20.0 GB/s"), md);
        // batch 1: 90 / 100 passes <= 1.0; batch 64: 1200 / 1000 fails <= 1.1
        assertTrue(md.contains("| lenet5 | 1 | 1 | 90.0 | 200.0 | 100.0 | 100.0 | 0.90 | ≤ 1.00 | PASS |"), md);
        assertTrue(md.contains("| lenet5 | 64 | 2 | 1200.0 | 1200.0 | 1000.0 | 1000.0 | 1.20 | ≤ 1.10 | FAIL |"), md);
        assertTrue(md.contains("1 of 2 rows meet the target"), md);
        // 1x1 256->256 at 14x14 = 25.69 MFLOP: 20 / 10 / 40 GFLOP/s
        assertTrue(md.contains("| r18:1x1-14x14x256 | 1x1/s1/p0 256->256 @14x14 | 25.69 | 1284.5 | 20.0 | 2569.0 | 10.0 | 642.3 | 40.0 | 2.00 | 4.00 |"), md);
        assertTrue(md.contains("Geometric mean of Minnow / ORT over 1 layers: 2.00"), md);
        // 64x1024x1024: avx2 50 GFLOP/s = 50% of the probe peak, 0.67 of OpenBLAS's 75
        assertTrue(md.contains("| 64 | 1024 | 50.0 | 75.0 | 50.0 (f32-gemm-avx2) | 50% | 0.67 |"), md);
        assertTrue(md.contains("| 1 | 4096 | 5.0 | ? | 5.0 (f32-gemm-avx2) | 5% | ? |"), md);
        // GEMV: 64 MiB of B in 6.71 ms = 10 GB/s = 50% of the 20 GB/s probe
        assertTrue(md.contains("| 4096 | 64.0 | 10.0 | ? | 10.0 | 50% |"), md);
    }

    @Test
    void overridesAndMissingLayersDegradeToQuestionMarks() throws IOException {
        String md = PerfReport.render(JmhResult.parse(fixture()), 200, 40, name -> { throw new IllegalStateException("no models here"); });
        assertTrue(md.contains("FMA peak 200.0 GFLOP/s"), md);
        assertTrue(md.contains("| 64 | 1024 | 50.0 | 75.0 | 50.0 (f32-gemm-avx2) | 25% | 0.67 |"), md);
        assertTrue(md.contains("| 4096 | 64.0 | 10.0 | ? | 10.0 | 25% |"), md);
        assertTrue(md.contains("| r18:1x1-14x14x256 | ? | ? | 1284.5 | ? | 2569.0 | ? | 642.3 | ? | 2.00 | 4.00 |"), md);
        assertTrue(!md.contains("Warning"), md);
        String disturbed = PerfReport.render(JmhResult.parse(fixture()), 40, 40, name -> { throw new IllegalStateException(); });
        assertTrue(disturbed.contains("| 64 | 1024 | 50.0 | 75.0 | 50.0 (f32-gemm-avx2) | 125% | 0.67 |"), disturbed);
        assertTrue(disturbed.contains("**Warning:** some kernels run more than 10% above"), disturbed);
    }

    @Test
    void interleavedEntriesReadBackAsTheirOwnTables() {
        long[] minnow = {90_000, 95_000, 100_000, 90_040}, ort = {100_000, 100_000, 120_000};
        long[] q8 = {40_000}, f32 = {100_000}, qdq = {50_000};
        String json = "[" + String.join(",",
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedModelBench.minnow", "lenet5", 1, 1, BenchResult.of(minnow), minnow),
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedModelBench.onnxruntime", "lenet5", 1, 1, BenchResult.of(ort), ort),
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedQuantModelBench.minnowQ8", "resnet", 1, 1, BenchResult.of(q8), q8),
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedQuantModelBench.minnowF32", "resnet", 1, 1, BenchResult.of(f32), f32),
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedQuantModelBench.onnxruntimeQdq", "resnet", 1, 1, BenchResult.of(qdq), qdq))
                + "]";
        List<JmhResult> rs = JmhResult.parse(json);
        BenchResult back = rs.get(0).latency();
        assertEquals(4, back.runs(), "every sample kept (two round to the same 0.1 us bucket)");
        assertEquals(90_000, back.p50Nanos());
        assertEquals(100_000, back.p99Nanos());
        String md = PerfReport.render(rs, Double.NaN, Double.NaN, name -> null);
        assertTrue(md.contains("in alternating turns (InterleavedModelBench, fp32"), md);
        assertTrue(md.contains("| lenet5 | 1 | 1 | 90.0 | 100.0 | 100.0 | 120.0 | 0.90 | ≤ 1.00 | PASS |"), md);
        assertTrue(!md.contains("(ModelBench, fp32"), "no JMH rows in these results: " + md);
        // q8 40 / ORT 50 = 0.80, q8 / fp32 = 0.40: both targets met
        assertTrue(md.contains("| resnet | 1 | 1 | 40.0 | 100.0 | 50.0 | 0.80 | ≤ 1.00 | 0.40 | ≤ 0.50 | PASS |"), md);
        assertTrue(md.contains("1 of 1 rows meet both targets"), md);
    }

    @Test
    void interleavedGemmRowsShowRatiosAgainstOpenBlas() {
        // m=64, nk=256: 2*64*256*256 = 8.39 MFLOP; ours 100 us -> 83.9 GFLOP/s, OpenBLAS 80 us -> 104.9: 0.80, FAIL
        long[] ours = {100_000, 100_000, 110_000}, blas = {80_000};
        String json = "[" + String.join(",",
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedGemmBench.gemm",
                        "\"kernel\":\"f32-gemm-avx2\",\"m\":\"64\",\"nk\":\"256\"", BenchResult.of(ours), ours),
                InterleavedModelBench.entry("io.minnow.jmh.InterleavedGemmBench.gemm",
                        "\"kernel\":\"openblas\",\"m\":\"64\",\"nk\":\"256\"", BenchResult.of(blas), blas)) + "]";
        String md = PerfReport.render(JmhResult.parse(json), 100, Double.NaN, name -> null);
        assertTrue(md.contains("| 64 | 256 | f32-gemm-avx2 | 83.9 | 84% | 104.9 | 0.80 | ≥ 0.90 | FAIL |"), md);
        assertTrue(md.contains("0 of 1 rows at m ≥ 64 reach 0.9× OpenBLAS"), md);
    }
}
