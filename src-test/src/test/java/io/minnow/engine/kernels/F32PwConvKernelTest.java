package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.F32Epilogue;
import io.minnow.engine.kernels.f32.F32PwConv;
import io.minnow.engine.kernels.f32.F32PwConvNative;
import io.minnow.engine.kernels.f32.F32PwConvReference;
import io.minnow.kernels.nat.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Family f32-pwconv: every kernel the registry offers here against {@link F32PwConvReference}, over every
 * pixel count, input and output channel count of the native kernels' tiles and tails (m x k x n grid), dense
 * and strided rows, bias and residual on and off, every epilogue, the residual read in place, extreme values
 * (1e18, 1e-18, zeros, NaN), nonzero offsets and exactly sized segments (a Java over-read throws, a native
 * one is refused by the bound checks); and the native wrapper's bound checks.
 */
class F32PwConvKernelTest {
    private static final F32Epilogue[] EPILOGUES = {F32Epilogue.NONE,
            new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, Float.POSITIVE_INFINITY),
            new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.25f, 0.5f),
            new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f)};
    private static final int[] MS = {1, 2, 3, 5, 6, 7, 13, 49, 196};
    private static final int[] KS = {1, 3, 8, 9, 16, 17, 96};
    private static final int[] NS = {1, 3, 7, 8, 9, 15, 16, 17, 24, 25, 32, 40, 96, 130};
    private static final float SENTINEL = -12345.5f;

    /** Every available kernel except the reference, by id. */
    static List<F32PwConv> kernels() {
        Map<String, F32PwConv> byId = new LinkedHashMap<>();
        for (BackendConfig cfg : List.of(BackendConfig.fromSystemProperties(), BackendConfig.javaOnly(0))) {
            for (KernelInfo<F32PwConv> k : KernelRegistry.f32PwConv(cfg)) {
                if (!k.id().equals("f32-pwconv-scalar") && k.isAvailable() && !byId.containsKey(k.id())) {
                    byId.put(k.id(), k.create());
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** Floats in an exactly sized off-heap segment (no slack: one float past the end is out of bounds). */
    static MemorySegment exact(long floats) {
        return Arena.ofAuto().allocate(Math.max(1, floats) * 4, 64);
    }

    /**
     * One problem: x [m][ldx] at xOff, W [n][k], bias at bOff, residual [m][ldr] at rOff, each in a segment that
     * ends exactly at its last element; gaps between rows hold NaN (a read of one spoils an output).
     */
    record Problem(int m, int n, int k, int ldx, int ldy, int ldr, MemorySegment x, long xOff, MemorySegment w,
                   MemorySegment b, long bOff, MemorySegment r, long rOff, long yOff) {
        static Problem random(Random rnd, int m, int n, int k, boolean strided, float scale) {
            int ldx = strided ? k + 1 + rnd.nextInt(4) : k;
            int ldy = strided ? n + 1 + rnd.nextInt(5) : n;
            int ldr = strided ? n + 2 + rnd.nextInt(3) : n;
            long xOff = rnd.nextInt(4), bOff = rnd.nextInt(4), rOff = rnd.nextInt(4), yOff = rnd.nextInt(4);
            MemorySegment x = matrix(rnd, xOff, m, k, ldx, scale);
            MemorySegment w = matrix(rnd, 0, n, k, k, scale);
            MemorySegment b = matrix(rnd, bOff, 1, n, n, scale);
            MemorySegment r = matrix(rnd, rOff, m, n, ldr, scale);
            return new Problem(m, n, k, ldx, ldy, ldr, x, xOff, w, b, bOff, r, rOff, yOff);
        }

        static MemorySegment matrix(Random rnd, long off, int rows, int cols, int ld, float scale) {
            MemorySegment s = exact(off + (long) (rows - 1) * ld + cols);
            for (long i = 0; i < s.byteSize() / 4; i++) s.setAtIndex(F32, i, Float.NaN);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) s.setAtIndex(F32, off + (long) i * ld + j, (rnd.nextFloat() * 2 - 1) * scale);
            }
            return s;
        }

        /** Floats of y: yOff, the m rows (ldy apart) and 3 more after the last row's n columns. */
        long yLen() {
            return yOff + (long) (m - 1) * ldy + n + 3;
        }

        MemorySegment newY() {
            MemorySegment y = exact(yLen());
            for (long i = 0; i < yLen(); i++) y.setAtIndex(F32, i, SENTINEL);
            return y;
        }

        MemorySegment run(F32PwConv kernel, boolean bias, boolean residual, F32Epilogue epi) {
            MemorySegment y = newY();
            Object packed = kernel.pack(w, 0, k, n);
            kernel.run(m, n, k, x, xOff, ldx, packed, bias ? b : null, bOff, residual ? r : null, rOff, ldr, epi, y,
                    yOff, ldy);
            return y;
        }

        /** Σ|x·w| + |bias| + |residual| of output (p, j): the scale of its rounding error. */
        double magnitude(int p, int j, boolean bias, boolean residual) {
            double mag = bias ? Math.abs(b.getAtIndex(F32, bOff + j)) : 0;
            if (residual) mag += Math.abs(r.getAtIndex(F32, rOff + (long) p * ldr + j));
            for (int c = 0; c < k; c++) {
                mag += Math.abs((double) x.getAtIndex(F32, xOff + (long) p * ldx + c) * w.getAtIndex(F32, (long) j * k + c));
            }
            return mag;
        }

        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " ldx=" + ldx + " ldy=" + ldy + " ldr=" + ldr;
        }
    }

    /** The m rows' n columns within rounding of the reference; every other float of y keeps its sentinel. */
    static void check(Problem p, MemorySegment ref, MemorySegment got, boolean bias, boolean residual, String what) {
        for (long i = 0; i < p.yLen(); i++) {
            long rel = i - p.yOff;
            int row = rel < 0 ? -1 : (int) (rel / p.ldy), col = rel < 0 ? -1 : (int) (rel % p.ldy);
            float g = got.getAtIndex(F32, i);
            if (rel < 0 || row >= p.m || col >= p.n) {
                if (Float.floatToRawIntBits(g) != Float.floatToRawIntBits(SENTINEL)) {
                    fail(what + ": wrote outside the m x n outputs at float " + i + " (row " + row + ", column " + col
                            + "): " + g);
                }
                continue;
            }
            float r = ref.getAtIndex(F32, i);
            // k + 3 roundings of the sum of magnitudes, doubled through HardSwish (slope up to 1.5)
            double tol = 2 * 6e-8 * (p.k + 3) * p.magnitude(row, col, bias, residual) + 4 * 6e-8 * Math.abs(r);
            boolean ok = Float.isNaN(g) ? Float.isNaN(r) : (g == r || Math.abs((double) g - r) <= tol);
            if (!ok) {
                fail(what + ": y[" + row + "][" + col + "] = " + g + ", reference " + r + " (tol " + tol + ")");
            }
        }
    }

    @Test
    void everyKernelIsFoundAndNamed() {
        List<F32PwConv> ks = kernels();
        List<String> ids = ks.stream().map(F32PwConv::id).toList();
        assertEquals("f32-pwconv-scalar", KernelRegistry.f32PwConv(BackendConfig.javaOnly(0)).get(0).id());
        assertInstanceOf(F32PwConvReference.class, Kernels.select(BackendConfig.javaOnly(0)).f32PwConv(),
                "without native code the family is the scalar reference");
        assertTrue(Kernels.select(BackendConfig.javaOnly(0)).describe().contains("f32-pwconv=f32-pwconv-scalar"));
        // What this machine can run must really be under test, not skipped.
        if (NativeLibrary.available()) {
            assertTrue(ids.contains("f32-pwconv-c"), ids.toString());
            if (NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX2)) {
                assertTrue(ids.contains("f32-pwconv-avx2"), ids.toString());
            }
            if (NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX512)) {
                assertTrue(ids.contains("f32-pwconv-avx512f"), ids.toString());
            }
            Kernels chosen = Kernels.select(BackendConfig.fromSystemProperties());
            if (chosen.config().nativeAllowed()) {
                F32PwConv best = chosen.f32PwConv();
                assertInstanceOf(F32PwConvNative.class, best);
                assertTrue(chosen.describe().contains("f32-pwconv=" + best.id()), chosen.describe());
                if (NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX2) && !NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX512)) {
                    assertEquals("f32-pwconv-avx2", best.id());
                }
            }
        }
    }

    /**
     * The whole m x k x n grid, dense and strided rows; per shape one combination of bias, residual and epilogue
     * (cycling, so every combination meets every kind of shape), and all 16 on the shapes with m = 13.
     */
    @Test
    void matchesReferenceOnTheGrid() {
        F32PwConv ref = new F32PwConvReference();
        List<F32PwConv> ks = kernels();
        Random rnd = new Random(7);
        int shape = 0;
        for (int m : MS) {
            for (int k : KS) {
                for (int n : NS) {
                    for (int strided = 0; strided < 2; strided++, shape++) {
                        Problem p = Problem.random(rnd, m, n, k, strided == 1, 1f);
                        int combos = m == 13 ? 16 : 1;
                        for (int c = 0; c < combos; c++) {
                            int combo = combos == 16 ? c : shape % 16;
                            boolean bias = (combo & 1) != 0, residual = (combo & 2) != 0;
                            F32Epilogue epi = EPILOGUES[combo >> 2];
                            MemorySegment want = p.run(ref, bias, residual, epi);
                            for (F32PwConv kernel : ks) {
                                check(p, want, p.run(kernel, bias, residual, epi), bias, residual,
                                        kernel.id() + " " + p + " bias=" + bias + " residual=" + residual + " " + epi);
                            }
                        }
                    }
                }
            }
        }
    }

    /** MobileNet's 1x1 layers, every epilogue, bias and residual. */
    @Test
    void mobileNetLayers() {
        F32PwConv ref = new F32PwConvReference();
        Random rnd = new Random(11);
        int[][] layers = {{196, 16, 64}, {196, 64, 16}, {196, 64, 24}, {196, 24, 96}, {196, 96, 24}, {49, 96, 32},
                {49, 32, 128}, {49, 128, 32}, {3136, 64, 64}};
        for (int[] l : layers) {
            Problem p = Problem.random(rnd, l[0], l[2], l[1], false, 1f);
            for (F32Epilogue epi : EPILOGUES) {
                MemorySegment want = p.run(ref, true, true, epi);
                for (F32PwConv kernel : kernels()) {
                    check(p, want, p.run(kernel, true, true, epi), true, true, kernel.id() + " " + p + " " + epi);
                }
            }
        }
    }

    /** The residual read from y itself (same offset and ld): each element is read before it is written. */
    @Test
    void residualInPlace() {
        Random rnd = new Random(13);
        List<F32PwConv> all = new ArrayList<>(kernels());
        all.add(new F32PwConvReference());
        for (int[] s : new int[][] {{13, 17, 40}, {7, 96, 24}, {49, 3, 9}, {196, 24, 96}}) {
            Problem p = Problem.random(rnd, s[0], s[2], s[1], true, 1f);
            F32Epilogue epi = EPILOGUES[3];
            MemorySegment want = null;
            for (F32PwConv kernel : all.reversed()) { // the reference first
                MemorySegment y = p.newY();
                for (int i = 0; i < p.m; i++) {
                    for (int j = 0; j < p.n; j++) {
                        y.setAtIndex(F32, p.yOff + (long) i * p.ldy + j, p.r.getAtIndex(F32, p.rOff + (long) i * p.ldr + j));
                    }
                }
                kernel.run(p.m, p.n, p.k, p.x, p.xOff, p.ldx, kernel.pack(p.w, 0, p.k, p.n), p.b, p.bOff, y, p.yOff,
                        p.ldy, epi, y, p.yOff, p.ldy);
                if (want == null) {
                    want = p.run(kernel, true, true, epi); // the same sums with the residual in its own segment
                }
                check(p, want, y, true, true, kernel.id() + " in place " + p);
            }
        }
    }

    @Test
    void extremeValuesZerosAndNaN() {
        F32PwConv ref = new F32PwConvReference();
        Random rnd = new Random(17);
        for (int[] s : new int[][] {{13, 96, 40}, {7, 17, 9}, {6, 8, 24}, {49, 128, 130}}) {
            for (float scale : new float[] {1e18f, 1e-18f, 0f, Float.NaN}) {
                Problem p = Problem.random(rnd, s[0], s[2], s[1], rnd.nextBoolean(), scale == scale ? scale : 1f);
                if (scale != scale) { // a few NaN inputs: every output of their pixel is NaN
                    for (int t = 0; t < 3; t++) {
                        p.x.setAtIndex(F32, p.xOff + (long) rnd.nextInt(p.m) * p.ldx + rnd.nextInt(p.k), Float.NaN);
                    }
                }
                for (F32Epilogue epi : EPILOGUES) {
                    MemorySegment want = p.run(ref, true, true, epi);
                    for (F32PwConv kernel : kernels()) {
                        check(p, want, p.run(kernel, true, true, epi), true, true, kernel.id() + " scale " + scale + " "
                                + p + " " + epi);
                    }
                }
            }
        }
    }

    @Test
    void nativeKernelsCheckEveryBound() {
        Random rnd = new Random(19);
        int m = 7, n = 9, k = 5;
        Problem p = Problem.random(rnd, m, n, k, true, 1f);
        F32Epilogue e = F32Epilogue.NONE;
        for (F32PwConv kernel : kernels()) {
            if (!(kernel instanceof F32PwConvNative)) continue;
            Object w = kernel.pack(p.w, 0, k, n);
            MemorySegment y = p.newY(), x = p.x, b = p.b, r = p.r;
            long xo = p.xOff, bo = p.bOff, ro = p.rOff, yo = p.yOff;
            int ldx = p.ldx, ldy = p.ldy, ldr = p.ldr;
            kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy); // the valid call works
            kernel.run(m, n, k, x, xo, ldx, w, null, 0, null, 0, 0, e, y, yo, ldy); // ldr unused without a residual
            MemorySegment untouched = p.newY();
            kernel.run(0, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, untouched, yo, ldy); // m = 0: nothing
            check(p, p.newY(), untouched, false, false, kernel.id() + " m = 0"); // all sentinels
            Map<String, Runnable> bad = new LinkedHashMap<>();
            bad.put("m < 0", () -> kernel.run(-1, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("n < 0", () -> kernel.run(m, -1, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("k = 0", () -> kernel.run(m, n, 0, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("n other than packed", () -> kernel.run(m, n - 1, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("k other than packed", () -> kernel.run(m, n, k - 1, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("weights packed by the reference", () -> kernel.run(m, n, k, x, xo, ldx,
                    new F32PwConvReference().pack(p.w, 0, k, n), b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("weights not packed", () -> kernel.run(m, n, k, x, xo, ldx, p.w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("ldx < k", () -> kernel.run(m, n, k, x, xo, k - 1, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("ldy < n", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, n - 1));
            bad.put("ldr < n", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, n - 1, e, y, yo, ldy));
            bad.put("negative ldx", () -> kernel.run(m, n, k, x, xo, -ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("x offset < 0", () -> kernel.run(m, n, k, x, -1, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("bias offset < 0", () -> kernel.run(m, n, k, x, xo, ldx, w, b, -1, r, ro, ldr, e, y, yo, ldy));
            bad.put("residual offset < 0", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, -1, ldr, e, y, yo, ldy));
            bad.put("y offset < 0", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, -1, ldy));
            bad.put("x one float short", () -> kernel.run(m, n, k, x, xo + 1, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("x rows too far apart", () -> kernel.run(m, n, k, x, xo, ldx + 1, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("bias one float short", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo + 1, r, ro, ldr, e, y, yo, ldy));
            bad.put("residual one float short", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro + 1, ldr, e, y, yo, ldy));
            bad.put("residual rows too far apart", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr + 1, e, y, yo, ldy));
            bad.put("y one float short", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo + 4, ldy));
            bad.put("y rows too far apart", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy + 1));
            bad.put("x null", () -> kernel.run(m, n, k, null, xo, ldx, w, b, bo, r, ro, ldr, e, y, yo, ldy));
            bad.put("y null", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr, e, null, yo, ldy));
            bad.put("x on the heap", () -> kernel.run(m, n, k, MemorySegment.ofArray(new float[1000]), 0, ldx, w, b, bo,
                    r, ro, ldr, e, y, yo, ldy));
            bad.put("activation -1", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr,
                    new F32Epilogue(-1, 0f, 0f), y, yo, ldy));
            bad.put("activation 3", () -> kernel.run(m, n, k, x, xo, ldx, w, b, bo, r, ro, ldr,
                    new F32Epilogue(3, 0f, 0f), y, yo, ldy));
            // extents the C side (32-bit sizes) refuses, before any segment is looked at
            bad.put("x past 2^31 floats", () -> kernel.run(1 << 20, n, k, x, xo, 1 << 12, w, null, 0, null, 0, 0, e, y,
                    yo, ldy));
            bad.put("y past 2^31 floats", () -> kernel.run(1 << 20, n, k, x, xo, ldx, w, null, 0, null, 0, 0, e, y, yo,
                    1 << 12));
            bad.put("residual past 2^31 floats", () -> kernel.run(1 << 20, n, k, x, xo, ldx, w, null, 0, r, 0, 1 << 12,
                    e, y, yo, ldy));
            bad.put("pack k = 0", () -> kernel.pack(p.w, 0, 0, n));
            bad.put("pack n < 0", () -> kernel.pack(p.w, 0, k, -1));
            bad.put("pack w one float short", () -> kernel.pack(p.w, 1, k, n));
            bad.put("pack w negative offset", () -> kernel.pack(p.w, -1, k, n));
            bad.put("pack past 2^31 floats", () -> kernel.pack(p.w, 0, 1 << 16, 1 << 15));
            for (Map.Entry<String, Runnable> c : bad.entrySet()) {
                MemorySegment before = copy(y);
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, c.getValue()::run,
                        kernel.id() + ": " + c.getKey());
                assertTrue(ex.getMessage().startsWith(kernel.id()), kernel.id() + ": " + c.getKey() + ": message "
                        + ex.getMessage() + " does not name the kernel");
                if (c.getKey().contains("2^31")) {
                    assertTrue(ex.getMessage().contains("2^31"), c.getKey() + ": " + ex.getMessage());
                }
                assertEquals(-1, before.mismatch(y), kernel.id() + ": " + c.getKey() + " wrote y");
            }
        }
    }

    @Test
    void referenceReadsOnlyItsRows() {
        // exactly sized segments: one more row would be out of bounds
        Problem p = Problem.random(new Random(23), 5, 9, 7, true, 1f);
        F32PwConv ref = new F32PwConvReference();
        Object w = ref.pack(p.w, 0, p.k, p.n);
        MemorySegment y = p.newY();
        assertThrows(IndexOutOfBoundsException.class, () -> ref.run(p.m + 1, p.n, p.k, p.x, p.xOff, p.ldx, w, p.b,
                p.bOff, p.r, p.rOff, p.ldr, F32Epilogue.NONE, y, p.yOff, p.ldy));
    }

    static MemorySegment copy(MemorySegment s) {
        MemorySegment c = Arena.ofAuto().allocate(s.byteSize(), 64);
        c.copyFrom(s);
        return c;
    }
}
