package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.BackendConfig;
import io.minnow.engine.kernels.KernelInfo;
import io.minnow.engine.kernels.KernelRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** f32-gemm-panama* against the scalar reference on odd sizes, strides, offsets and accumulation. */
class F32GemmVectorTest {
    private static final int[] SIZES = {0, 1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 64, 100, 129};

    /** One problem: A, B, C with padded leading dimensions and offsets, filled with random values. */
    private record Problem(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                           MemorySegment c, long cOff, int ldc) {
        static Problem random(Random rnd, int m, int n, int k, boolean padded) {
            int lda = k + (padded ? rnd.nextInt(4) + 1 : 0), ldb = n + (padded ? rnd.nextInt(4) + 1 : 0);
            int ldc = n + (padded ? rnd.nextInt(4) + 1 : 0);
            long aOff = padded ? rnd.nextInt(5) : 0, bOff = padded ? rnd.nextInt(5) : 0, cOff = padded ? rnd.nextInt(5) : 0;
            MemorySegment a = fill(rnd, aOff + (long) m * lda + 3), b = fill(rnd, bOff + (long) k * ldb + 3);
            MemorySegment c = fill(rnd, cOff + (long) m * ldc + 3);
            return new Problem(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }

        Problem copyC() {
            MemorySegment c2 = Arena.ofAuto().allocate(c.byteSize(), 64);
            c2.copyFrom(c);
            return new Problem(m, n, k, a, aOff, lda, b, bOff, ldb, c2, cOff, ldc);
        }

        void run(F32Gemm g, boolean acc) {
            g.gemm(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, acc);
        }
    }

    private static MemorySegment fill(Random rnd, long floats) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(4, floats * 4), 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(F32, i, rnd.nextFloat() * 2 - 1);
        return s;
    }

    /** Compares every C element (and that padding between rows was left alone) within ~1e-5·k relative. */
    private static void check(Problem ref, Problem got, String what) {
        long total = got.c.byteSize() / 4;
        for (long idx = 0; idx < total; idx++) {
            float r = ref.c.getAtIndex(F32, idx), g = got.c.getAtIndex(F32, idx);
            long rel = idx - got.cOff;
            boolean inside = rel >= 0 && got.ldc > 0 && rel / got.ldc < got.m && rel % got.ldc < got.n;
            if (!inside) {
                if (Float.floatToRawIntBits(r) != Float.floatToRawIntBits(g)) fail(what + ": wrote outside C at " + idx);
                continue;
            }
            double tol = 1e-5 * Math.max(1, got.k) * Math.max(1.0, Math.abs(r));
            if (!(Math.abs(r - g) <= tol)) {
                fail(what + ": C[" + rel / got.ldc + "," + rel % got.ldc + "] = " + g + ", reference " + r);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void matchesReference(int bits) {
        F32Gemm ref = new F32GemmReference();
        F32Gemm vec = new F32GemmVector(bits);
        assertEquals("f32-gemm-panama" + bits, vec.id());
        Random rnd = new Random(bits);
        // On CPUs without AVX-512 the 512-bit kernel runs in the Vector API's Java fallback: slower, same answers.
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int k : SIZES) {
                    // Every small problem; a deterministic third of the big ones keeps the run short.
                    if ((long) m * n * k > 100_000 && (m + n + k) % 3 != 0) continue;
                    boolean acc = ((m + n + k) & 1) == 0;
                    boolean padded = ((m ^ n ^ k) & 2) != 0;
                    Problem p = Problem.random(rnd, m, n, k, padded);
                    Problem q = p.copyC();
                    p.run(ref, acc);
                    q.run(vec, acc);
                    check(p, q, vec.id() + " m=" + m + " n=" + n + " k=" + k + " acc=" + acc + " padded=" + padded);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void accumulateAndStridesOnEveryEdge(int bits) {
        F32Gemm ref = new F32GemmReference();
        F32Gemm vec = new F32GemmVector(bits);
        Random rnd = new Random(7 + bits);
        int[][] shapes = {{6, 32, 300}, {7, 33, 257}, {13, 1, 5}, {4, 100, 3}, {5, 17, 513}, {80, 70, 40}};
        for (int[] s : shapes) {
            for (boolean acc : new boolean[]{false, true}) {
                for (boolean padded : new boolean[]{false, true}) {
                    Problem p = Problem.random(rnd, s[0], s[1], s[2], padded);
                    Problem q = p.copyC();
                    p.run(ref, acc);
                    q.run(vec, acc);
                    check(p, q, vec.id() + " " + s[0] + "x" + s[1] + "x" + s[2] + " acc=" + acc + " padded=" + padded);
                }
            }
        }
    }

    /** Splitting one product by rows or by columns must not change a single bit (ops split over threads). */
    @Test
    void rowAndColumnSplitsAreBitIdentical() {
        F32Gemm vec = F32GemmVector.forCap(Integer.MAX_VALUE);
        Random rnd = new Random(3);
        int m = 37, n = 75, k = 600;
        Problem whole = Problem.random(rnd, m, n, k, true);
        Problem rows = whole.copyC(), cols = whole.copyC();
        whole.run(vec, false);
        for (int[] r : new int[][]{{0, 1}, {1, 5}, {5, 16}, {16, 37}}) {
            vec.gemm(r[1] - r[0], n, k, rows.a, rows.aOff + (long) r[0] * rows.lda, rows.lda, rows.b, rows.bOff, rows.ldb,
                    rows.c, rows.cOff + (long) r[0] * rows.ldc, rows.ldc, false);
        }
        for (int[] r : new int[][]{{0, 3}, {3, 16}, {16, 50}, {50, 75}}) {
            vec.gemm(m, r[1] - r[0], k, cols.a, cols.aOff, cols.lda, cols.b, cols.bOff + r[0], cols.ldb,
                    cols.c, cols.cOff + r[0], cols.ldc, false);
        }
        assertEquals(-1, whole.c.mismatch(rows.c), "row split changed bits");
        assertEquals(-1, whole.c.mismatch(cols.c), "column split changed bits");
    }

    /** The packed-B path (fused bias + activation) against the reference's default, and its column splits. */
    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void packedBMatchesReferenceAndSplitsKeepBits(int bits) {
        F32Gemm ref = new F32GemmReference();
        F32Gemm vec = new F32GemmVector(bits);
        Random rnd = new Random(100 + bits);
        F32Epilogue[] epis = {F32Epilogue.NONE, new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, Float.POSITIVE_INFINITY),
                new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.5f, 0.5f), new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f)};
        int[][] shapes = {{1, 1, 1}, {1, 37, 20}, {3, 16, 5}, {4, 17, 300}, {5, 33, 257}, {13, 40, 0}, {9, 70, 513},
                {90, 33, 64}, {2, 1000, 7}};
        int variant = 0;
        for (int[] sh : shapes) {
            for (boolean transposed : new boolean[]{false, true}) {
                variant++;
                int m = sh[0], n = sh[1], k = sh[2];
                int ldb = (transposed ? k : n) + (variant & 3), lda = k + 1, ldc = n + 2;
                MemorySegment a = fill(rnd, (long) m * lda + 1), b = fill(rnd, 2 + (long) (transposed ? n : k) * ldb);
                MemorySegment bias = (variant & 1) == 0 ? fill(rnd, n + 3) : null;
                F32Epilogue epi = epis[variant % epis.length];
                MemorySegment want = fill(rnd, 1 + (long) m * ldc), got = Arena.ofAuto().allocate(want.byteSize(), 64);
                got.copyFrom(want);
                MemorySegment split = Arena.ofAuto().allocate(want.byteSize(), 64);
                split.copyFrom(want);
                ref.gemmPackedB(m, 0, n, a, 1, lda, ref.packB(b, 2, ldb, k, n, transposed), bias, 3, epi, want, 1, ldc);
                Object packed = vec.packB(b, 2, ldb, k, n, transposed);
                vec.gemmPackedB(m, 0, n, a, 1, lda, packed, bias, 3, epi, got, 1, ldc);
                int[] cuts = {0, n / 3, n / 3, n - n / 5, n};
                for (int i = 0; i + 1 < cuts.length; i++) {
                    vec.gemmPackedB(m, cuts[i], cuts[i + 1], a, 1, lda, packed, bias, 3, epi, split, 1, ldc);
                }
                String what = vec.id() + " packed " + m + "x" + n + "x" + k + " transposed=" + transposed + " epi=" + epi;
                for (long i = 0; i < want.byteSize() / 4; i++) {
                    float r = want.getAtIndex(F32, i), g = got.getAtIndex(F32, i);
                    double tol = 1e-5 * Math.max(1, k) * Math.max(1.0, Math.abs(r));
                    if (!(Math.abs(r - g) <= tol)) fail(what + ": at " + i + " got " + g + ", reference " + r);
                }
                assertEquals(-1, got.mismatch(split), what + ": column split changed bits");
            }
        }
    }

    @Test
    void registryOffersVectorKernelOnlyWhenAllowed() {
        KernelInfo<F32Gemm> scalar = KernelRegistry.best(KernelRegistry.f32Gemm(BackendConfig.javaOnly(0)));
        assertEquals("f32-gemm-scalar", scalar.id());
        assertFalse(KernelRegistry.f32Gemm(BackendConfig.javaOnly(0)).stream()
                .anyMatch(k -> k.id().startsWith("f32-gemm-panama") && k.isAvailable()));
        KernelInfo<F32Gemm> v128 = KernelRegistry.best(KernelRegistry.f32Gemm(BackendConfig.javaOnly(128)));
        assertEquals("f32-gemm-panama128", v128.id());
        assertEquals("f32-gemm-panama128", v128.create().id());
        int preferred = F32GemmVector.bitsFor(Integer.MAX_VALUE);
        assertTrue(preferred >= 128);
        KernelInfo<F32Gemm> v512 = KernelRegistry.best(KernelRegistry.f32Gemm(BackendConfig.javaOnly(512)));
        assertEquals("f32-gemm-panama" + Math.min(512, preferred), v512.create().id());
        assertEquals(v512.id(), v512.create().id());
    }
}
