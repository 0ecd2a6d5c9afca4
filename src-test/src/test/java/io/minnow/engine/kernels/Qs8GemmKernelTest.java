package io.minnow.engine.kernels;

import io.minnow.engine.kernels.q8.Qs8Epilogue;
import io.minnow.engine.kernels.q8.Qs8Gemm;
import io.minnow.engine.kernels.q8.Qs8GemmReference;
import io.minnow.engine.kernels.q8.Qs8PackedW;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every available kernel of family qs8-gemm (from the registry, so a new variant is covered by its registry
 * line) against {@link Qs8GemmReference}, through both {@code gemm} and {@code pack} + {@code gemmPacked}: odd
 * shapes, K up to 16384, operand extremes, zero rows, both activation types with zero points at both ends, the
 * three epilogues with per-tensor and per-column scales (and NaN / infinite / huge scales, signed-zero clamps).
 * C is compared byte for byte over the whole buffer, so int32 and requantized results are exactly equal,
 * dequantized floats bitwise equal, and nothing outside C's rows is written.
 */
class Qs8GemmKernelTest {
    private static final Qs8Gemm REF = new Qs8GemmReference();

    /** Each distinct available kernel id, from the process configuration and every Vector API width cap. */
    static List<KernelInfo<Qs8Gemm>> kernels() {
        Map<String, KernelInfo<Qs8Gemm>> byId = new LinkedHashMap<>();
        for (BackendConfig cfg : List.of(BackendConfig.fromSystemProperties(), BackendConfig.javaOnly(0),
                BackendConfig.javaOnly(256), BackendConfig.javaOnly(512))) {
            for (KernelInfo<Qs8Gemm> k : KernelRegistry.qs8Gemm(cfg)) {
                if (k.isAvailable()) byId.putIfAbsent(k.id(), k);
            }
        }
        return new ArrayList<>(byId.values());
    }

    @Test
    void theFastVariantsAreRegisteredAndAvailableHere() {
        List<String> ids = kernels().stream().map(KernelInfo::id).toList();
        assertTrue(ids.contains("qs8-gemm-scalar"), ids.toString());
        if (io.minnow.kernels.nat.NativeLibrary.available()) {
            assertTrue(ids.contains("qs8-gemm-c"), ids.toString());
            if ((io.minnow.kernels.nat.NativeLibrary.cpuFeatures() & io.minnow.kernels.nat.NativeLibrary.CPU_AVX2) != 0) {
                assertTrue(ids.contains("qs8-gemm-avx2"), ids.toString());
            }
        }
        if (io.minnow.engine.kernels.q8.Qs8GemmVector.available(BackendConfig.javaOnly(256))) {
            assertTrue(ids.contains("qs8-gemm-panama256"), ids.toString());
        }
        System.out.println("qs8-gemm kernels tested here: " + ids);
        List<String> all = KernelRegistry.qs8Gemm(BackendConfig.fromSystemProperties()).stream().map(KernelInfo::id).toList();
        assertTrue(all.containsAll(List.of("qs8-gemm-c", "qs8-gemm-avx2", "qs8-gemm-avx512vnni", "qs8-gemm-panama256")), all.toString());
        String chosen = Kernels.select(BackendConfig.fromSystemProperties()).qs8Gemm().id();
        assertTrue(Kernels.select(BackendConfig.fromSystemProperties()).describe().contains("qs8-gemm=" + chosen));
    }

    /** One product's operands. fill: 0 random, 1 A at its max and W -128, 2 A at its min and W 127, 3 zero rows. */
    private record Case(int m, int n, int k, boolean aUnsigned, int aZero, int lda, int ldw, long aOff, long wOff,
                        MemorySegment a, MemorySegment w) {
        static Case make(Random r, int m, int n, int k, boolean u, int zero, int fill) {
            int lda = k + r.nextInt(3), ldw = k + r.nextInt(3);
            long aOff = r.nextInt(4), wOff = r.nextInt(4);
            MemorySegment a = Arena.ofAuto().allocate(Math.max(1, aOff + (long) m * lda), 64);
            MemorySegment w = Arena.ofAuto().allocate(Math.max(1, wOff + (long) n * ldw), 64);
            int aMin = u ? 0 : -128;
            for (long i = 0; i < a.byteSize(); i++) {
                int v = switch (fill) {
                    case 1 -> u ? 255 : 127;
                    case 2 -> aMin;
                    case 3 -> (i / Math.max(1, lda)) % 2 == 0 ? zero : aMin + r.nextInt(256);
                    default -> aMin + r.nextInt(256);
                };
                a.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            }
            for (long i = 0; i < w.byteSize(); i++) {
                int v = switch (fill) {
                    case 1 -> -128;
                    case 2 -> 127;
                    case 3 -> (i / Math.max(1, ldw)) % 3 == 1 ? 0 : r.nextInt(256) - 128;
                    default -> r.nextInt(256) - 128;
                };
                w.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            }
            return new Case(m, n, k, u, zero, lda, ldw, aOff, wOff, a, w);
        }
    }

    private static Qs8Epilogue epilogue(Random r, int kind, int n, boolean perColumn) {
        int cols = perColumn ? n : 1;
        float[] scale = new float[cols];
        for (int j = 0; j < cols; j++) scale[j] = (float) Math.scalb(1 + r.nextInt(1000), -12 - r.nextInt(8));
        switch (kind) {
            case 0:
                return new Qs8Epilogue.Raw();
            case 1: {
                int[] bias = r.nextBoolean() ? null : new int[cols];
                if (bias != null) for (int j = 0; j < cols; j++) bias[j] = r.nextInt(20001) - 10000;
                boolean u = r.nextBoolean();
                return u ? new Qs8Epilogue.Requantize(scale, bias, 128, r.nextInt(10), 255 - r.nextInt(10), true)
                        : new Qs8Epilogue.Requantize(scale, bias, -3, -128, 120, false);
            }
            default: {
                float[] bias = r.nextBoolean() ? null : new float[cols];
                if (bias != null) for (int j = 0; j < cols; j++) bias[j] = (r.nextInt(2001) - 1000) / 64f;
                return new Qs8Epilogue.Dequantize(scale, bias, r.nextBoolean() ? -20f : Float.NEGATIVE_INFINITY, r.nextBoolean() ? 6f : Float.POSITIVE_INFINITY);
            }
        }
    }

    private static MemorySegment newC(int m, int ldc, long cOff, Qs8Epilogue epi) {
        MemorySegment c = Arena.ofAuto().allocate((cOff + (long) Math.max(1, m) * ldc) * epi.outBytes() + 8, 64);
        c.fill((byte) 0x5A); // every kernel must leave what is not C's exactly as it was
        return c;
    }

    /** The reference's C, then each kernel's through gemm and through pack + gemmPacked, byte for byte. */
    private static void compare(Qs8Gemm k, Case cs, Qs8Epilogue epi, String what) {
        int ldc = cs.n + 2;
        long cOff = 1;
        MemorySegment want = newC(cs.m, ldc, cOff, epi);
        REF.gemm(cs.m, cs.n, cs.k, cs.a, cs.aOff, cs.lda, cs.aUnsigned, cs.aZero, cs.w, cs.wOff, cs.ldw, epi, want, cOff, ldc);
        MemorySegment got = newC(cs.m, ldc, cOff, epi);
        k.gemm(cs.m, cs.n, cs.k, cs.a, cs.aOff, cs.lda, cs.aUnsigned, cs.aZero, cs.w, cs.wOff, cs.ldw, epi, got, cOff, ldc);
        assertEquals(-1, want.mismatch(got), () -> k.id() + " gemm " + what + ": first differing byte " + want.mismatch(got));
        Qs8PackedW pw = k.pack(cs.n, cs.k, cs.w, cs.wOff, cs.ldw);
        assertEquals(k.id(), pw.kernelId());
        MemorySegment got2 = newC(cs.m, ldc, cOff, epi);
        k.gemmPacked(cs.m, pw, cs.a, cs.aOff, cs.lda, cs.aUnsigned, cs.aZero, epi, got2, cOff, ldc);
        assertEquals(-1, want.mismatch(got2), () -> k.id() + " gemmPacked " + what + ": first differing byte " + want.mismatch(got2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void oddShapesAllEpilogues(KernelInfo<Qs8Gemm> info) {
        Qs8Gemm k = info.create();
        Random r = new Random(31);
        int[] ks = {1, 3, 17, 31, 33, 100, 1000, 16384}, ns = {1, 5, 17, 33}, ms = {1, 2, 3, 5, 64};
        int cases = 0;
        for (int kk : ks) {
            for (int n : ns) {
                for (int m : ms) {
                    if ((long) m * n * kk > 600_000 && !(m <= 2 && n <= 5)) continue; // the scalar reference is slow
                    boolean u = r.nextBoolean();
                    int zero = u ? new int[] {0, 128, 255}[r.nextInt(3)] : new int[] {0, -128, 127}[r.nextInt(3)];
                    int fill = r.nextInt(4), kind = cases % 3;
                    Case cs = Case.make(r, m, n, kk, u, zero, fill);
                    compare(k, cs, epilogue(r, kind, n, r.nextBoolean()), "m=" + m + " n=" + n + " k=" + kk + " u8=" + u
                            + " zero=" + zero + " fill=" + fill + " epilogue=" + kind);
                    cases++;
                }
            }
        }
        assertTrue(cases > 100, "cases run: " + cases);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void everyExtremeCombination(KernelInfo<Qs8Gemm> info) {
        Qs8Gemm k = info.create();
        Random r = new Random(32);
        for (boolean u : new boolean[] {true, false}) {
            for (int zero : u ? new int[] {0, 128, 255} : new int[] {0, -128, 127}) {
                for (int fill = 0; fill < 4; fill++) {
                    for (int kind = 0; kind < 3; kind++) {
                        Case cs = Case.make(r, 7, 19, 37, u, zero, fill);
                        compare(k, cs, epilogue(r, kind, 19, kind != 1), "u8=" + u + " zero=" + zero + " fill=" + fill + " epi=" + kind);
                    }
                }
            }
        }
        // the int32 extremes at long K: 255 * -128 * 16384 and the like, exactly
        compare(k, Case.make(r, 2, 3, 16384, true, 0, 1), new Qs8Epilogue.Raw(), "u8 255 x -128, k=16384");
        compare(k, Case.make(r, 3, 2, 16384, false, 127, 2), new Qs8Epilogue.Raw(), "s8 (-128-127) x 127, k=16384");
        // past k = 65793 the accumulators wrap like int32 in every variant
        compare(k, Case.make(r, 1, 2, 70000, true, 0, 1), new Qs8Epilogue.Raw(), "wrapping, k=70000");
        // k = 0: all accumulators 0; empty m or n: nothing written
        compare(k, Case.make(r, 3, 4, 0, true, 9, 0), new Qs8Epilogue.Dequantize(new float[] {0.5f}, new float[] {1f}, -1f, 1f), "k=0");
        compare(k, Case.make(r, 0, 4, 5, true, 9, 0), new Qs8Epilogue.Raw(), "m=0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void specialScalesAndClamps(KernelInfo<Qs8Gemm> info) {
        Qs8Gemm k = info.create();
        Random r = new Random(33);
        Case cs = Case.make(r, 5, 6, 40, true, 128, 0);
        float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -0f, 3.5f};
        compare(k, cs, new Qs8Epilogue.Requantize(odd, new int[] {1, 2, 3, 4, 5, Integer.MAX_VALUE}, 7, -100, 100, false), "requantize odd scales");
        compare(k, cs, new Qs8Epilogue.Requantize(new float[] {0.5f}, new int[] {Integer.MAX_VALUE}, 0, 0, 255, true), "bias wraps");
        compare(k, cs, new Qs8Epilogue.Dequantize(odd, null, -0f, 0f), "dequantize odd scales, signed-zero clamp");
        compare(k, cs, new Qs8Epilogue.Dequantize(new float[] {-1e-6f}, new float[] {0f}, 0f, -0f == 0f ? 0f : 1f), "dequantize -0 products");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void badArgumentsAreRejected(KernelInfo<Qs8Gemm> info) {
        Qs8Gemm k = info.create();
        Random r = new Random(34);
        Case cs = Case.make(r, 3, 4, 5, true, 0, 0);
        Qs8Epilogue raw = new Qs8Epilogue.Raw();
        MemorySegment c = Arena.ofAuto().allocate(4 * 12, 64);
        assertThrows(IllegalArgumentException.class, () -> k.gemm(3, 4, 5, cs.a, cs.aOff, 4, true, 0, cs.w, cs.wOff, cs.ldw, raw, c, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> k.gemm(3, 4, 5, cs.a, cs.aOff, cs.lda, true, 256, cs.w, cs.wOff, cs.ldw, raw, c, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> k.gemm(3, 4, 5, cs.a, cs.aOff, cs.lda, true, 0, cs.w, cs.wOff, cs.ldw, raw, c, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> k.gemm(3, 5, 5, cs.a, cs.aOff, cs.lda, true, 0, cs.w, cs.wOff, cs.ldw, raw, c, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> k.pack(5, 5, cs.w, cs.wOff, cs.ldw));
        assertThrows(IllegalArgumentException.class, () -> k.pack(4, 5, cs.w, -1, cs.ldw));
        assertThrows(IllegalArgumentException.class, () -> k.pack(4, 5, cs.w, 0, 4));
        Qs8PackedW pw = k.pack(4, 5, cs.w, cs.wOff, cs.ldw);
        assertThrows(IllegalArgumentException.class, () -> k.gemmPacked(4, pw, cs.a, cs.aOff, cs.lda, true, 0, raw, c, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> k.gemmPacked(3, pw, cs.a, cs.aOff, cs.lda, true, 0, raw, c, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> k.gemmPacked(3, pw, cs.a, cs.aOff, cs.lda, false, 128, raw, c, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> k.gemmPacked(3, pw, cs.a, cs.aOff, cs.lda, true, 0,
                new Qs8Epilogue.Requantize(new float[3], null, 0, 0, 255, true), c, 0, 4));
        // a W packed by another kernel is refused, whichever
        for (KernelInfo<Qs8Gemm> other : kernels()) {
            if (other.id().equals(k.id())) continue;
            Qs8PackedW foreign = other.create().pack(4, 5, cs.w, cs.wOff, cs.ldw);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.gemmPacked(3, foreign, cs.a, cs.aOff, cs.lda, true, 0, raw, c, 0, 4));
            assertTrue(e.getMessage().contains(other.id()), e.getMessage());
        }
    }

    /** Several threads on disjoint row ranges of one packed W: each range equals the reference's rows. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void concurrentRowRangesOnOnePackedW(KernelInfo<Qs8Gemm> info) throws Exception {
        Qs8Gemm k = info.create();
        Random r = new Random(35);
        int m = 40, n = 37, kk = 300;
        Case cs = Case.make(r, m, n, kk, false, -5, 0);
        Qs8Epilogue epi = epilogue(r, 1, n, true);
        MemorySegment want = newC(m, n, 0, epi);
        REF.gemm(m, n, kk, cs.a, cs.aOff, cs.lda, false, -5, cs.w, cs.wOff, cs.ldw, epi, want, 0, n);
        Qs8PackedW pw = k.pack(n, kk, cs.w, cs.wOff, cs.ldw);
        MemorySegment got = newC(m, n, 0, epi);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int i0 = t * 5;
                fs.add(pool.submit(() -> {
                    for (int rep = 0; rep < 5; rep++) {
                        k.gemmPacked(5, pw, cs.a, cs.aOff + (long) i0 * cs.lda, cs.lda, false, -5, epi, got, (long) i0 * n, n);
                    }
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(-1, want.mismatch(got), k.id());
    }
}
