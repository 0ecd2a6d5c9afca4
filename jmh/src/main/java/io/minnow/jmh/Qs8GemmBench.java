package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.kernels.q8.Qs8Gemm;
import io.minnow.engine.kernels.q8.Qs8PackedW;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Family qs8-gemm, C[m x nk] = A[m x nk] (uint8, zero point 128) * W[nk x nk]^T (int8), single thread, average
 * time per GEMM, with the requantize epilogue (per-channel scale, int32 bias) or raw int32 output. {@code kernel}
 * is a registry id ({@link KernelRegistry#qs8Gemm}); kernels this machine lacks fail their trial (JMH goes on).
 * W is packed once at setup ({@link Qs8Gemm#pack}) and each call is {@link Qs8Gemm#gemmPacked}, as the engine
 * runs it. Same shapes as {@code F32GemmBench} (m in 1..1024, nk in 256..4096) for the int8 / f32 ratio; the
 * scalar reference takes minutes at the large ones: ask for it with {@code -p kernel=qs8-gemm-scalar}. At m = 1
 * the call is a GEMV that streams nk*nk bytes of packed W.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Qs8GemmBench {
    @Param({"qs8-gemm-avx512vnni", "qs8-gemm-avx2", "qs8-gemm-c", "qs8-gemm-panama256"})
    public String kernel;

    @Param({"1", "16", "64", "256", "1024"})
    public int m;

    @Param({"256", "1024", "4096"})
    public int nk;

    @Param({"requantize", "raw"})
    public String epilogue;

    private MemorySegment a, w, c;
    private Qs8Gemm gemm;
    private Qs8Epilogue epi;
    private Qs8PackedW packed;

    @Setup(Level.Trial)
    public void setup() {
        gemm = null;
        for (KernelInfo<Qs8Gemm> k : KernelRegistry.qs8Gemm(BackendConfig.fromSystemProperties())) {
            if (k.id().equals(kernel)) {
                if (!k.isAvailable()) throw new IllegalStateException("kernel " + kernel + " is not available here (needs " + k.requires() + ")");
                gemm = k.create();
            }
        }
        if (gemm == null) throw new IllegalStateException("kernel " + kernel + " is not in the registry");
        Arena arena = Arena.ofAuto();
        Random r = new Random(1);
        a = arena.allocate((long) m * nk, 64);
        w = arena.allocate((long) nk * nk, 64);
        for (long i = 0; i < a.byteSize(); i++) a.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        for (long i = 0; i < w.byteSize(); i++) w.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256));
        float[] scale = new float[nk];
        int[] bias = new int[nk];
        for (int j = 0; j < nk; j++) {
            scale[j] = 1e-4f * (1 + r.nextFloat());
            bias[j] = r.nextInt(2001) - 1000;
        }
        epi = epilogue.equals("raw") ? new Qs8Epilogue.Raw() : new Qs8Epilogue.Requantize(scale, bias, 128, 0, 255, true);
        c = arena.allocate((long) m * nk * epi.outBytes(), 64);
        packed = gemm.pack(nk, nk, w, 0, nk);
    }

    @Benchmark
    public MemorySegment gemm() {
        gemm.gemmPacked(m, packed, a, 0, nk, true, 128, epi, c, 0, nk);
        return c;
    }
}
