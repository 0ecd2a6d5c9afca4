package io.minnow.engine.kernels.q8;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static io.minnow.engine.api.Tensor.I32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * qs8-gemm reference: exact int32 results against a long-accumulating loop written here independently (odd
 * shapes, K up to 16384, extremes -128/127 and 0/255, zero points, zero rows, strides and offsets), the three
 * epilogues, and the bounds checks every variant inherits.
 */
class Qs8GemmReferenceTest {
    private static final Qs8Gemm K = new Qs8GemmReference();

    /** Operands of one case: A [m×k] (ld lda, at aOff) and W [n×k] (ld ldw, at wOff). */
    private record Case(int m, int n, int k, int lda, int ldw, long aOff, long wOff, boolean aUnsigned, int aZero,
                        MemorySegment a, MemorySegment w) {
        long expected(int i, int j) {
            long acc = 0;
            for (int p = 0; p < k; p++) {
                byte av = a.get(ValueLayout.JAVA_BYTE, aOff + (long) i * lda + p);
                long x = (aUnsigned ? av & 0xFF : av) - aZero;
                acc += x * w.get(ValueLayout.JAVA_BYTE, wOff + (long) j * ldw + p);
            }
            return acc;
        }
    }

    /** fill: 0 random, 1 extremes (A at its max, W at -128), 2 A at its min, W at 127, 3 zero rows in A. */
    private static Case make(Random r, int m, int n, int k, boolean aUnsigned, int aZero, int fill) {
        int lda = k + r.nextInt(3), ldw = k + r.nextInt(3);
        long aOff = r.nextInt(5), wOff = r.nextInt(5);
        MemorySegment a = Arena.ofAuto().allocate(Math.max(1, aOff + (long) m * lda));
        MemorySegment w = Arena.ofAuto().allocate(Math.max(1, wOff + (long) n * ldw));
        int aMax = aUnsigned ? 255 : 127, aMin = aUnsigned ? 0 : -128;
        for (long i = 0; i < a.byteSize(); i++) {
            int v = switch (fill) {
                case 1 -> aMax;
                case 2 -> aMin;
                case 3 -> (i - aOff) / lda % 2 == 0 ? aZero : aMin + r.nextInt(256);
                default -> aMin + r.nextInt(256);
            };
            a.set(ValueLayout.JAVA_BYTE, i, (byte) v);
        }
        for (long i = 0; i < w.byteSize(); i++) {
            int v = switch (fill) {
                case 1 -> -128;
                case 2 -> 127;
                default -> r.nextInt(256) - 128;
            };
            w.set(ValueLayout.JAVA_BYTE, i, (byte) v);
        }
        return new Case(m, n, k, lda, ldw, aOff, wOff, aUnsigned, aZero, a, w);
    }

    private static MemorySegment runRaw(Case c, int ldc, long cOff) {
        MemorySegment out = Arena.ofAuto().allocate(Math.max(4, (cOff + (long) c.m * ldc) * 4));
        K.gemm(c.m, c.n, c.k, c.a, c.aOff, c.lda, c.aUnsigned, c.aZero, c.w, c.wOff, c.ldw, new Qs8Epilogue.Raw(), out, cOff, ldc);
        return out;
    }

    private static void assertExact(Case c, String what) {
        int ldc = c.n + 1;
        long cOff = 3;
        MemorySegment out = runRaw(c, ldc, cOff);
        for (int i = 0; i < c.m; i++) {
            for (int j = 0; j < c.n; j++) {
                long want = c.expected(i, j);
                assertTrue(want == (int) want, "case must not overflow int32: " + want);
                assertEquals(want, out.getAtIndex(I32, cOff + (long) i * ldc + j), what + " at (" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void oddShapesAndZeroPoints() {
        Random r = new Random(21);
        int[] sizes = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65};
        for (int trial = 0; trial < 120; trial++) {
            int m = sizes[r.nextInt(sizes.length)], n = sizes[r.nextInt(sizes.length)], k = sizes[r.nextInt(sizes.length)] + r.nextInt(3);
            boolean u = r.nextBoolean();
            int zero = u ? r.nextInt(256) : r.nextInt(256) - 128;
            Case c = make(r, m, n, k, u, zero, trial % 4 == 3 ? 3 : 0);
            assertExact(c, "m=" + m + " n=" + n + " k=" + k + " u8=" + u + " zero=" + zero);
        }
    }

    @Test
    void extremesAtLongK() {
        Random r = new Random(22);
        for (int k : new int[] {1, 255, 256, 4097, 16384}) {
            // u8 255 - zero 0 times -128: the most negative product; s8 -128 - zero 127 times 127: the most negative for s8.
            assertExact(make(r, 3, 5, k, true, 0, 1), "u8 max, k=" + k);
            assertExact(make(r, 2, 3, k, true, 255, 2), "u8 0 - 255 times 127, k=" + k);
            assertExact(make(r, 3, 2, k, false, 127, 2), "s8 -128 - 127 times 127, k=" + k);
            assertExact(make(r, 2, 2, k, false, -128, 1), "s8 127 + 128 times -128, k=" + k);
        }
        Case c = make(r, 1, 1, 16384, true, 0, 1);
        assertEquals(-255L * 128 * 16384, runRaw(c, 1, 0).getAtIndex(I32, 0));
    }

    @Test
    void emptyShapesTouchNothing() {
        Random r = new Random(23);
        for (int[] s : new int[][] {{0, 3, 4}, {3, 0, 4}, {0, 0, 0}}) {
            Case c = make(r, s[0], s[1], s[2], true, 1, 0);
            runRaw(c, Math.max(1, s[1]), 0);
        }
        Case k0 = make(r, 2, 3, 0, false, 5, 0); // k = 0: every accumulator is 0
        MemorySegment out = runRaw(k0, 3, 0);
        for (int i = 0; i < 6; i++) assertEquals(0, out.getAtIndex(I32, i));
    }

    @Test
    void requantizeEpilogue() {
        Random r = new Random(24);
        Case c = make(r, 5, 7, 50, true, 128, 0);
        float[] scale = new float[7];
        int[] bias = new int[7];
        for (int j = 0; j < 7; j++) {
            scale[j] = 0.0005f * (j + 1);
            bias[j] = r.nextInt(20001) - 10000;
        }
        for (boolean unsigned : new boolean[] {true, false}) {
            int zero = unsigned ? 100 : -5, qmin = unsigned ? 100 : -128, qmax = unsigned ? 255 : 120; // a fused ReLU / clip
            Qs8Epilogue.Requantize q = new Qs8Epilogue.Requantize(scale, bias, zero, qmin, qmax, unsigned);
            MemorySegment out = Arena.ofAuto().allocate(35);
            K.gemm(c.m, c.n, c.k, c.a, c.aOff, c.lda, true, 128, c.w, c.wOff, c.ldw, q, out, 0, 7);
            int clamped = 0;
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 7; j++) {
                    long v = (long) Math.rint((float) (c.expected(i, j) + bias[j]) * scale[j]) + zero;
                    long want = Math.max(qmin, Math.min(qmax, v));
                    if (want != v) clamped++;
                    byte got = out.get(ValueLayout.JAVA_BYTE, i * 7L + j);
                    assertEquals(want, unsigned ? got & 0xFF : got, "(" + i + ", " + j + ")");
                }
            }
            assertTrue(clamped > 0, "the case should exercise the clamp");
        }
        assertThrows(IllegalArgumentException.class, () -> new Qs8Epilogue.Requantize(scale, null, 0, -1, 255, true));
        assertThrows(IllegalArgumentException.class, () -> new Qs8Epilogue.Requantize(scale, null, 200, -128, 127, false));
    }

    @Test
    void dequantizeEpilogue() {
        Random r = new Random(25);
        Case c = make(r, 4, 3, 33, false, -7, 0);
        float[] scale = {0.001f, 0.002f, 0.0005f};
        float[] bias = {-1f, 0.5f, 2f};
        MemorySegment out = Arena.ofAuto().allocate(4 * 12);
        K.gemm(c.m, c.n, c.k, c.a, c.aOff, c.lda, false, -7, c.w, c.wOff, c.ldw, new Qs8Epilogue.Dequantize(scale, bias, 0f, 6f), out, 0, 3);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                float want = Math.max(0f, Math.min(6f, (float) c.expected(i, j) * scale[j] + bias[j]));
                assertEquals(want, out.getAtIndex(F32, i * 3L + j), "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void boundsAreCheckedBeforeAnyAccess() {
        Random r = new Random(26);
        Case c = make(r, 3, 4, 5, true, 0, 0);
        MemorySegment out = Arena.ofAuto().allocate(4 * 12);
        Qs8Epilogue raw = new Qs8Epilogue.Raw();
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.aOff, 4, true, 0, c.w, c.wOff, c.ldw, raw, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.aOff, c.lda, true, 256, c.w, c.wOff, c.ldw, raw, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.aOff, c.lda, false, 200, c.w, c.wOff, c.ldw, raw, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.aOff, c.lda, true, 0, c.w, c.wOff, c.ldw, raw, out, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.a.byteSize(), c.lda, true, 0, c.w, c.wOff, c.ldw, raw, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 5, 5, c.a, c.aOff, c.lda, true, 0, c.w, c.wOff, c.ldw, raw, out, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, -1, c.lda, true, 0, c.w, c.wOff, c.ldw, raw, out, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> K.gemm(3, 4, 5, c.a, c.aOff, c.lda, true, 0, c.w, c.wOff, c.ldw,
                new Qs8Epilogue.Dequantize(new float[2], null, 0, 1), out, 0, 4));
    }
}
