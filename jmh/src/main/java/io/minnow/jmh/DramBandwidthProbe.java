package io.minnow.jmh;

import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Single-thread DRAM read bandwidth: sums a 256 MiB off-heap float array (8x the 32 MiB L3).
 * {@code sum} uses the native probe (kernels-native probe/probe.c, 8 independent AVX2 accumulators), or
 * the Java loop where the library is unavailable (it says so); {@code sumJava} is that Java fallback.
 * Throughput in ops/ns where one op is one byte read, so the score reads as GB/s (10^9 bytes/s).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DramBandwidthProbe {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int BYTES = 256 << 20;

    private Arena arena;
    private MemorySegment data;

    @Setup(Level.Trial)
    public void setup() {
        arena = Arena.ofShared();
        data = arena.allocate(BYTES, 64);
        for (long i = 0; i < BYTES / 4; i++) data.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, 1f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Setup(Level.Trial)
    public void info() {
        System.out.println("[DramBandwidthProbe] sum = " + (NativeLibrary.available() ? "native probe"
                : "JAVA FALLBACK (native library unavailable: " + NativeLibrary.unavailableReason() + ")"));
    }

    /** Read bandwidth: the native probe, or the Java fallback where the library is missing. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public float sum() {
        return NativeLibrary.available() ? NativeKernels.minnow_probe_read(data.address(), BYTES / 4) : sumJava();
    }

    /** Java fallback: the Vector API loop with 4 accumulators. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public float sumJava() {
        long step = S.vectorByteSize();
        FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
        for (long off = 0; off < BYTES; off += 4 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(S, data, off, ByteOrder.nativeOrder()));
            s1 = s1.add(FloatVector.fromMemorySegment(S, data, off + step, ByteOrder.nativeOrder()));
            s2 = s2.add(FloatVector.fromMemorySegment(S, data, off + 2 * step, ByteOrder.nativeOrder()));
            s3 = s3.add(FloatVector.fromMemorySegment(S, data, off + 3 * step, ByteOrder.nativeOrder()));
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }
}
