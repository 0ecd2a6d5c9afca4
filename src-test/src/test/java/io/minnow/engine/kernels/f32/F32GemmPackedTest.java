package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packed-B path ({@link F32Gemm#packB} + {@link F32Gemm#gemmPackedB}) of every f32-gemm kernel this
 * machine runs, against {@link F32GemmReference} plus the epilogue in Java: both weight layouts, with and
 * without bias, each activation code, odd shapes, padded strides, column windows; and that any split of
 * the columns gives the same bits (what lets ops split work over threads).
 */
class F32GemmPackedTest {
    private static final int[] M = {0, 1, 2, 3, 5, 7, 17};
    private static final int[] NK = {0, 1, 3, 8, 17, 33, 70};
    private static final F32Epilogue[] EPILOGUES = {F32Epilogue.NONE, new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f,
            Float.POSITIVE_INFINITY), new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.3f, 0.4f),
            new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f)};

    private static List<F32Gemm> kernels() {
        List<F32Gemm> out = new ArrayList<>();
        for (KernelInfo<F32Gemm> k : KernelRegistry.f32Gemm(BackendConfig.fromSystemProperties())) {
            if (k.isAvailable()) out.add(k.create());
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static MemorySegment random(Arena arena, long floats, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(Math.max(floats, 1) * 4, 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(F32, i, (float) (rnd.nextDouble() * 2 - 1));
        return s;
    }

    /** One case: checks the window [j0, j1) of every row and that nothing else in C changed. */
    private static void check(F32Gemm g, int m, int n, int k, boolean transposed, boolean withBias, F32Epilogue epi,
                              int j0, int j1, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int pad = (int) (seed % 3), lda = k + pad, ldc = Math.max(1, n + 2 * pad);
        int ld = (transposed ? k : n) + pad, bRows = transposed ? n : k;
        long aOff = seed % 4, bOff = seed % 5, cOff = seed % 3, biasOff = seed % 2;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = random(arena, aOff + (long) m * lda, rnd);
            MemorySegment b = random(arena, bOff + (long) bRows * ld, rnd);
            MemorySegment bias = withBias ? random(arena, biasOff + n, rnd) : null;
            long cLen = cOff + (long) m * ldc + 3;
            MemorySegment c = random(arena, cLen, rnd);
            MemorySegment before = arena.allocate(c.byteSize(), 64).copyFrom(c);
            // Reference: B made row-major, the double-accumulating loop, then bias and the activation in Java.
            MemorySegment bRow = arena.allocate(Math.max(1L, (long) k * n) * 4, 64);
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bRow.setAtIndex(F32, (long) p * n + j, b.getAtIndex(F32, bOff + (transposed ? (long) j * ld + p : (long) p * ld + j)));
                }
            }
            MemorySegment want = arena.allocate(Math.max(1L, (long) m * n) * 4, 64);
            new F32GemmReference().gemm(m, n, k, a, aOff, lda, bRow, 0, n, want, 0, n, false);

            Object packed = g.packB(b, bOff, ld, k, n, transposed);
            g.gemmPackedB(m, j0, j1, a, aOff, lda, packed, bias, biasOff, epi, c, cOff, ldc);
            double tol = 1e-5 * Math.max(1, k);
            for (long idx = 0; idx < cLen; idx++) {
                float got = c.getAtIndex(F32, idx);
                long rel = idx - cOff;
                int i = (int) Math.floorDiv(rel, ldc), j = (int) Math.floorMod(rel, ldc);
                boolean inWindow = rel >= 0 && i < m && j >= j0 && j < j1;
                if (!inWindow) {
                    if (Float.compare(got, before.getAtIndex(F32, idx)) != 0) fail(g.id() + ": wrote outside the window at " + idx);
                    continue;
                }
                float v = want.getAtIndex(F32, (long) i * n + j);
                if (withBias) v += bias.getAtIndex(F32, biasOff + j);
                float expect = epi.apply(v);
                if (!(Math.abs(got - expect) <= tol * (1 + Math.abs(expect)))) {
                    fail(g.id() + " m=" + m + " n=" + n + " k=" + k + " transposed=" + transposed + " bias=" + withBias
                            + " epi=" + epi + " window [" + j0 + "," + j1 + "): C[" + i + "," + j + "] = " + got
                            + ", expected " + expect);
                }
            }
        }
    }

    @Test
    void everyKernelMatchesReference() {
        for (F32Gemm g : kernels()) {
            long seed = 1;
            for (int m : M) {
                for (int n : NK) {
                    for (int k : NK) {
                        boolean t = (seed & 1) == 0, bias = (seed & 2) == 0;
                        F32Epilogue epi = EPILOGUES[(int) (seed % EPILOGUES.length)];
                        check(g, m, n, k, t, bias, epi, 0, n, seed);
                        check(g, m, n, k, !t, !bias, EPILOGUES[(int) ((seed + 1) % EPILOGUES.length)], n / 3, n - n / 4, seed + 31);
                        seed++;
                    }
                }
            }
        }
    }

    /** Shapes that cross the native cache blocks (k beyond kc, m beyond mc, several panels and groups). */
    @Test
    void largeShapes() {
        int[][] shapes = {{1, 300, 600}, {150, 70, 530}, {7, 1030, 260}};
        for (F32Gemm g : kernels()) {
            if (g instanceof F32GemmReference) continue; // the default path: covered above, slow here
            long seed = 500;
            for (int[] s : shapes) {
                check(g, s[0], s[1], s[2], true, true, EPILOGUES[2], 0, s[1], seed++);
                check(g, s[0], s[1], s[2], false, false, EPILOGUES[3], 5, s[1] - 3, seed++);
            }
        }
    }

    /** Columns split at any point, and rows computed one at a time, give exactly the bits of the whole product. */
    @Test
    void splitsGiveTheSameBits() {
        int m = 9, n = 83, k = 300;
        for (F32Gemm g : kernels()) {
            SplittableRandom rnd = new SplittableRandom(7);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = random(arena, (long) m * k, rnd), b = random(arena, (long) n * k, rnd);
                MemorySegment bias = random(arena, n, rnd);
                MemorySegment whole = arena.allocate(4L * m * n, 64), parts = arena.allocate(4L * m * n, 64);
                Object packed = g.packB(b, 0, k, k, n, true);
                F32Epilogue epi = EPILOGUES[1];
                g.gemmPackedB(m, 0, n, a, 0, k, packed, bias, 0, epi, whole, 0, n);
                int[] cuts = {0, 1, 16, 17, 40, 64, 82, n};
                for (int c = 0; c + 1 < cuts.length; c++) {
                    g.gemmPackedB(m, cuts[c], cuts[c + 1], a, 0, k, packed, bias, 0, epi, parts, 0, n);
                }
                assertBitsEqual(g, whole, parts, "column split");
                for (int i = 0; i < m; i++) {
                    g.gemmPackedB(1, 0, n, a, (long) i * k, k, packed, bias, 0, epi, parts, (long) i * n, n);
                }
                assertBitsEqual(g, whole, parts, "one row at a time");
            }
        }
    }

    private static void assertBitsEqual(F32Gemm g, MemorySegment x, MemorySegment y, String what) {
        for (long i = 0; i < x.byteSize() / 4; i++) {
            if (Float.floatToRawIntBits(x.getAtIndex(F32, i)) != Float.floatToRawIntBits(y.getAtIndex(F32, i))) {
                fail(g.id() + " " + what + ": float " + i + " differs: " + x.getAtIndex(F32, i) + " vs " + y.getAtIndex(F32, i));
            }
        }
    }
}
