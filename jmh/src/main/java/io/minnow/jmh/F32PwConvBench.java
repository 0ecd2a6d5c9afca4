package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32PwConv;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Family f32-pwconv (channels-last 1x1 conv: Y[m×n] = X[m×k]·Wᵀ + bias, ReLU6) on the pointwise layers of the bundled
 * MobileNet at batch 1, single thread, against the packed f32-gemm path the conv takes without it ({@code kernel} =
 * {@code gemm}: the best f32-gemm's gemmPackedB on the same weights, bias and activation). {@code layer} is
 * {@code m x k -> n} as {@code MxKxN}. 2·m·k·n flops per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class F32PwConvBench {
    @Param({"f32-pwconv-avx2", "f32-pwconv-c", "gemm"})
    public String kernel;

    @Param({"196x16x64", "196x64x24", "196x24x96", "196x96x24", "49x96x32", "49x32x128", "49x128x32"})
    public String layer;

    private final F32Epilogue relu6 = new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, 6f);
    private Arena arena;
    private MemorySegment x, w, b, y;
    private int m, k, n;
    private F32PwConv pw;
    private F32Gemm gemm;
    private Object packed;

    @Setup(Level.Trial)
    public void setup() {
        String[] p = layer.split("x");
        m = Integer.parseInt(p[0]);
        k = Integer.parseInt(p[1]);
        n = Integer.parseInt(p[2]);
        arena = Arena.ofShared();
        x = fill(arena.allocate((long) m * k * 4, 64), 1);
        w = fill(arena.allocate((long) n * k * 4, 64), 2);
        b = fill(arena.allocate((long) n * 4, 64), 3);
        y = arena.allocate((long) m * n * 4, 64);
        BackendConfig cfg = BackendConfig.fromSystemProperties();
        if (kernel.equals("gemm")) {
            gemm = KernelRegistry.best(KernelRegistry.f32Gemm(cfg)).create();
            packed = gemm.packB(w, 0, k, k, n, true); // W [n][k] is Bᵀ
            return;
        }
        for (KernelInfo<F32PwConv> info : KernelRegistry.f32PwConv(cfg)) {
            if (info.id().equals(kernel) && info.isAvailable()) pw = info.create();
        }
        if (pw == null) throw new IllegalStateException("kernel " + kernel + " is not available on this CPU/runtime");
        packed = pw.pack(w, 0, k, n);
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
    public void pwconv() {
        if (gemm != null) {
            gemm.gemmPackedB(m, 0, n, x, 0, k, packed, b, 0, relu6, y, 0, n);
        } else {
            pw.run(m, n, k, x, 0, k, packed, b, 0, null, 0, n, relu6, y, 0, n);
        }
    }
}
