package io.minnow.kernels.nat;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import io.minnow.engine.kernels.Kernels;
import io.minnow.engine.kernels.f32.F32Gemm;
import io.minnow.engine.kernels.f32.F32GemmNative;
import io.minnow.engine.kernels.f32.F32GemmReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every native f32-gemm variant this CPU runs, against {@link F32GemmReference}; a variant it lacks is skipped. */
class F32GemmNativeTest {
    private static final int[] SIZES = {0, 1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 64, 100, 129};
    private static final F32Gemm REFERENCE = new F32GemmReference();

    private static F32GemmNative variantOrSkip(int variant) {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        assumeTrue(F32GemmNative.supports(variant), () -> F32GemmNative.idOf(variant) + " skipped: this CPU has only ["
                + NativeLibrary.describeFeatures(NativeLibrary.cpuFeatures()) + "]");
        F32GemmNative g = F32GemmNative.forVariant(variant);
        assertEquals(F32GemmNative.idOf(variant), g.id());
        return g;
    }

    private static MemorySegment random(Arena arena, long floats, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(Math.max(floats, 1) * 4, 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(F32, i, (float) (rnd.nextDouble() * 2 - 1));
        return s;
    }

    /** Runs one case; checks C's window against the reference and that nothing else in C's segment changed. */
    private static void check(F32Gemm g, int m, int n, int k, int pad, long off, boolean accumulate, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int lda = k + pad, ldb = n + pad + (pad == 3 ? 61 : 0), ldc = n + 2 * pad;
        long aLen = off + (long) Math.max(m - 1, 0) * lda + k;
        long bLen = off + 1 + (long) Math.max(k - 1, 0) * ldb + n;
        long cLen = 2 * off + (long) Math.max(m - 1, 0) * ldc + n + 3; // slack after C's window: must stay untouched
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, aLen, rnd), b = random(arena, bLen, rnd), c = random(arena, cLen, rnd);
            MemorySegment expected = arena.allocate(c.byteSize(), 64).copyFrom(c);
            long cOff = 2 * off;
            REFERENCE.gemm(m, n, k, a, off, lda, b, off + 1, ldb, expected, cOff, ldc, accumulate);
            g.gemm(m, n, k, a, off, lda, b, off + 1, ldb, c, cOff, ldc, accumulate);
            double tol = 1e-5 * Math.max(1, k);
            for (long i = 0; i < cLen; i++) {
                float want = expected.getAtIndex(F32, i), got = c.getAtIndex(F32, i);
                long rel = i - cOff;
                boolean inWindow = n > 0 && rel >= 0 && rel / ldc < m && rel % ldc < n;
                if (inWindow ? !(Math.abs(got - want) <= tol * (1 + Math.abs(want))) : Float.compare(got, want) != 0) {
                    fail(g.id() + " m=" + m + " n=" + n + " k=" + k + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc
                            + " off=" + off + " accumulate=" + accumulate + ": C[" + (inWindow ? rel / ldc + "," + rel % ldc
                            : "outside window, index " + i) + "] = " + got + ", expected " + want);
                }
            }
        }
    }

    @ParameterizedTest(name = "variant {0}")
    @ValueSource(ints = {NativeLibrary.F32_GEMM_C, NativeLibrary.F32_GEMM_AVX2, NativeLibrary.F32_GEMM_AVX512F})
    void allSmallShapesMatchReference(int variant) {
        F32GemmNative g = variantOrSkip(variant);
        long seed = 1;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    int pad = (int) (seed % 4);
                    check(g, m, n, k, pad, seed % 5, (seed & 1) == 0, seed);
                    check(g, m, n, k, (pad + 1) % 4, 0, (seed & 1) != 0, seed + 7919);
                    seed++;
                }
            }
        }
    }

    /** Shapes that cross every cache block (k, m and n beyond kc, mc and nc) and one-row / one-column cases. */
    @ParameterizedTest(name = "variant {0}")
    @ValueSource(ints = {NativeLibrary.F32_GEMM_C, NativeLibrary.F32_GEMM_AVX2, NativeLibrary.F32_GEMM_AVX512F})
    void largeShapesCrossingCacheBlocks(int variant) {
        F32GemmNative g = variantOrSkip(variant);
        int[][] shapes = {{150, 1100, 270}, {301, 40, 530}, {1, 2100, 7}, {2049, 1, 9}, {9, 9, 1500}};
        long seed = 100;
        for (int[] s : shapes) {
            check(g, s[0], s[1], s[2], 1, 3, false, seed++);
            check(g, s[0], s[1], s[2], 0, 0, true, seed++);
        }
    }

    @Test
    void adversarialValues() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        for (int variant = 0; variant < NativeLibrary.F32_GEMM_VARIANTS; variant++) {
            if (!F32GemmNative.supports(variant)) continue; // covered (and reported as skipped) above
            F32Gemm g = F32GemmNative.forVariant(variant);
            try (Arena arena = Arena.ofConfined()) {
                int m = 5, n = 37, k = 19;
                MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64);
                MemorySegment c = arena.allocate(4L * m * n, 64);
                // Row 1 of A all zero, NaN in row 3, infinity in row 4: results must follow IEEE like the reference.
                for (int i = 0; i < m * k; i++) a.setAtIndex(F32, i, (i / k) == 1 ? 0f : (float) Math.sin(i));
                for (int i = 0; i < k * n; i++) b.setAtIndex(F32, i, (float) Math.cos(i));
                a.setAtIndex(F32, 3L * k + 4, Float.NaN);
                a.setAtIndex(F32, 4L * k + 2, Float.POSITIVE_INFINITY);
                c.fill((byte) 0x7f); // garbage that must be overwritten, not accumulated
                g.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
                for (int j = 0; j < n; j++) {
                    assertEquals(0f, c.getAtIndex(F32, n + j), g.id() + " zero row");
                    assertTrue(Float.isNaN(c.getAtIndex(F32, 3L * n + j)), g.id() + " NaN row");
                    float inf = c.getAtIndex(F32, 4L * n + j);
                    assertTrue(Float.isInfinite(inf) || Float.isNaN(inf), g.id() + " inf row");
                }
            }
        }
    }

    /** Out-of-range arguments throw before any native code runs; none crashes the JVM. */
    @Test
    void outOfRangeArgumentsThrow() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        F32Gemm g = F32GemmNative.best();
        try (Arena arena = Arena.ofConfined()) {
            int m = 4, n = 5, k = 6;
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64);
            MemorySegment c = arena.allocate(4L * m * n, 64);
            MemorySegment small = arena.allocate(4L * m * n - 4, 64);
            MemorySegment heap = MemorySegment.ofArray(new float[m * n]);
            List<Runnable> bad = List.of(
                    () -> g.gemm(-1, n, k, a, 0, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, -1, k, a, 0, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, -1, a, 0, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k - 1, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n - 1, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n - 1, false),
                    () -> g.gemm(m, n, k, a, 1, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 1, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n, c, 1, n, false),
                    () -> g.gemm(m, n, k, a, 0, k + 1, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n + 1, true),
                    () -> g.gemm(m, n, k, a, -1, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, Long.MAX_VALUE / 2, k, b, 0, n, c, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n, small, 0, n, false),
                    () -> g.gemm(m, n, k, a, 0, k, b, 0, n, heap, 0, n, false),
                    () -> g.gemm(m, n, k, a.asSlice(2), 0, k, b, 0, n, c, 0, n, false), // misaligned
                    () -> g.gemm(Integer.MAX_VALUE, n, k, a, 0, k, b, 0, n, c, 0, n, false));
            for (int i = 0; i < bad.size(); i++) {
                int idx = i;
                assertThrows(IllegalArgumentException.class, bad.get(i)::run, () -> "case " + idx);
            }
            // Degenerate but legal: nothing touched, not even the (empty or heap) segments.
            g.gemm(0, n, k, heap, 0, k, heap, 0, n, heap, 0, n, false);
            g.gemm(m, 0, k, heap, 0, k, heap, 0, 0, heap, 0, 0, false);
        }
    }

    @Test
    void kZeroZeroesOrKeepsC() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        F32Gemm g = F32GemmNative.best();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = arena.allocate(4 * 6, 64);
            MemorySegment empty = arena.allocate(0);
            for (int i = 0; i < 6; i++) c.setAtIndex(F32, i, i + 1);
            g.gemm(2, 3, 0, empty, 0, 0, empty, 0, 3, c, 0, 3, true);
            assertEquals(6f, c.getAtIndex(F32, 5));
            g.gemm(2, 3, 0, empty, 0, 0, empty, 0, 3, c, 0, 3, false);
            for (int i = 0; i < 6; i++) assertEquals(0f, c.getAtIndex(F32, i));
        }
    }

    /** Packing buffers are per thread: concurrent calls on shared inputs must all get the reference answer. */
    @Test
    void concurrentCallsAgree() throws Exception {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        F32Gemm g = F32GemmNative.best();
        int m = 70, n = 90, k = 300;
        try (Arena arena = Arena.ofShared()) {
            SplittableRandom rnd = new SplittableRandom(42);
            MemorySegment a = random(arena, (long) m * k, rnd), b = random(arena, (long) k * n, rnd);
            MemorySegment expected = arena.allocate(4L * m * n, 64);
            REFERENCE.gemm(m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    futures.add(pool.submit(() -> {
                        MemorySegment c = arena.allocate(4L * m * n, 64);
                        for (int rep = 0; rep < 25; rep++) {
                            g.gemm(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
                            for (int i = 0; i < m * n; i++) {
                                float want = expected.getAtIndex(F32, i), got = c.getAtIndex(F32, i);
                                if (!(Math.abs(got - want) <= 1e-5 * k * (1 + Math.abs(want)))) {
                                    throw new AssertionError("element " + i + ": " + got + " vs " + want);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (var f : futures) f.get();
            }
        }
    }

    @Test
    void registryDoesNotChooseNativeForJavaOnly() {
        BackendConfig cfg = BackendConfig.javaOnly(0);
        KernelInfo<F32Gemm> best = KernelRegistry.best(KernelRegistry.f32Gemm(cfg));
        F32Gemm chosen = best.create();
        assertFalse(chosen instanceof F32GemmNative, "java-only config chose " + best.id());
        for (KernelInfo<F32Gemm> info : KernelRegistry.f32Gemm(cfg)) {
            if (info.id().equals("f32-gemm-c") || info.id().equals("f32-gemm-avx2") || info.id().equals("f32-gemm-avx512f")) {
                assertFalse(info.isAvailable(), info.id() + " available although native is disallowed");
            }
        }
        assertFalse(Kernels.select(cfg).describe().contains("backend=native"), Kernels.select(cfg).describe());
    }

    @Test
    void registryChoosesWidestNativeVariantWhenAllowed() {
        assumeTrue(NativeLibrary.available(), () -> "native library unavailable: " + NativeLibrary.unavailableReason());
        BackendConfig cfg = new BackendConfig(true, Integer.MAX_VALUE);
        List<KernelInfo<F32Gemm>> family = KernelRegistry.f32Gemm(cfg);
        for (int v = 0; v < NativeLibrary.F32_GEMM_VARIANTS; v++) {
            String id = F32GemmNative.idOf(v);
            KernelInfo<F32Gemm> info = family.stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
            assertNotNull(info, "registry lists " + id);
            assertEquals(F32GemmNative.supports(v), info.isAvailable(), id);
        }
        F32Gemm chosen = KernelRegistry.best(family).create();
        F32GemmNative nat = assertInstanceOf(F32GemmNative.class, chosen);
        assertEquals("f32-gemm-" + NativeLibrary.isa(), nat.id());
        String line = Kernels.select(cfg).describe();
        assertTrue(line.contains("backend=native isa=" + NativeLibrary.isa()), line);
        System.out.println(line);
    }
}
