package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Gemm;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Family f32-gemm, C[m x nk] = A[m x nk] * B[nk x nk], single thread, average time per GEMM.
 * {@code kernel} is a registry id ({@link KernelRegistry#f32Gemm}) or {@code openblas} (cblas_sgemm, 1 thread).
 * The default list names every non-scalar id the registry can hold; those this CPU cannot run fail at
 * setup with a message saying so. {@code f32-gemm-scalar} is left out of the default list because
 * m=1024, nk=4096 (8.6 GFLOP) takes minutes per invocation with it; ask for it with {@code -p kernel=f32-gemm-scalar}.
 * {@code path}: {@code plain} = {@link F32Gemm#gemm} on row-major B; {@code packed} = B packed once at setup
 * ({@link F32Gemm#packB}) and {@link F32Gemm#gemmPackedB} per call; {@code packedT} = the same from Bᵀ stored
 * [nk x nk] (ONNX Gemm transB=1 weights; openblas runs cblas_sgemm with CblasTrans). At m=1 the score is a
 * GEMV: {@link GemmReport} prints GB/s of weights read next to DramBandwidthProbe.
 * GFLOP/s and % of peak: {@link GemmReport}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class F32GemmBench {
    @Param({"f32-gemm-avx512f", "f32-gemm-avx2", "f32-gemm-c", "f32-gemm-panama512", "f32-gemm-panama256",
            "f32-gemm-panama128", "openblas"})
    public String kernel;

    @Param({"1", "16", "64", "256", "1024"})
    public int m;

    @Param({"256", "1024", "4096"})
    public int nk;

    @Param({"plain"})
    public String path;

    private Arena arena;
    private MemorySegment a, b, c;
    private F32Gemm gemm;
    private FloatPointer pa, pb, pc;
    private Object packed;

    /** The kernel with this id under the system-property config, or under a Vector API width cap for panamaW ids. */
    static F32Gemm lookup(String id) {
        BackendConfig cfg = BackendConfig.fromSystemProperties();
        List<KernelInfo<F32Gemm>> list = KernelRegistry.f32Gemm(cfg);
        if (id.startsWith("f32-gemm-panama") && list.stream().noneMatch(k -> k.id().equals(id))) {
            try {
                int w = Integer.parseInt(id.substring("f32-gemm-panama".length()));
                list = KernelRegistry.f32Gemm(new BackendConfig(cfg.nativeAllowed(), w));
            } catch (NumberFormatException ignored) {
                // falls through to "unknown"
            }
        }
        for (KernelInfo<F32Gemm> k : list) {
            if (k.id().equals(id)) {
                if (!k.isAvailable()) throw new IllegalStateException("kernel " + id + " is not available on this CPU/runtime (needs " + k.requires() + ")");
                return k.create();
            }
        }
        throw new IllegalStateException("kernel " + id + " is not available on this CPU/runtime (not in the registry here)");
    }

    @Setup(Level.Trial)
    public void setup() {
        if (kernel.equals("openblas")) {
            openblas.blas_set_num_threads(1);
        } else {
            gemm = lookup(kernel);
        }
        arena = Arena.ofShared();
        a = fill(arena.allocate((long) m * nk * 4, 64), 1);
        b = fill(arena.allocate((long) nk * nk * 4, 64), 2);
        c = arena.allocate((long) m * nk * 4, 64);
        if (!path.equals("plain") && !path.equals("packed") && !path.equals("packedT")) {
            throw new IllegalArgumentException("path must be plain, packed or packedT, got " + path);
        }
        if (gemm != null && !path.equals("plain")) {
            packed = gemm.packB(b, 0, nk, nk, nk, path.equals("packedT")); // B's values read as Bᵀ for packedT
        }
        if (gemm == null) {
            pa = pointer(a);
            pb = pointer(b);
            pc = pointer(c);
        }
    }

    private static FloatPointer pointer(MemorySegment s) {
        return new FloatPointer(s.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    private static MemorySegment fill(MemorySegment s, long seed) {
        Random r = new Random(seed);
        for (long i = 0; i < s.byteSize() / 4; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        return s;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void gemm() {
        if (packed != null) {
            gemm.gemmPackedB(m, 0, nk, a, 0, nk, packed, null, 0, F32Epilogue.NONE, c, 0, nk);
        } else if (gemm != null) {
            gemm.gemm(m, nk, nk, a, 0, nk, b, 0, nk, c, 0, nk, false);
        } else {
            openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans,
                    path.equals("packedT") ? openblas.CblasTrans : openblas.CblasNoTrans, m, nk, nk,
                    1f, pa, nk, pb, nk, 0f, pc, nk);
        }
    }
}
