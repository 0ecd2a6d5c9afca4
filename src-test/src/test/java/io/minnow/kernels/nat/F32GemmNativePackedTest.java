package io.minnow.kernels.nat;

import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32GemmNative;
import io.minnow.engine.kernels.f32.F32GemmReference;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The native packed-B entry points refuse, before any native code runs, every argument that would reach outside memory. */
class F32GemmNativePackedTest {
    @Test
    void outOfRangeArgumentsThrow() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        F32Gemm g = F32GemmNative.best();
        try (Arena arena = Arena.ofConfined()) {
            int m = 4, n = 5, k = 6;
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64);
            MemorySegment c = arena.allocate(4L * m * n, 64), bias = arena.allocate(4L * n, 64);
            MemorySegment heap = MemorySegment.ofArray(new float[k * n]);
            Object packed = g.packB(b, 0, n, k, n, false);
            Object foreign = new F32GemmReference().packB(b, 0, n, k, n, false);
            F32Epilogue none = F32Epilogue.NONE;
            List<Runnable> bad = List.of(
                    () -> g.packB(b, 0, n - 1, k, n, false),          // ld < n
                    () -> g.packB(b, 0, k - 1, k, n, true),           // ld < k (transposed)
                    () -> g.packB(b, 1, n, k, n, false),              // runs past the end
                    () -> g.packB(b, -1, n, k, n, false),
                    () -> g.packB(heap, 0, n, k, n, false),           // not off-heap
                    () -> g.packB(b, 0, n, -1, n, false),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, foreign, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, "not packed", null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(-1, 0, n, a, 0, k, packed, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 2, 1, a, 0, k, packed, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n + 1, a, 0, k, packed, null, 0, none, c, 0, n + 1),
                    () -> g.gemmPackedB(m, -1, n, a, 0, k, packed, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k - 1, packed, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, packed, null, 0, none, c, 0, n - 1),
                    () -> g.gemmPackedB(m, 0, n, a, 1, k, packed, null, 0, none, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, packed, null, 0, none, c, 1, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, packed, bias, 1, none, c, 0, n),
                    () -> g.gemmPackedB(m, 1, n, a, 0, k, packed, bias, 1, none, c, 0, n), // bias[j] at j = n
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, packed, null, 0, new F32Epilogue(7, 0f, 0f), c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, a, 0, k, packed, null, 0, null, c, 0, n),
                    () -> g.gemmPackedB(m, 0, n, heap, 0, k, packed, null, 0, none, c, 0, n));
            for (int i = 0; i < bad.size(); i++) {
                int at = i;
                assertThrows(IllegalArgumentException.class, bad.get(i)::run, () -> "case " + at);
            }
        }
    }
}
