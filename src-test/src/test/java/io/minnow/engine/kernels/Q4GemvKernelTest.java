package io.minnow.engine.kernels;

import io.minnow.engine.kernels.q4.Int8Rows;
import io.minnow.engine.kernels.q4.Q4Gemv;
import io.minnow.engine.kernels.q4.Q4GemvReference;
import io.minnow.engine.kernels.q4.Q4Packed;
import io.minnow.formats.MinnowException;
import io.minnow.formats.TensorData;
import io.minnow.formats.quant.Q4Codec;
import io.minnow.formats.quant.Q8Codec;
import io.minnow.formats.quant.QuantLayout;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Family q4-gemv (int8 activations x int4 weights): the reference against exact integer group dots computed here in
 * long / double, then every registered variant available on this machine against the reference, within the tolerance
 * {@link Q4Gemv} documents (1e-5 of aScale * sum |a| * scale * (u + z')): odd K (not a multiple of 32, 64 or G) up to
 * 16384, odd N, m = 1, 2, 3, 5, every G, signed and zero-point codes, the vpmaddubsw extremes (codes 15 against
 * activations -128 and 127, codes 0), all-zero rows and scales, strides and offsets, column ranges (alone and
 * concurrently), and bad inputs refused before any native code runs. A variant this CPU cannot run is not listed.
 */
class Q4GemvKernelTest {
    private static final Q4Gemv REF = new Q4GemvReference();

    private static List<Q4Gemv> variants() {
        List<Q4Gemv> list = new ArrayList<>();
        for (KernelInfo<Q4Gemv> info : KernelRegistry.q4Gemv(BackendConfig.fromSystemProperties())) {
            if (info.isAvailable() && !info.id().equals(REF.id())) list.add(info.create());
        }
        return list;
    }

    @Test
    void registryListsTheFamily() {
        assertEquals("q4-gemv-scalar", KernelRegistry.best(KernelRegistry.q4Gemv(BackendConfig.javaOnly(0))).id());
        for (KernelInfo<Q4Gemv> info : KernelRegistry.q4Gemv(BackendConfig.fromSystemProperties())) {
            if (info.isAvailable()) assertEquals(info.id(), info.create().id());
        }
        assertTrue(Kernels.select(BackendConfig.javaOnly(0)).describe().contains("q4-gemv=q4-gemv-scalar"));
        if (io.minnow.kernels.nat.NativeLibrary.hasFeatures(io.minnow.kernels.nat.NativeLibrary.CPU_AVX2)) {
            assertEquals("q4-gemv-avx2", Kernels.select(BackendConfig.fromSystemProperties()).q4Gemv().id());
        }
    }

    /** aFill: 0 random int8, 1 all -128, 2 all 127, 3 all 0. */
    private static MemorySegment codes(Random r, long count, int aFill) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, count), 64);
        for (long i = 0; i < count; i++) {
            int v = switch (aFill) {
                case 1 -> -128;
                case 2 -> 127;
                case 3 -> 0;
                default -> r.nextInt(256) - 128;
            };
            s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
        }
        return s;
    }

    /** One problem: A int8 [m x k] at byte aOff with lda, row scales at sOff, C [m x n] at cOff with ldc, bias, clamp. */
    private record Problem(int m, TensorData w, MemorySegment a, long aOff, int lda, MemorySegment scales, long sOff,
                           float[] bias, float lo, float hi, long cOff, int ldc) {
        int n() { return (int) w.dims()[0]; }
        int k() { return (int) w.dims()[1]; }

        MemorySegment newC() {
            MemorySegment c = Arena.ofAuto().allocate(Math.max(1, cOff + (long) m * ldc) * 4, 64);
            for (long i = 0; i < c.byteSize() / 4; i++) c.setAtIndex(F32, i, Float.NaN); // untouched elements stay NaN
            return c;
        }

        MemorySegment run(Q4Gemv kernel, Q4Packed packed, int j0, int j1) {
            MemorySegment c = newC();
            kernel.gemv(m, packed, j0, j1, a, aOff, lda, scales, sOff, bias, lo, hi, c, cOff, ldc);
            return c;
        }

        int a(int i, int p) { return a.get(ValueLayout.JAVA_BYTE, aOff + (long) i * lda + p); }
        float aScale(int i) { return scales.getAtIndex(F32, sOff + i); }

        /** Tolerance scale of output (i, j): aScale * sum_p |a| * scale * (u + z') + |bias|, in double. */
        double magnitude(int i, int j) {
            QuantLayout l = Q4Codec.layout(w);
            double sum = 0;
            for (int p = 0; p < k(); p++) {
                long gi = (long) j * l.groups() + p / l.groupSize();
                double s = w.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * gi);
                int z = l.hasZeroPoints() ? Byte.toUnsignedInt(w.bytes().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + gi)) : 8;
                int u = Q4Codec.code(w, l, j, p) + (l.hasZeroPoints() ? 0 : 8);
                sum += Math.abs(a(i, p)) * s * (u + z);
            }
            return aScale(i) * sum + (bias == null ? 0 : Math.abs(bias[j]));
        }

        /** The oracle, independent of the kernels: exact long dots per group, then double. */
        double exact(int i, int j) {
            QuantLayout l = Q4Codec.layout(w);
            int g = l.groupSize();
            double acc = 0;
            for (int gi = 0; gi < l.groups(); gi++) {
                long at = (long) j * l.groups() + gi;
                int z = l.hasZeroPoints() ? Byte.toUnsignedInt(w.bytes().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + at)) : 0;
                long d = 0;
                for (int p = gi * g; p < Math.min(k(), gi * g + g); p++) d += (long) (Q4Codec.code(w, l, j, p) - z) * a(i, p);
                acc += (double) w.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * at) * d;
            }
            acc = aScale(i) * acc + (bias == null ? 0 : bias[j]);
            return Math.max(lo, Math.min(hi, acc));
        }
    }

    private static Problem problem(Random r, int m, TensorData w, boolean clamp, int aFill) {
        int k = (int) w.dims()[1], n = (int) w.dims()[0];
        int lda = k + r.nextInt(3), ldc = n + r.nextInt(3);
        long aOff = r.nextInt(5), sOff = r.nextInt(3), cOff = r.nextInt(4);
        float[] bias = r.nextBoolean() ? null : new float[n];
        if (bias != null) for (int j = 0; j < n; j++) bias[j] = r.nextFloat() - 0.5f;
        MemorySegment scales = Arena.ofAuto().allocate((sOff + m) * 4 + 4, 64);
        for (int i = 0; i < m; i++) scales.setAtIndex(F32, sOff + i, 1e-3f + r.nextFloat() * 0.02f);
        return new Problem(m, w, codes(r, aOff + (long) m * lda, aFill), aOff, lda, scales, sOff, bias,
                clamp ? -1f : Float.NEGATIVE_INFINITY, clamp ? 2f : Float.POSITIVE_INFINITY, cOff, ldc);
    }

    /** C's columns [j0, j1) agree with want within the tolerance; every other element is untouched NaN. */
    private static void assertClose(String what, Problem pb, MemorySegment want, MemorySegment got, int j0, int j1) {
        for (int i = 0; i < pb.m(); i++) {
            for (int j = 0; j < pb.ldc(); j++) {
                long at = pb.cOff() + (long) i * pb.ldc() + j;
                float g = got.getAtIndex(F32, at);
                if (j < j0 || j >= j1) {
                    assertTrue(Float.isNaN(g), what + ": C[" + i + "][" + j + "] outside the columns was written");
                    continue;
                }
                float e = want.getAtIndex(F32, at);
                double tol = 1e-5 * pb.magnitude(i, j) + 1e-30;
                assertTrue(Math.abs(g - e) <= tol, what + ": C[" + i + "][" + j + "] = " + g + ", reference " + e + ", tolerance " + tol);
            }
        }
    }

    private static void compareAll(String what, Problem pb) {
        MemorySegment want = pb.run(REF, REF.pack(pb.w()), 0, pb.n());
        for (Q4Gemv v : variants()) {
            Q4Packed packed = v.pack(pb.w());
            assertEquals(pb.n(), packed.n());
            assertEquals(pb.k(), packed.k());
            assertClose(v.id() + " " + what, pb, want, pb.run(v, packed, 0, pb.n()), 0, pb.n());
        }
    }

    @Test
    void referenceMatchesExactIntegerDots() {
        Random r = new Random(11);
        for (int k : new int[] {1, 7, 33, 65, 129, 4099}) {
            for (int g : QuantLayout.GROUP_SIZES) {
                for (boolean zp : new boolean[] {false, true}) {
                    for (int fill = 0; fill < 4; fill++) {
                        Problem pb = problem(r, 3, Q4GemmKernelTest.weights(r, 5, k, g, zp, fill), fill == 2, fill % 3);
                        MemorySegment c = pb.run(REF, REF.pack(pb.w()), 0, pb.n());
                        for (int i = 0; i < pb.m(); i++) {
                            for (int j = 0; j < pb.n(); j++) {
                                double e = pb.exact(i, j);
                                float got = c.getAtIndex(F32, pb.cOff() + (long) i * pb.ldc() + j);
                                assertTrue(Math.abs(got - e) <= 1e-5 * pb.magnitude(i, j) + 1e-30,
                                        "k=" + k + " G=" + g + " zp=" + zp + " fill=" + fill + " C[" + i + "][" + j + "] = " + got + ", exact " + e);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyVariantMatchesTheReferenceOnOddShapes() {
        Random r = new Random(12);
        for (int k : new int[] {1, 7, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 200}) {
            for (int n : new int[] {1, 3, 4, 5, 17}) {
                for (int m : new int[] {1, 2, 3, 5}) {
                    int g = QuantLayout.GROUP_SIZES[(k + n + m) % 3];
                    boolean zp = (k + n * m) % 2 == 0;
                    Problem pb = problem(r, m, Q4GemmKernelTest.weights(r, n, k, g, zp, 0), m % 2 == 1, 0);
                    compareAll("m=" + m + " n=" + n + " k=" + k + " G=" + g + " zp=" + zp, pb);
                }
            }
        }
    }

    @Test
    void everyVariantEveryGroupSizeAndZeroPointLongK() {
        Random r = new Random(13);
        int idx = 0;
        for (int k : new int[] {4096 + 3, 16384}) {
            for (int g : QuantLayout.GROUP_SIZES) {
                for (boolean zp : new boolean[] {false, true}) {
                    int m = 1 + idx++ % 2;
                    compareAll("m=" + m + " k=" + k + " G=" + g + " zp=" + zp, problem(r, m, Q4GemmKernelTest.weights(r, 7, k, g, zp, 0), false, 0));
                }
            }
        }
    }

    /**
     * The pair sums vpmaddubsw forms are largest with u = 15 against -128 (or 127): 2 * 15 * 128 = 3840 per int16
     * pair, 4 of them per G = 128 group. If any variant saturated, these results would be off by far more than the
     * tolerance: the oracle is exact integers, and K = 16384 piles 128 groups of such sums on one output.
     */
    @Test
    void maddubsExtremesDoNotSaturate() {
        Random r = new Random(14);
        for (int g : QuantLayout.GROUP_SIZES) {
            for (boolean zp : new boolean[] {false, true}) {
                for (int aFill : new int[] {1, 2}) {
                    for (int k : new int[] {16384, 16384 - 5}) {
                        // fill 2: the top code (u = 15) and, with zero points, zero point 0: the largest |u * a|
                        Problem pb = problem(r, 2, Q4GemmKernelTest.weights(r, 5, k, g, zp, 2), false, aFill);
                        MemorySegment want = pb.run(REF, REF.pack(pb.w()), 0, pb.n());
                        for (Q4Gemv v : variants()) {
                            MemorySegment got = pb.run(v, v.pack(pb.w()), 0, pb.n());
                            assertClose(v.id() + " extremes G=" + g + " zp=" + zp + " a=" + (aFill == 1 ? -128 : 127) + " k=" + k, pb, want, got, 0, pb.n());
                            for (int j = 0; j < pb.n(); j++) {
                                double e = pb.exact(0, j);
                                float c = got.getAtIndex(F32, pb.cOff() + j);
                                assertTrue(Math.abs(c - e) <= 1e-5 * pb.magnitude(0, j), v.id() + " C[0][" + j + "] = " + c + ", exact " + e);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void lowCodesZeroRowsAndZeroScales() {
        Random r = new Random(15);
        for (int fill : new int[] {1, 3}) { // 1: codes at the low end (0 / -8); 3: zero rows of W and zero scales
            for (boolean zp : new boolean[] {false, true}) {
                for (int g : QuantLayout.GROUP_SIZES) {
                    for (int aFill : new int[] {0, 1}) {
                        Problem pb = problem(r, 3, Q4GemmKernelTest.weights(r, 9, 257, g, zp, fill), fill == 1, aFill);
                        compareAll("fill=" + fill + " G=" + g + " zp=" + zp + " aFill=" + aFill, pb);
                    }
                }
            }
        }
        // An all-zero activation row gives exactly the bias, in every variant, whatever the weight.
        Problem pb = problem(r, 2, Q4GemmKernelTest.weights(r, 9, 300, 32, true, 0), false, 3);
        List<Q4Gemv> all = new ArrayList<>(variants());
        all.add(REF);
        for (Q4Gemv v : all) {
            MemorySegment c = pb.run(v, v.pack(pb.w()), 0, 9);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 9; j++) {
                    assertEquals(pb.bias() == null ? 0f : pb.bias()[j], c.getAtIndex(F32, pb.cOff() + (long) i * pb.ldc() + j), 0f, v.id() + " zero row");
                }
            }
        }
    }

    @Test
    void columnRangesAloneAndConcurrently() throws Exception {
        Random r = new Random(16);
        for (int m : new int[] {1, 3}) {
            Problem pb = problem(r, m, Q4GemmKernelTest.weights(r, 100, 200, 64, m == 3, 0), false, 0);
            MemorySegment want = pb.run(REF, REF.pack(pb.w()), 0, 100);
            List<Q4Gemv> all = new ArrayList<>(variants());
            all.add(REF);
            for (Q4Gemv v : all) {
                Q4Packed packed = v.pack(pb.w());
                for (int[] range : new int[][] {{0, 16}, {16, 48}, {48, 100}, {96, 100}, {4, 5}, {32, 32}, {0, 100}, {92, 99}}) {
                    assertClose(v.id() + " columns " + range[0] + ".." + range[1], pb, want, pb.run(v, packed, range[0], range[1]), range[0], range[1]);
                }
                MemorySegment c = pb.newC();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int j0 = 0; j0 < 100; j0 += 12) {
                        int from = j0, to = Math.min(100, j0 + 12);
                        done.add(pool.submit(() -> v.gemv(pb.m(), packed, from, to, pb.a(), pb.aOff(), pb.lda(), pb.scales(), pb.sOff(),
                                pb.bias(), pb.lo(), pb.hi(), c, pb.cOff(), pb.ldc())));
                    }
                    for (Future<?> f : done) f.get();
                } finally {
                    pool.shutdown();
                }
                assertClose(v.id() + " concurrent column slices", pb, want, c, 0, 100);
            }
        }
    }

    @Test
    void badInputsAreRefusedWithWhatAndWhere() {
        Random r = new Random(17);
        TensorData w = Q4GemmKernelTest.weights(r, 10, 40, 32, false, 0);
        List<Q4Gemv> all = new ArrayList<>(variants());
        all.add(REF);
        for (Q4Gemv v : all) {
            String id = v.id();
            assertThrows(MinnowException.class, () -> v.pack(Q8Codec.encode("w8", new float[40], 10, 4)), id);
            assertThrows(MinnowException.class, () -> v.pack(TensorData.ofFloats("f", new float[4], 2, 2)), id);
            MemorySegment bad = Arena.ofAuto().allocate(w.bytes().byteSize(), 64);
            bad.copyFrom(w.bytes());
            bad.set(TensorData.F32_LE, Q4Codec.layout(w).scalesOffset(), -1f);
            var ex = assertThrows(MinnowException.class, () -> v.pack(new TensorData("w", io.minnow.formats.DataType.FLOAT, w.dims(),
                    io.minnow.formats.Encoding.Q4, bad, w.params())), id);
            assertTrue(ex.getMessage().contains("scale #0"), ex.getMessage());

            Q4Packed p = v.pack(w);
            MemorySegment a = codes(r, 3 * 40, 0), s = Arena.ofAuto().allocate(3 * 4, 64), c = Arena.ofAuto().allocate(3 * 10 * 4, 64);
            assertBad(v, "lda=39", () -> v.gemv(3, p, a, 0, 39, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "ldc=9", () -> v.gemv(3, p, a, 0, 40, s, 0, null, -1, 1, c, 0, 9));
            assertBad(v, "A [3x40", () -> v.gemv(3, p, a, 1, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "activation scales [1x3", () -> v.gemv(3, p, a, 0, 40, s, 1, null, -1, 1, c, 0, 10));
            assertBad(v, "C [3x10", () -> v.gemv(3, p, a, 0, 40, s, 0, null, -1, 1, c, 1, 10));
            assertBad(v, "offset -1", () -> v.gemv(3, p, a, -1, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "bias has 9", () -> v.gemv(3, p, a, 0, 40, s, 0, new float[9], -1, 1, c, 0, 10));
            assertBad(v, "clamp [1.0, -1.0]", () -> v.gemv(3, p, a, 0, 40, s, 0, null, 1, -1, c, 0, 10));
            assertBad(v, "not a multiple of 4", () -> v.gemv(3, p, 2, 10, a, 0, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "not inside [0, 10)", () -> v.gemv(3, p, 8, 11, a, 0, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "negative m", () -> v.gemv(-1, p, a, 0, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "segment is null", () -> v.gemv(3, p, a, 0, 40, null, 0, null, -1, 1, c, 0, 10));
            Q4Gemv other = v == REF ? all.getFirst() : REF;
            if (other != v) assertBad(v, "packed by " + other.id(), () -> v.gemv(3, other.pack(w), a, 0, 40, s, 0, null, -1, 1, c, 0, 10));
            assertBad(v, "needs", () -> v.gemv(1, new Q4Packed(id, 10, 40, 32, false, Arena.ofAuto().allocate(64, 64)), a, 0, 40, s, 0, null, -1, 1, c, 0, 10));
            // m = 0 and empty column ranges touch nothing
            v.gemv(0, p, a, 0, 40, s, 0, null, -1, 1, MemorySegment.NULL, 0, 10);
            v.gemv(3, p, 8, 8, a, 0, 40, s, 0, null, -1, 1, MemorySegment.NULL, 0, 10);
        }
    }

    private static void assertBad(Q4Gemv v, String message, org.junit.jupiter.api.function.Executable call) {
        var ex = assertThrows(IllegalArgumentException.class, call, v.id() + ": expected failure " + message);
        assertTrue(ex.getMessage().contains(message), v.id() + ": '" + ex.getMessage() + "' does not say '" + message + "'");
    }

    @Test
    void int8RowsAreSymmetricPerRow() {
        float[] x = {0.5f, -1f, 0.25f, 0f, /* row 2: */ 0f, 0f, 0f, 0f, /* row 3: */ 3f, 2.99f, -0.0117f, 1.5f};
        MemorySegment xs = Arena.ofAuto().allocate(x.length * 4L, 64);
        MemorySegment.copy(x, 0, xs, F32, 0, x.length);
        MemorySegment q = Arena.ofAuto().allocate(3 * 4, 64), s = Arena.ofAuto().allocate(3 * 4, 64);
        Int8Rows.quantize(3, 4, xs, 0, 4, q, 0, 4, s, 0);
        assertEquals(1f / 127, s.getAtIndex(F32, 0), 0f);
        assertEquals(1f, s.getAtIndex(F32, 1), 0f); // an all-zero row: scale 1, codes 0
        assertEquals(3f / 127, s.getAtIndex(F32, 2), 0f);
        int[] want = {64, -127, 32, 0, 0, 0, 0, 0, 127, 127, 0, 64};
        for (int i = 0; i < want.length; i++) {
            int expect = want[i];
            if (i == 0) expect = (int) Math.rint(0.5f / (1f / 127)); // 63.5 -> 64 (half to even)
            assertEquals(expect, q.get(ValueLayout.JAVA_BYTE, i), "code " + i);
        }
        assertFalse(Float.isNaN(s.getAtIndex(F32, 2)));
    }
}
