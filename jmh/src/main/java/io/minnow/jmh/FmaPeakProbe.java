package io.minnow.jmh;

import io.minnow.kernels.nat.NativeLibrary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * Single-thread fp32 FMA peak of this machine: 12 independent FMA chains of FloatVector.SPECIES_PREFERRED.
 * Throughput in ops/ns where one op is one flop (an FMA is 2), so the score reads as GFLOP/s.
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

    @Setup(Level.Trial)
    public void info() {
        System.out.println("[FmaPeakProbe] species " + S + " lanes=" + S.length() + ", native f32-gemm ISA: "
                + NativeLibrary.isa() + " (features: " + NativeLibrary.describeFeatures(NativeLibrary.cpuFeatures()).trim() + ")");
    }

    @Benchmark
    @OperationsPerInvocation(FLOPS)
    public float fma() {
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
