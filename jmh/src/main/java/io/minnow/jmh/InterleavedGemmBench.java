package io.minnow.jmh;

import io.minnow.engine.bench.Bench;
import io.minnow.engine.bench.BenchResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@link F32GemmBench}'s comparison of our GEMM with OpenBLAS, timed in alternating turns: for each (m, nk) the
 * two {@code F32GemmBench} instances (same operands, same calls) run in turns ({@link Bench#interleaved}), so
 * the "≥ 0.9× OpenBLAS" ratio is not the machine's drift between JMH measuring every Minnow shape and then every
 * OpenBLAS shape minutes later. Writes JMH's JSON format ({@code InterleavedGemmBench.gemm}, params kernel / m /
 * nk, per-call samples), which {@link PerfReport} renders as its own table.
 *
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.minnow.jmh.InterleavedGemmBench [--kernel f32-gemm-avx2] [--m 64,256,1024]
 *      [--nk 256,1024,4096] [--rounds 10] [--turn-ms 200] [--out reports/interleaved-gemm.json]
 * </pre>
 */
public final class InterleavedGemmBench {
    private InterleavedGemmBench() {}

    public static void main(String[] args) throws Exception {
        String kernel = "f32-gemm-avx2";
        List<Integer> ms = List.of(64, 256, 1024), nks = List.of(256, 1024, 4096);
        int rounds = 10;
        long turnMs = 200;
        Path out = Path.of("reports/interleaved-gemm.json");
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--kernel" -> kernel = v;
                case "--m" -> ms = InterleavedModelBench.ints(v);
                case "--nk" -> nks = InterleavedModelBench.ints(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--turn-ms" -> turnMs = Long.parseLong(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("InterleavedGemmBench: unknown argument " + args[i]);
            }
        }
        List<String> entries = new ArrayList<>();
        for (int m : ms) {
            for (int nk : nks) {
                F32GemmBench ours = bench(kernel, m, nk), blas = bench("openblas", m, nk);
                try {
                    long[][] s = Bench.interleaved(turnMs * 1_000_000L, rounds, turnMs * 1_000_000L,
                            List.of(() -> { ours.gemm(); return null; }, () -> { blas.gemm(); return null; }));
                    BenchResult a = BenchResult.of(s[0]), b = BenchResult.of(s[1]);
                    double flop = 2.0 * m * nk * nk;
                    System.err.printf(Locale.ROOT, "InterleavedGemmBench m=%d nk=%d: %s %.1f GFLOP/s, openblas %.1f GFLOP/s [%.2f]%n",
                            m, nk, kernel, flop / a.p50Nanos(), flop / b.p50Nanos(), (double) b.p50Nanos() / a.p50Nanos());
                    entries.add(InterleavedModelBench.entry("io.minnow.jmh.InterleavedGemmBench.gemm", params(kernel, m, nk), a, s[0]));
                    entries.add(InterleavedModelBench.entry("io.minnow.jmh.InterleavedGemmBench.gemm", params("openblas", m, nk), b, s[1]));
                } finally {
                    ours.tearDown();
                    blas.tearDown();
                }
            }
        }
        if (out.getParent() != null) Files.createDirectories(out.getParent());
        Files.writeString(out, "[\n" + String.join(",\n", entries) + "\n]\n");
        System.err.println("InterleavedGemmBench: wrote " + out);
    }

    private static F32GemmBench bench(String kernel, int m, int nk) {
        F32GemmBench b = new F32GemmBench();
        b.kernel = kernel;
        b.m = m;
        b.nk = nk;
        b.path = "plain";
        b.setup();
        return b;
    }

    private static String params(String kernel, int m, int nk) {
        return String.format(Locale.ROOT, "\"kernel\":\"%s\",\"m\":\"%d\",\"nk\":\"%d\",\"path\":\"plain\"", kernel, m, nk);
    }
}
