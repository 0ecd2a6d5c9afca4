package io.minnow.jmh;

import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Single-thread fp32 FMA peak of this machine. {@code fma} runs the native probe (kernels-native
 * probe/probe.c: 12 AVX2 or 16 AVX-512 independent FMA chains, the widest this CPU has) — the number GEMM
 * results are read against ({@link GemmReport}). Only when the native library is unavailable does it fall
 * back to the Java loop, and says so. {@code fmaJava} is that Java loop (12 FloatVector.SPECIES_PREFERRED
 * chains): it reads well below the real peak because the JIT spills and serialises the chains, so it is
 * labelled a fallback, not a peak. Throughput in ops/ns where one op is one flop (an FMA is 2): GFLOP/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FmaPeakProbe {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Flops per invocation, the same for 4, 8 and 16 lanes. */
    static final int FLOPS = 25_165_824;
    static final int ITERS = FLOPS / (12 * 2 * S.length());

    public float x = 0.9999f, y = 1e-3f;

    /** Native probe ISA (NativeLibrary.PROBE_*), or 0 when the Java fallback serves. */
    private int isa;
    private long nativeIters;

    @Setup(Level.Trial)
    public void info() {
        isa = NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX512) ? NativeLibrary.PROBE_AVX512
                : NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX2) ? NativeLibrary.PROBE_AVX2 : 0;
        if (isa != 0) {
            long perIter = NativeKernels.minnow_probe_fma_flops(isa, 1);
            if (FLOPS % perIter != 0) throw new IllegalStateException("probe flops per iteration " + perIter);
            nativeIters = FLOPS / perIter;
        }
        System.out.println("[FmaPeakProbe] fma = " + (isa == NativeLibrary.PROBE_AVX512 ? "native AVX-512 probe"
                : isa == NativeLibrary.PROBE_AVX2 ? "native AVX2 probe" : "JAVA FALLBACK (native library unavailable: "
                + NativeLibrary.unavailableReason() + "; reads below the real peak)")
                + "; fmaJava species " + S + " lanes=" + S.length() + "; native f32-gemm ISA: " + NativeLibrary.isa()
                + " (features: " + NativeLibrary.describeFeatures(NativeLibrary.cpuFeatures()).trim() + ")");
    }

    /** The machine's measured peak: the native probe, or the Java fallback where the library is missing. */
    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public float fma() {
        return isa != 0 ? NativeKernels.minnow_probe_fma(isa, nativeIters, x, y) : fmaJava();
    }

    /** Java fallback: the Vector API loop (below the real peak; kept for comparison). */
    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public float fmaJava() {
        FloatVector m = FloatVector.broadcast(S, x), a = FloatVector.broadcast(S, y);
        FloatVector c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        for (int i = 0; i < ITERS; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
