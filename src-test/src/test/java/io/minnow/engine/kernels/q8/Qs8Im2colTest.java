package io.minnow.engine.kernels.q8;

import io.minnow.kernels.nat.NativeLibrary;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * qs8-conv's feeders: NHWC quantization and the patch gather, Java and native, against their definitions on odd
 * geometries (pads, strides, dilations, groups, 1x1, 7x1), ties and saturation; bounds refused before native code.
 */
class Qs8Im2colTest {
    private final Random rng = new Random(3);

    /** The definition: patch column (ky, kx, ic) of output position p, from NHWC codes. */
    private static byte expected(Qs8Im2col.Shape s, MemorySegment q, long qOff, int p, int col, byte zero) {
        int ky = col / (s.kw() * s.cg()), kx = col / s.cg() % s.kw(), ic = col % s.cg();
        int oy = p / s.ow(), ox = p % s.ow();
        int iy = oy * s.sh() - s.ph() + ky * s.dh(), ix = ox * s.sw() - s.pw() + kx * s.dw();
        if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) return zero;
        return q.get(ValueLayout.JAVA_BYTE, qOff + ((long) iy * s.w() + ix) * s.c() + s.c0() + ic);
    }

    private static int out(int in, int k, int st, int pad, int dil) {
        return (in + 2 * pad - ((k - 1) * dil + 1)) / st + 1;
    }

    private static boolean[] variants() {
        return NativeLibrary.available() ? new boolean[]{false, true} : new boolean[]{false};
    }

    @Test
    void gatherEqualsTheDefinition() {
        int[][] cases = { // c, c0, cg, h, w, kh, kw, sh, sw, ph, pw, dh, dw
                {1, 0, 1, 28, 28, 5, 5, 1, 1, 0, 0, 1, 1}, {12, 0, 12, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1}, {3, 0, 3, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1},
                {5, 0, 5, 8, 11, 5, 4, 3, 2, 2, 1, 1, 1}, {2, 0, 2, 10, 10, 3, 3, 1, 1, 2, 2, 2, 2}, {7, 0, 7, 6, 6, 1, 1, 2, 2, 0, 0, 1, 1},
                {4, 0, 4, 5, 5, 7, 1, 1, 1, 3, 0, 1, 1}, {1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1}, {3, 0, 3, 4, 3, 2, 2, 1, 3, 1, 2, 3, 1},
                {8, 4, 4, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1}, {9, 3, 3, 7, 7, 3, 2, 2, 1, 0, 1, 1, 2}};
        for (int[] c : cases) {
            int oh = out(c[3], c[5], c[7], c[9], c[11]), ow = out(c[4], c[6], c[8], c[10], c[12]);
            Qs8Im2col.Shape s = new Qs8Im2col.Shape(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], oh, ow);
            long qOff = 13;
            MemorySegment q = Arena.ofAuto().allocate(qOff + (long) c[0] * c[3] * c[4], 64);
            for (long i = 0; i < q.byteSize(); i++) q.set(ValueLayout.JAVA_BYTE, i, (byte) rng.nextInt(256));
            int lda = s.k() + 5, p0 = oh * ow > 3 ? 2 : 0, rows = oh * ow - p0;
            byte zero = (byte) 200;
            for (boolean nat : variants()) {
                MemorySegment a = Arena.ofAuto().allocate((long) rows * lda, 64);
                a.fill((byte) 0x5a);
                Qs8Im2col.gather(nat, s, q, qOff, p0, rows, Byte.toUnsignedInt(zero), a, lda);
                for (int r = 0; r < rows; r++) {
                    for (int col = 0; col < s.k(); col++) {
                        assertEquals(expected(s, q, qOff, p0 + r, col, zero), a.get(ValueLayout.JAVA_BYTE, (long) r * lda + col),
                                (nat ? "native " : "java ") + s + " row " + r + " col " + col);
                    }
                    for (int col = s.k(); col < lda && r < rows - 1; col++) {
                        assertEquals((byte) 0x5a, a.get(ValueLayout.JAVA_BYTE, (long) r * lda + col), "bytes between rows untouched");
                    }
                }
            }
        }
    }

    @Test
    void quantizeNhwcEqualsQuantizeLinear() {
        int c = 5, hw = 37;
        MemorySegment x = Arena.ofAuto().allocate(4L * (3 + c * hw), 64);
        for (int i = 0; i < 3 + c * hw; i++) {
            float v = switch (i % 6) {
                case 0 -> (i - 100) * 0.025f;   // ties at half steps of 0.05
                case 1 -> (float) rng.nextGaussian() * 30;
                case 2 -> i % 12 == 2 ? Float.NaN : Float.NEGATIVE_INFINITY;
                case 3 -> Float.MAX_VALUE;
                default -> (float) rng.nextGaussian();
            };
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        int[][] params = {{128, 0, 255}, {0, 0, 255}, {-3, -128, 127}};
        for (int[] p : params) {
            for (boolean nat : variants()) {
                MemorySegment q = Arena.ofAuto().allocate(7 + (long) c * hw, 64);
                Qs8Im2col.quantizeNhwc(nat, x, 3, c, hw, 0.05f, p[0], p[1], p[2], q, 7);
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < hw; i++) {
                        float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, 3 + (long) ch * hw + i);
                        double r = Double.isNaN(v) ? p[0] : Math.max(p[1], Math.min(p[2], Math.rint(v / 0.05f) + p[0]));
                        int got = q.get(ValueLayout.JAVA_BYTE, 7 + (long) i * c + ch);
                        assertEquals((byte) (int) r, (byte) got, (nat ? "native" : "java") + " x=" + v + " zero=" + p[0]);
                    }
                }
            }
        }
    }

    @Test
    void nativeVariantIsPresentWhereTheLibraryLoads() {
        assumeTrue(NativeLibrary.available(), "native library not loaded: " + NativeLibrary.unavailableReason());
        Qs8Im2col.Shape s = new Qs8Im2col.Shape(1, 0, 1, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2, 2);
        MemorySegment q = Arena.ofAuto().allocate(4, 64), a = Arena.ofAuto().allocate(4, 64);
        q.set(ValueLayout.JAVA_BYTE, 3, (byte) 9);
        Qs8Im2col.gather(true, s, q, 0, 0, 4, 0, a, 1);
        assertEquals(9, a.get(ValueLayout.JAVA_BYTE, 3));
    }

    @Test
    void outOfBoundsIsRefusedBeforeAnyNativeCall() {
        Qs8Im2col.Shape s = new Qs8Im2col.Shape(2, 0, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4);
        MemorySegment q = Arena.ofAuto().allocate(31, 64), a = Arena.ofAuto().allocate(16L * 18, 64);
        for (boolean nat : new boolean[]{false, true}) {
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.gather(nat, s, q, 0, 0, 16, 0, a, 18)); // q one byte short
            MemorySegment q2 = Arena.ofAuto().allocate(32, 64);
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.gather(nat, s, q2, 0, 0, 17, 0, a, 18)); // past the output
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.gather(nat, s, q2, 0, 0, 16, 0, a, 17)); // lda < k
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.gather(nat, s, q2, 0, 0, 16, 0, Arena.ofAuto().allocate(100, 64), 18));
            MemorySegment x = Arena.ofAuto().allocate(4L * 31, 64);
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.quantizeNhwc(nat, x, 0, 2, 16, 1f, 0, 0, 255, q2, 0)); // x short
            assertThrows(IllegalArgumentException.class, () -> Qs8Im2col.quantizeNhwc(nat, x, 0, 1, 16, 0f, 0, 0, 255, q2, 0)); // scale 0
        }
        assertThrows(IllegalArgumentException.class, () -> new Qs8Im2col.Shape(4, 2, 3, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1));
    }
}
