package io.minnow.jmh;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.q4.Int8Rows;
import io.minnow.engine.kernels.q4.Q4Gemm;
import io.minnow.engine.kernels.q4.Q4Gemv;
import io.minnow.engine.kernels.q4.Q4Packed;
import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.kernels.q8.Qs8Gemm;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;
import org.openjdk.jmh.annotations.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Batch-1 fully connected layer y[nk] = W[nk x nk] x[nk], single thread, the same shape in three weight formats:
 * <ul>
 *   <li>{@code f32-best}: the best registered f32-gemm on Wᵀ packed once ({@link F32Gemm#packB} transposed, as the
 *       engine's Gemm does for a constant weight) and {@link F32Gemm#gemmPackedB} at m = 1: streams 4·nk² bytes;</li>
 *   <li>{@code q8-best}: the best registered qs8-gemm, including what the engine pays per call: quantizing x to
 *       int8 (per tensor, symmetric) and the per-column dequantize scales, on the weight packed once
 *       ({@code pack} + {@code gemmPacked}): streams nk² bytes;</li>
 *   <li>a q4-gemm id ({@code q4-gemm-avx2}, ...): that variant (float32 activations) on the weight packed once,
 *       G = {@code group};</li>
 *   <li>a q4-gemv id ({@code q4-gemv-avx2}, ...): int8 activations, including what the engine pays per call:
 *       quantizing x to int8 ({@link Int8Rows}, per row, symmetric) and, inside the kernel, the per-group sums of
 *       the codes; on the weight packed once.</li>
 * </ul>
 * Ids this CPU cannot run fail at setup saying so. {@code q4-gemm-scalar} takes tens of ms at nk = 4096.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Q4GemvBench {
    @Param({"f32-best", "q8-best", "q4-gemm-avx2", "q4-gemm-c", "q4-gemm-panama256", "q4-gemv-avx2", "q4-gemv-c", "q4-gemv-panama256"})
    public String kernel;

    @Param({"1024", "4096"})
    public int nk;

    @Param({"128"})
    public int group;

    private final Arena arena = Arena.ofShared();
    private MemorySegment x, y, xq;
    private io.minnow.engine.kernels.q8.Qs8PackedW w8Packed;
    private F32Gemm f32;
    private Object f32Packed;
    private Qs8Gemm q8;
    private float[] w8Scales, colScales;
    private Q4Gemm q4;
    private Q4Packed q4Packed;
    private Q4Gemv q4v;
    private MemorySegment xScale;

    @Setup(Level.Trial)
    public void setup() {
        BackendConfig cfg = BackendConfig.fromSystemProperties();
        Random r = new Random(1);
        x = arena.allocate((long) nk * 4, 64);
        for (int i = 0; i < nk; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        y = arena.allocate((long) nk * 4, 64);
        float[] w = new float[nk * nk];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian() * 0.05f;
        switch (kernel) {
            case "f32-best" -> {
                f32 = KernelRegistry.best(KernelRegistry.f32Gemm(cfg)).create();
                MemorySegment wt = arena.allocate((long) nk * nk * 4, 64);
                MemorySegment.copy(w, 0, wt, ValueLayout.JAVA_FLOAT, 0, w.length);
                f32Packed = f32.packB(wt, 0, nk, nk, nk, true); // W [n x k] is Bᵀ
            }
            case "q8-best" -> {
                q8 = KernelRegistry.best(KernelRegistry.qs8Gemm(cfg)).create();
                TensorData t = Q8Codec.encode("w", w, nk, nk);
                QuantLayout l = Q8Codec.layout(t);
                w8Packed = q8.pack(nk, nk, t.bytes(), 0, nk); // once, as the engine does at load
                w8Scales = new float[nk];
                for (int j = 0; j < nk; j++) w8Scales[j] = Q8Codec.scale(t, l, j);
                colScales = new float[nk];
                xq = arena.allocate(nk, 64);
            }
            default -> {
                if (kernel.startsWith("q4-gemv-")) {
                    q4v = find(KernelRegistry.q4Gemv(cfg));
                    q4Packed = q4v.pack(Q4Codec.encode("w", w, group, false, nk, nk));
                    xq = arena.allocate(nk, 64);
                    xScale = arena.allocate(4, 64);
                    return;
                }
                q4 = null;
                for (KernelInfo<Q4Gemm> k : KernelRegistry.q4Gemm(cfg)) {
                    if (k.id().equals(kernel)) {
                        if (!k.isAvailable()) throw new IllegalStateException(kernel + " is not available here (needs " + k.requires() + ")");
                        q4 = k.create();
                    }
                }
                if (q4 == null) throw new IllegalStateException("no kernel " + kernel + " in the q4-gemm registry");
                q4Packed = q4.pack(Q4Codec.encode("w", w, group, false, nk, nk));
            }
        }
    }

    private <K> K find(java.util.List<KernelInfo<K>> family) {
        for (KernelInfo<K> k : family) {
            if (k.id().equals(kernel)) {
                if (!k.isAvailable()) throw new IllegalStateException(kernel + " is not available here (needs " + k.requires() + ")");
                return k.create();
            }
        }
        throw new IllegalStateException("no kernel " + kernel + " in its family's registry");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment gemv() {
        if (f32 != null) {
            f32.gemmPackedB(1, 0, nk, x, 0, nk, f32Packed, null, 0, F32Epilogue.NONE, y, 0, nk);
        } else if (q8 != null) {
            // what the engine pays per call: quantize x (per tensor, symmetric), combine scales, int8 gemm
            float max = 0;
            for (int i = 0; i < nk; i++) max = Math.max(max, Math.abs(x.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
            float s = max == 0 ? 1 : max / 127, inv = 1 / s;
            for (int i = 0; i < nk; i++) xq.set(ValueLayout.JAVA_BYTE, i, (byte) Math.rint(x.getAtIndex(ValueLayout.JAVA_FLOAT, i) * inv));
            for (int j = 0; j < nk; j++) colScales[j] = s * w8Scales[j];
            q8.gemmPacked(1, w8Packed, xq, 0, nk, false, 0,
                    new Qs8Epilogue.Dequantize(colScales, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), y, 0, nk);
        } else if (q4v != null) {
            // what the engine pays per call: quantize x (per row, symmetric), then the int8 x int4 kernel
            Int8Rows.quantize(1, nk, x, 0, nk, xq, 0, nk, xScale, 0);
            q4v.gemv(1, q4Packed, xq, 0, nk, xScale, 0, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y, 0, nk);
        } else {
            q4.gemm(1, q4Packed, x, 0, nk, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y, 0, nk);
        }
        return y;
    }
}
