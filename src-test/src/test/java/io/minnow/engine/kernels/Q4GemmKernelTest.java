package io.minnow.engine.kernels;

import io.minnow.engine.kernels.q4.Q4Gemm;
import io.minnow.engine.kernels.q4.Q4GemmReference;
import io.minnow.engine.kernels.q4.Q4Packed;
import io.minnow.formats.DataType;
import io.minnow.formats.Encoding;
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
import java.util.Map;
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
 * Family q4-gemm: the reference against a double-precision loop written here, then every registered variant
 * available on this machine against the reference, within the tolerance {@link Q4Gemm} documents (1e-5 of the
 * magnitudes the reassociated form adds): odd K and N, every group size, signed and zero-point codes, extreme
 * codes, zero rows and scales, strides and offsets, column ranges (alone and concurrently), and bad inputs.
 */
class Q4GemmKernelTest {
    private static final Q4Gemm REF = new Q4GemmReference();
    private static final int[] KS = {1, 7, 31, 32, 33, 100, 129, 4096 + 3, 16384};
    private static final int[] NS = {1, 3, 17, 33, 100};
    private static final int[] MS = {1, 2, 3, 5, 17};

    private static List<Q4Gemm> variants() {
        List<Q4Gemm> list = new ArrayList<>();
        for (KernelInfo<Q4Gemm> info : KernelRegistry.q4Gemm(BackendConfig.fromSystemProperties())) {
            if (info.isAvailable() && !info.id().equals(REF.id())) list.add(info.create());
        }
        return list;
    }

    @Test
    void registryListsTheFamily() {
        var family = KernelRegistry.q4Gemm(BackendConfig.javaOnly(0));
        assertEquals("q4-gemm-scalar", KernelRegistry.best(family).id());
        for (KernelInfo<Q4Gemm> info : KernelRegistry.q4Gemm(BackendConfig.fromSystemProperties())) {
            if (info.isAvailable()) assertEquals(info.id(), info.create().id());
        }
        assertTrue(Kernels.select(BackendConfig.javaOnly(0)).describe().contains("q4-gemm=q4-gemm-scalar"));
    }

    /** A q4 tensor [n, k] from explicit codes (signed -8..7, or 0..15 with zero points), scales and zero points. */
    static TensorData build(int n, int k, int g, boolean zp, int[][] codes, float[][] scales, int[][] zeros) {
        Map<String, Long> params = Map.of(QuantLayout.GROUP_SIZE, (long) g, QuantLayout.ZERO_POINT, zp ? 1L : 0L);
        QuantLayout l = QuantLayout.of(Encoding.Q4, DataType.FLOAT, new long[] {n, k}, params);
        MemorySegment b = Arena.ofAuto().allocate(Math.max(1, l.byteSize()), 64).asSlice(0, l.byteSize());
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                long at = j * l.rowBytes() + p / 2;
                int old = b.get(ValueLayout.JAVA_BYTE, at), q = codes[j][p] & 0xF;
                b.set(ValueLayout.JAVA_BYTE, at, (byte) ((p & 1) == 0 ? old | q : old | q << 4));
            }
            for (int gi = 0; gi < l.groups(); gi++) {
                b.set(TensorData.F32_LE, l.scalesOffset() + 4 * (j * l.groups() + gi), scales[j][gi]);
                if (zp) b.set(ValueLayout.JAVA_BYTE, l.zeroOffset() + j * l.groups() + gi, (byte) zeros[j][gi]);
            }
        }
        return new TensorData("w", DataType.FLOAT, new long[] {n, k}, Encoding.Q4, b, params);
    }

    /** fill: 0 random, 1 codes at the low extreme, 2 at the high extreme, 3 every third row zero and some scales 0. */
    static TensorData weights(Random r, int n, int k, int g, boolean zp, int fill) {
        int groups = (k + g - 1) / g;
        int[][] codes = new int[n][k];
        float[][] scales = new float[n][groups];
        int[][] zeros = new int[n][groups];
        int min = zp ? 0 : -8, max = zp ? 15 : 7;
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                codes[j][p] = switch (fill) {
                    case 1 -> min;
                    case 2 -> max;
                    case 3 -> j % 3 == 0 ? (zp ? 5 : 0) : min + r.nextInt(16);
                    default -> min + r.nextInt(16);
                };
            }
            for (int gi = 0; gi < groups; gi++) {
                scales[j][gi] = fill == 3 && gi % 2 == 1 ? 0f : 0.01f + r.nextFloat();
                zeros[j][gi] = fill == 3 && j % 3 == 0 ? 5 : fill == 1 ? 15 : fill == 2 ? 0 : r.nextInt(16);
            }
        }
        return build(n, k, g, zp, codes, scales, zeros);
    }

    private static MemorySegment floats(Random r, long count, float range) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(1, count) * 4, 64);
        for (long i = 0; i < count; i++) s.setAtIndex(F32, i, (r.nextFloat() * 2 - 1) * range);
        return s;
    }

    /** One problem: A [m x k] at aOff with lda, C [m x n] at cOff with ldc, bias, clamp. */
    private record Problem(int m, TensorData w, MemorySegment a, long aOff, int lda, float[] bias, float lo, float hi,
                           long cOff, int ldc) {
        int n() { return (int) w.dims()[0]; }
        int k() { return (int) w.dims()[1]; }

        MemorySegment newC() {
            MemorySegment c = Arena.ofAuto().allocate(Math.max(1, cOff + (long) m * ldc) * 4, 64);
            for (long i = 0; i < c.byteSize() / 4; i++) c.setAtIndex(F32, i, Float.NaN); // untouched elements stay NaN
            return c;
        }

        MemorySegment run(Q4Gemm kernel, Q4Packed packed, int j0, int j1) {
            MemorySegment c = newC();
            kernel.gemm(m, packed, j0, j1, a, aOff, lda, bias, lo, hi, c, cOff, ldc);
            return c;
        }

        /** The tolerance scale of output (i, j): sum_p |a| * scale * (u + z'), in double. */
        double magnitude(int i, int j) {
            QuantLayout l = Q4Codec.layout(w);
            int g = l.groupSize();
            double sum = 0;
            for (int p = 0; p < k(); p++) {
                long gi = (long) j * l.groups() + p / g;
                double s = w.bytes().get(TensorData.F32_LE, l.scalesOffset() + 4 * gi);
                int z = l.hasZeroPoints() ? w.bytes().get(ValueLayout.JAVA_BYTE, l.zeroOffset() + gi) : 8;
                int u = Q4Codec.code(w, l, j, p) + (l.hasZeroPoints() ? 0 : 8);
                sum += Math.abs(a.getAtIndex(F32, aOff + (long) i * lda + p)) * s * (u + z);
            }
            return sum + (bias == null ? 0 : Math.abs(bias[j]));
        }

        /** Double-precision oracle, independent of the kernels: decode, dot, bias, clamp. */
        double exact(float[] decoded, int i, int j) {
            double acc = 0;
            for (int p = 0; p < k(); p++) acc += (double) a.getAtIndex(F32, aOff + (long) i * lda + p) * decoded[j * k() + p];
            acc += bias == null ? 0 : bias[j];
            return Math.max(lo, Math.min(hi, acc));
        }
    }

    private static Problem problem(Random r, int m, TensorData w, boolean clamp) {
        int k = (int) w.dims()[1], n = (int) w.dims()[0];
        int lda = k + r.nextInt(3), ldc = n + r.nextInt(3);
        long aOff = r.nextInt(4), cOff = r.nextInt(4);
        float[] bias = r.nextBoolean() ? null : new float[n];
        if (bias != null) for (int j = 0; j < n; j++) bias[j] = r.nextFloat() - 0.5f;
        return new Problem(m, w, floats(r, aOff + (long) m * lda, 1f), aOff, lda, bias,
                clamp ? -1f : Float.NEGATIVE_INFINITY, clamp ? 2f : Float.POSITIVE_INFINITY, cOff, ldc);
    }

    /** C's columns [j0, j1) agree with want (rows m) within the tolerance; all other elements are untouched NaN. */
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

    private static void compareAll(String what, Random r, Problem pb) {
        Q4Packed refPacked = REF.pack(pb.w());
        MemorySegment want = pb.run(REF, refPacked, 0, pb.n());
        for (Q4Gemm v : variants()) {
            Q4Packed packed = v.pack(pb.w());
            assertEquals(pb.n(), packed.n());
            assertEquals(pb.k(), packed.k());
            assertClose(v.id() + " " + what, pb, want, pb.run(v, packed, 0, pb.n()), 0, pb.n());
        }
    }

    @Test
    void referenceMatchesDoublePrecisionDecode() {
        Random r = new Random(1);
        for (int k : new int[] {1, 7, 33, 129, 4099}) {
            for (int g : QuantLayout.GROUP_SIZES) {
                for (boolean zp : new boolean[] {false, true}) {
                    for (int fill = 0; fill < 4; fill++) {
                        TensorData w = weights(r, 5, k, g, zp, fill);
                        Problem pb = problem(r, 3, w, fill == 2);
                        MemorySegment c = pb.run(REF, REF.pack(w), 0, pb.n());
                        float[] decoded = Q4Codec.decode(w);
                        for (int i = 0; i < pb.m(); i++) {
                            for (int j = 0; j < pb.n(); j++) {
                                double e = pb.exact(decoded, i, j);
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
    void everyVariantMatchesTheReferenceOnSmallShapes() {
        Random r = new Random(2);
        for (int k : KS) {
            if (k > 129) continue;
            for (int n : NS) {
                for (int m : MS) {
                    int g = QuantLayout.GROUP_SIZES[(k + n + m) % 3];
                    boolean zp = (k + n * m) % 2 == 0;
                    Problem pb = problem(r, m, weights(r, n, k, g, zp, 0), m % 2 == 1);
                    compareAll("m=" + m + " n=" + n + " k=" + k + " G=" + g + " zp=" + zp, r, pb);
                }
            }
        }
    }

    @Test
    void everyVariantEveryGroupSizeAndZeroPointLongK() {
        Random r = new Random(3);
        int idx = 0;
        for (int k : KS) {
            for (int g : QuantLayout.GROUP_SIZES) {
                for (boolean zp : new boolean[] {false, true}) {
                    int n = k > 129 ? (idx % 2 == 0 ? 3 : 17) : NS[idx % NS.length];
                    int m = k > 129 ? 1 + idx % 2 : MS[idx % MS.length];
                    idx++;
                    Problem pb = problem(r, m, weights(r, n, k, g, zp, 0), false);
                    compareAll("m=" + m + " n=" + n + " k=" + k + " G=" + g + " zp=" + zp, r, pb);
                }
            }
        }
    }

    @Test
    void extremesZeroRowsAndZeroScales() {
        Random r = new Random(4);
        for (int fill = 1; fill <= 3; fill++) {
            for (boolean zp : new boolean[] {false, true}) {
                for (int g : QuantLayout.GROUP_SIZES) {
                    for (int m : new int[] {1, 3}) {
                        Problem pb = problem(r, m, weights(r, 17, 257, g, zp, fill), fill == 2);
                        compareAll("fill=" + fill + " m=" + m + " G=" + g + " zp=" + zp, r, pb);
                    }
                }
            }
        }
        // A row of W whose scales are all 0 produces exactly the bias, in every variant, whatever its codes.
        TensorData w = weights(r, 9, 65, 32, false, 0);
        QuantLayout l = Q4Codec.layout(w);
        for (int gi = 0; gi < l.groups(); gi++) w.bytes().set(TensorData.F32_LE, l.scalesOffset() + 4L * gi, 0f);
        Problem pb = problem(r, 2, w, false);
        for (Q4Gemm v : variants()) {
            MemorySegment c = pb.run(v, v.pack(w), 0, 9);
            for (int i = 0; i < 2; i++) {
                float got = c.getAtIndex(F32, pb.cOff() + (long) i * pb.ldc() + 0);
                assertEquals(pb.bias() == null ? 0f : pb.bias()[0], got, 0f, v.id() + " row 0 of W has scale 0");
            }
        }
    }

    @Test
    void columnRangesAloneAndConcurrently() throws Exception {
        Random r = new Random(5);
        for (int m : new int[] {1, 3}) {
            Problem pb = problem(r, m, weights(r, 100, 200, 64, m == 3, 0), false);
            MemorySegment want = pb.run(REF, REF.pack(pb.w()), 0, 100);
            List<Q4Gemm> all = new ArrayList<>(variants());
            all.add(REF);
            for (Q4Gemm v : all) {
                Q4Packed packed = v.pack(pb.w());
                for (int[] range : new int[][] {{0, 16}, {16, 48}, {48, 100}, {96, 100}, {8, 9}, {32, 32}, {0, 100}}) {
                    assertClose(v.id() + " columns " + range[0] + ".." + range[1], pb, want, pb.run(v, packed, range[0], range[1]), range[0], range[1]);
                }
                // 7 threads, each a slice of 16 columns of the same C and the same packed weight
                MemorySegment c = pb.newC();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                try {
                    List<Future<?>> done = new ArrayList<>();
                    for (int j0 = 0; j0 < 100; j0 += 16) {
                        int from = j0, to = Math.min(100, j0 + 16);
                        done.add(pool.submit(() -> v.gemm(pb.m(), packed, from, to, pb.a(), pb.aOff(), pb.lda(), pb.bias(), pb.lo(), pb.hi(), c, pb.cOff(), pb.ldc())));
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
        Random r = new Random(6);
        TensorData w = weights(r, 10, 40, 32, false, 0);
        List<Q4Gemm> all = new ArrayList<>(variants());
        all.add(REF);
        for (Q4Gemm v : all) {
            String id = v.id();
            // wrong encodings
            assertThrows(MinnowException.class, () -> v.pack(Q8Codec.encode("w8", new float[40], 10, 4)), id);
            assertThrows(MinnowException.class, () -> v.pack(TensorData.ofFloats("f", new float[4], 2, 2)), id);
            // a corrupted blob: negative scale
            MemorySegment bad = Arena.ofAuto().allocate(w.bytes().byteSize(), 64);
            bad.copyFrom(w.bytes());
            bad.set(TensorData.F32_LE, Q4Codec.layout(w).scalesOffset(), -1f);
            var ex = assertThrows(MinnowException.class, () -> v.pack(new TensorData("w", DataType.FLOAT, w.dims(), Encoding.Q4, bad, w.params())), id);
            assertTrue(ex.getMessage().contains("scale #0"), ex.getMessage());

            Q4Packed p = v.pack(w);
            MemorySegment a = floats(r, 3 * 40, 1), c = Arena.ofAuto().allocate(3 * 10 * 4, 64);
            assertBad(v, "lda=39", () -> v.gemm(3, p, a, 0, 39, null, -1, 1, c, 0, 10));
            assertBad(v, "ldc=9", () -> v.gemm(3, p, a, 0, 40, null, -1, 1, c, 0, 9));
            assertBad(v, "A [3x40", () -> v.gemm(3, p, a, 1, 40, null, -1, 1, c, 0, 10));
            assertBad(v, "C [3x10", () -> v.gemm(3, p, a, 0, 40, null, -1, 1, c, 1, 10));
            assertBad(v, "offset -1", () -> v.gemm(3, p, a, -1, 40, null, -1, 1, c, 0, 10));
            assertBad(v, "bias has 9", () -> v.gemm(3, p, a, 0, 40, new float[9], -1, 1, c, 0, 10));
            assertBad(v, "clamp [1.0, -1.0]", () -> v.gemm(3, p, a, 0, 40, null, 1, -1, c, 0, 10));
            assertBad(v, "not a multiple of 8", () -> v.gemm(3, p, 4, 10, a, 0, 40, null, -1, 1, c, 0, 10));
            assertBad(v, "not inside [0, 10)", () -> v.gemm(3, p, 8, 11, a, 0, 40, null, -1, 1, c, 0, 10));
            assertBad(v, "negative m", () -> v.gemm(-1, p, a, 0, 40, null, -1, 1, c, 0, 10));
            Q4Gemm other = v == REF ? all.getFirst() : REF;
            if (other != v) assertBad(v, "packed by " + other.id(), () -> v.gemm(3, other.pack(w), a, 0, 40, null, -1, 1, c, 0, 10));
            assertBad(v, "needs", () -> v.gemm(1, new Q4Packed(id, 10, 40, 32, false, Arena.ofAuto().allocate(64, 64)), a, 0, 40, null, -1, 1, c, 0, 10));
            // m = 0 and empty column ranges touch nothing
            v.gemm(0, p, a, 0, 40, null, -1, 1, MemorySegment.NULL, 0, 10);
            v.gemm(3, p, 8, 8, a, 0, 40, null, -1, 1, MemorySegment.NULL, 0, 10);
        }
    }

    private static void assertBad(Q4Gemm v, String message, org.junit.jupiter.api.function.Executable call) {
        var ex = assertThrows(IllegalArgumentException.class, call, v.id() + ": expected failure " + message);
        assertTrue(ex.getMessage().contains(message), v.id() + ": '" + ex.getMessage() + "' does not say '" + message + "'");
    }

    @Test
    void conv1x1WeightIsItsGemmWeight() {
        // [co, ci, 1, 1] packs as n = co rows of k = ci (the q4 layout's N = dims[0], K = the rest).
        Random r = new Random(7);
        float[] values = new float[24 * 40];
        for (int i = 0; i < values.length; i++) values[i] = r.nextFloat() - 0.5f;
        TensorData conv = Q4Codec.encode("conv", values, 32, true, 24, 40, 1, 1);
        for (Q4Gemm v : variants()) {
            Q4Packed p = v.pack(conv);
            assertEquals(24, p.n(), v.id());
            assertEquals(40, p.k(), v.id());
            assertFalse(!p.hasZeroPoints(), v.id());
        }
        assertEquals(24, REF.pack(conv).n());
    }
}
