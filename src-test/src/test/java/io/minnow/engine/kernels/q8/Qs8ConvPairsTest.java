package io.minnow.engine.kernels.q8;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * qs8-conv-4x16-avx2 and its pair-plane quantizer, native against the scalar definitions bit for bit, on odd
 * geometries (odd channel counts, pads, strides, dilations, channel counts off the 4-row tile, pixel tails off the
 * 16-lane strip), extreme codes and weights, residuals with NaN, both clamps; and the definition itself against a
 * conv computed straight from the float input. Bounds are refused before native code runs.
 */
class Qs8ConvPairsTest {
    private final Random rng = new Random(11);

    // cg, h, w, pt, pl, pb, pr, kh, kw, sh, sw, dh, dw, m
    private static final int[][] CASES = {
            {12, 28, 28, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 12}, {24, 14, 14, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 96},
            {5, 9, 7, 1, 1, 1, 1, 3, 3, 2, 2, 1, 1, 7}, {3, 10, 11, 2, 1, 0, 2, 5, 4, 3, 2, 1, 1, 5},
            {7, 6, 6, 0, 0, 0, 0, 1, 1, 2, 2, 1, 1, 3}, {2, 10, 10, 2, 2, 2, 2, 3, 3, 1, 1, 2, 2, 9},
            {1, 5, 5, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4},
            {9, 7, 7, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 13}, {16, 4, 5, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2}};

    private static Qs8ConvPairs.Geometry geometry(int[] c) {
        int oh = (c[1] + c[3] + c[5] - ((c[7] - 1) * c[11] + 1)) / c[9] + 1;
        int ow = (c[2] + c[4] + c[6] - ((c[8] - 1) * c[12] + 1)) / c[10] + 1;
        int hp = Math.max(c[1] + c[3], (oh - 1) * c[9] + (c[7] - 1) * c[11] + 1);
        int wp = Math.max(c[2] + c[4], (ow - 1) * c[10] + (c[8] - 1) * c[12] + 1);
        return new Qs8ConvPairs.Geometry(c[0], c[1], c[2], c[3], c[4], hp, wp, c[7], c[8], c[9], c[10], c[11], c[12], oh, ow);
    }

    private MemorySegment input(long n, boolean adversarial) {
        MemorySegment x = Arena.ofAuto().allocate(4 * n, 64);
        for (long i = 0; i < n; i++) {
            float v = switch ((int) (i % 7)) {
                case 0 -> (i - 50) * 0.025f;                 // ties at half steps of 0.05
                case 1 -> adversarial ? Float.NaN : 0.3f;
                case 2 -> adversarial ? Float.NEGATIVE_INFINITY : -1f;
                case 3 -> adversarial ? Float.MAX_VALUE : 6f; // saturates to qmax
                default -> (float) rng.nextGaussian() * 3;
            };
            x.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        return x;
    }

    @Test
    void quantizeMatchesItsDefinition() {
        assumeTrue(Qs8ConvPairs.available(), "qs8-conv-4x16-avx2 needs the native library and AVX2");
        int[][] quant = {{0, 255, 0}, {0, 255, 131}, {-128, 127, 0}, {-128, 127, -7}}; // qmin, qmax, zero
        for (int[] c : CASES) {
            Qs8ConvPairs.Geometry g = geometry(c);
            long xOff = 3, qOff = 5;
            MemorySegment x = input(xOff + (long) g.cg() * g.h() * g.w(), true);
            for (int[] qz : quant) {
                MemorySegment a = Arena.ofAuto().allocate(4 * (qOff + g.groupInts()), 64);
                MemorySegment b = Arena.ofAuto().allocate(4 * (qOff + g.groupInts()), 64);
                a.fill((byte) 0x77); // stale values the quantizer must overwrite, pads included
                Qs8ConvPairs.quantize(true, g, x, xOff, 0.05f, qz[2], qz[0], qz[1], a, qOff);
                Qs8ConvPairs.quantizeReference(g, x, xOff, 0.05f, qz[2], qz[0], qz[1], b, qOff);
                for (long i = qOff; i < qOff + g.groupInts(); i++) {
                    assertEquals(b.getAtIndex(ValueLayout.JAVA_INT, i), a.getAtIndex(ValueLayout.JAVA_INT, i), g + " int " + i);
                }
            }
        }
    }

    @Test
    void convMatchesItsDefinition() {
        assumeTrue(Qs8ConvPairs.available(), "qs8-conv-4x16-avx2 needs the native library and AVX2");
        for (int[] c : CASES) {
            Qs8ConvPairs.Geometry g = geometry(c);
            int m = c[13], outSize = g.oh() * g.ow(), taps = g.kh() * g.kw();
            MemorySegment x = input((long) g.cg() * g.h() * g.w(), false);
            MemorySegment q = Arena.ofAuto().allocate(4 * g.groupInts(), 64);
            Qs8ConvPairs.quantize(true, g, x, 0, 0.04f, 128, 0, 255, q, 0);
            MemorySegment codes = Arena.ofAuto().allocate((long) (m + 1) * g.cg() * taps, 64);
            for (long i = 0; i < codes.byteSize(); i++) {
                codes.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 5 == 0 ? -128 : i % 5 == 1 ? 127 : rng.nextInt(256)));
            }
            float[] ws = new float[m + 1], bias = new float[m + 1];
            for (int j = 0; j <= m; j++) {
                ws[j] = 0.001f + rng.nextFloat() * 0.01f;
                bias[j] = (float) rng.nextGaussian();
            }
            MemorySegment res = input((long) m * outSize, true);
            for (boolean withBias : new boolean[]{true, false}) {
                // rows [1, 1 + m) of the codes: a group that does not start at row 0
                Qs8ConvPairs.Weights w = Qs8ConvPairs.pack(g.cg(), g.kh(), g.kw(), codes, 1, m, ws, withBias ? bias : null);
                for (Qs8ConvPairs.Epilogue e : new Qs8ConvPairs.Epilogue[]{
                        new Qs8ConvPairs.Epilogue(0.04f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false, 0, 0),
                        new Qs8ConvPairs.Epilogue(0.04f, 0f, 6f, false, 0, 0),
                        new Qs8ConvPairs.Epilogue(0.04f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, true, 0f, Float.POSITIVE_INFINITY),
                        new Qs8ConvPairs.Epilogue(0.04f, -0f, 0f, true, -0f, 0f)}) { // zero bounds: the scalar route
                    for (MemorySegment r : new MemorySegment[]{null, res}) {
                        check(g, q, w, e, r, outSize, m);
                    }
                }
            }
            // the definition itself, from the float input: no residual, open clamp, the bias of row 1 + j
            Qs8ConvPairs.Weights w = Qs8ConvPairs.pack(g.cg(), g.kh(), g.kw(), codes, 1, m, ws, bias);
            MemorySegment y = Arena.ofAuto().allocate(4L * m * outSize, 64);
            Qs8ConvPairs.Epilogue open = new Qs8ConvPairs.Epilogue(0.04f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false, 0, 0);
            Qs8ConvPairs.convReference(g, q, 0, 0, outSize, w, open, null, y, 0, outSize);
            for (int j = 0; j < m; j++) {
                for (int p = 0; p < outSize; p++) {
                    int oy = p / g.ow(), ox = p % g.ow(), acc = 0;
                    for (int ic = 0; ic < g.cg(); ic++) {
                        for (int t = 0; t < taps; t++) {
                            int iy = oy * g.sh() + t / g.kw() * g.dh() - g.pt(), ix = ox * g.sw() + t % g.kw() * g.dw() - g.pl();
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue; // padding: the zero point
                            float v = x.getAtIndex(ValueLayout.JAVA_FLOAT, ((long) ic * g.h() + iy) * g.w() + ix);
                            int wv = codes.get(ValueLayout.JAVA_BYTE, ((long) (1 + j) * g.cg() + ic) * taps + t);
                            acc += (Qs8Im2col.code(v, 0.04f, 128, 0, 255) - 128) * wv;
                        }
                    }
                    float expected = acc * (0.04f * ws[1 + j]) + bias[1 + j];
                    assertEquals(expected, y.getAtIndex(ValueLayout.JAVA_FLOAT, (long) j * outSize + p), g + " channel " + j + " pixel " + p);
                }
            }
        }
    }

    /**
     * Full 16-pixel strips keep their accumulators in registers for the epilogue only when every channel's
     * acc * scale + bias is finite; zero weight scales (products of -0.0 with no bias after them) go that way, a
     * scale that could overflow sends the call through the tile buffer. Both bit for bit.
     */
    @Test
    void registerEpilogueKeepsZeroSignsAndFallsBackOnHugeScales() {
        assumeTrue(Qs8ConvPairs.available(), "qs8-conv-4x16-avx2 needs the native library and AVX2");
        for (int[] c : new int[][]{CASES[0], CASES[1], CASES[8]}) {
            Qs8ConvPairs.Geometry g = geometry(c);
            int m = c[13], outSize = g.oh() * g.ow(), taps = g.kh() * g.kw();
            MemorySegment q = Arena.ofAuto().allocate(4 * g.groupInts(), 64);
            Qs8ConvPairs.quantize(true, g, input((long) g.cg() * g.h() * g.w(), false), 0, 0.04f, 128, 0, 255, q, 0);
            MemorySegment codes = Arena.ofAuto().allocate((long) m * g.cg() * taps, 64);
            for (long i = 0; i < codes.byteSize(); i++) codes.set(ValueLayout.JAVA_BYTE, i, (byte) rng.nextInt(256));
            MemorySegment res = input((long) m * outSize, true);
            for (float big : new float[]{0.02f, 1e30f}) {
                float[] ws = new float[m];
                for (int j = 0; j < m; j++) ws[j] = j % 3 == 0 ? 0f : j % 3 == 1 ? big : 0.005f;
                Qs8ConvPairs.Weights w = Qs8ConvPairs.pack(g.cg(), g.kh(), g.kw(), codes, 0, m, ws, null);
                for (Qs8ConvPairs.Epilogue e : new Qs8ConvPairs.Epilogue[]{
                        new Qs8ConvPairs.Epilogue(0.04f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, false, 0, 0),
                        new Qs8ConvPairs.Epilogue(0.04f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, true, 0f, 6f)}) {
                    for (MemorySegment r : new MemorySegment[]{null, res}) check(g, q, w, e, r, outSize, m);
                }
            }
        }
    }

    /** Native against the definition on whole images and on a tile that starts and ends off the strip. */
    private void check(Qs8ConvPairs.Geometry g, MemorySegment q, Qs8ConvPairs.Weights w, Qs8ConvPairs.Epilogue e,
                       MemorySegment res, int outSize, int m) {
        int[][] tiles = g.direct() || outSize < 4 ? new int[][]{{0, outSize}} : new int[][]{{0, outSize}, {3, outSize - 4}};
        for (int[] t : tiles) {
            MemorySegment a = Arena.ofAuto().allocate(4L * m * outSize, 64), b = Arena.ofAuto().allocate(4L * m * outSize, 64);
            a.fill((byte) 0x41);
            b.fill((byte) 0x41); // pixels outside the tile stay as they were
            MemorySegment scratch = Arena.ofAuto().allocate(Math.max(4, 4 * g.scratchInts(t[1])), 64);
            Qs8ConvPairs.conv(g, q, 0, t[0], t[1], w, e, res, a, 0, outSize, scratch);
            Qs8ConvPairs.convReference(g, q, 0, t[0], t[1], w, e, res, b, 0, outSize);
            for (long i = 0; i < (long) m * outSize; i++) {
                assertEquals(Float.floatToRawIntBits(b.getAtIndex(ValueLayout.JAVA_FLOAT, i)),
                        Float.floatToRawIntBits(a.getAtIndex(ValueLayout.JAVA_FLOAT, i)),
                        g + " " + e + " residual " + (res != null) + " tile " + t[0] + "+" + t[1] + " element " + i);
            }
        }
    }

    @Test
    void boundsAreCheckedBeforeNativeCode() {
        assumeTrue(Qs8ConvPairs.available(), "qs8-conv-4x16-avx2 needs the native library and AVX2");
        Qs8ConvPairs.Geometry g = geometry(CASES[2]);
        int outSize = g.oh() * g.ow();
        MemorySegment codes = Arena.ofAuto().allocate((long) 7 * g.cg() * 9, 64);
        Qs8ConvPairs.Weights w = Qs8ConvPairs.pack(g.cg(), 3, 3, codes, 0, 7, new float[7], null);
        MemorySegment q = Arena.ofAuto().allocate(4 * g.groupInts(), 64), y = Arena.ofAuto().allocate(4L * 7 * outSize, 64);
        MemorySegment scratch = Arena.ofAuto().allocate(4 * g.scratchInts(outSize), 64);
        Qs8ConvPairs.Epilogue e = new Qs8ConvPairs.Epilogue(1f, 0f, 1f, false, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> Qs8ConvPairs.conv(g, q, 0, 0, outSize, w, e, null, y, 1, outSize, scratch));
        assertThrows(IllegalArgumentException.class, () -> Qs8ConvPairs.conv(g, q, 1, 0, outSize, w, e, null, y, 0, outSize, scratch));
        assertThrows(IllegalArgumentException.class, () -> Qs8ConvPairs.conv(g, q, 0, 1, outSize, w, e, null, y, 0, outSize, scratch));
        assertThrows(IllegalArgumentException.class, () -> Qs8ConvPairs.conv(g, q, 0, 0, outSize, w, e, null, y, 0, outSize - 1, scratch));
        assertThrows(IllegalArgumentException.class,
                () -> Qs8ConvPairs.conv(g, q, 0, 0, outSize, w, e, null, y, 0, outSize, scratch.asSlice(0, 64)));
        assertThrows(IllegalArgumentException.class,
                () -> Qs8ConvPairs.quantize(true, g, y, 0, 1f, 0, 0, 255, q.asSlice(0, 16), 0));
        assertThrows(IllegalArgumentException.class, () -> Qs8ConvPairs.pack(g.cg(), 3, 3, codes, 1, 7, new float[8], null));
    }
}
