package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32DwConv;
import io.minnow.engine.kernels.f32.F32DwConvReference;
import io.minnow.engine.kernels.f32.F32DwConvVector;
import io.minnow.engine.kernels.f32.F32Epilogue;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static io.minnow.engine.kernels.F32DwConvKernelTest.shape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Family f32-dwconv, NHWC path ({@link F32DwConv#runNhwc}): every kernel the registry offers (the same list as
 * {@link F32DwConvKernelTest}, native ones included) against {@link F32DwConvReference} over channel counts
 * around the vector widths, plane sizes, kernels, strides, pads, dilations, epilogues, bias, row ranges, offsets
 * and extreme values; agreement with the kernel's own NCHW {@link F32DwConv#run} on transposed data; and
 * {@link F32DwConv#packNhwc}.
 */
class F32DwConvNhwcKernelTest {
    private static final int[] CHANNELS = {1, 3, 7, 8, 9, 17, 33, 64, 96};
    private static final F32Epilogue[] EPILOGUES = {F32Epilogue.NONE,
            new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, 6f),
            new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, Float.POSITIVE_INFINITY),
            new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.25f, 0.5f),
            new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f)};
    /** What y holds where a kernel must not write: a NaN whose payload no arithmetic produces, compared as bits. */
    private static final int SENTINEL = 0x7fa1_2345;
    /** Floats of y before yOff and after the image, to catch stray writes. */
    private static final int Y_SLACK = 5;

    /** Every kernel under test, by id: the same list as the NCHW test (all registered, available ones). */
    static List<F32DwConv> kernels() {
        List<F32DwConv> ks = F32DwConvKernelTest.kernels();
        assertFalse(ks.isEmpty(), "no f32-dwconv kernel besides the reference");
        return ks;
    }

    /** Every geometry of the sweep: planes x kernels x strides x pads x dilations, plus asymmetric and odd ones. */
    static List<ConvShape> shapes() {
        List<ConvShape> list = new ArrayList<>();
        int[][] planes = {{1, 1}, {2, 3}, {5, 7}, {7, 7}, {14, 14}};
        int[][] windows = {{1, 1}, {3, 3}, {5, 5}, {3, 1}};
        for (int[] pl : planes) {
            for (int[] k : windows) {
                for (int stride = 1; stride <= 3; stride++) {
                    for (int pad = 0; pad <= 2; pad++) {
                        for (int dil = 1; dil <= 2; dil++) {
                            add(list, pl[0], pl[1], k[0], k[1], stride, stride, pad, pad, pad, pad, dil, dil);
                        }
                    }
                }
            }
        }
        add(list, 7, 7, 3, 3, 1, 1, 0, 1, 2, 0, 1, 1);     // asymmetric pads
        add(list, 14, 14, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1);   // TF-style "same" stride 2: pads only at the end
        add(list, 5, 7, 3, 3, 2, 1, 1, 0, 1, 2, 1, 1);     // mixed strides
        add(list, 7, 5, 3, 3, 1, 3, 1, 2, 1, 2, 2, 1);     // mixed strides and dilations
        add(list, 5, 14, 1, 9, 1, 1, 0, 4, 0, 4, 1, 1);    // 9 taps in one row
        add(list, 14, 5, 9, 1, 1, 1, 4, 0, 4, 0, 1, 1);    // 9 taps in one column
        add(list, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);     // 1x1 plane, all taps but one in the padding
        add(list, 1, 40, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1);    // 1-D
        add(list, 3, 17, 2, 4, 3, 1, 1, 3, 0, 2, 1, 1);    // even kernel, stride 3
        return list;
    }

    private static void add(List<ConvShape> list, int inH, int inW, int kh, int kw, int sh, int sw, int pt, int pl,
                            int pb, int pr, int dh, int dw) {
        if (inH + pt + pb < (kh - 1) * dh + 1 || inW + pl + pr < (kw - 1) * dw + 1) return; // no output
        list.add(shape(inH, inW, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw));
    }

    /**
     * One NHWC problem. x, w and bias are sized exactly (offset + data, nothing after), so a read past the end
     * fails; y has {@link #Y_SLACK} floats of sentinel on both sides of the image.
     */
    record Problem(ConvShape s, int ch, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b,
                   long bOff, long yOff) {
        static Problem random(Random rnd, ConvShape s, int ch, boolean bias, float scale) {
            long xOff = rnd.nextInt(5), wOff = rnd.nextInt(5), bOff = rnd.nextInt(5), yOff = Y_SLACK + rnd.nextInt(3);
            MemorySegment x = fill(rnd, xOff, (long) s.inPlane() * ch, scale);
            MemorySegment w = fill(rnd, wOff, (long) s.kh() * s.kw() * ch, scale);
            MemorySegment b = bias ? fill(rnd, bOff, ch, scale) : null;
            return new Problem(s, ch, x, xOff, w, wOff, b, bOff, yOff);
        }

        long image() {
            return (long) s.outPlane() * ch;
        }

        long yLen() {
            return yOff + image() + Y_SLACK;
        }

        MemorySegment run(F32DwConv k, F32Epilogue epi, int oy0, int oy1) {
            MemorySegment y = Arena.ofAuto().allocate(yLen() * 4, 64);
            for (long i = 0; i < yLen(); i++) y.setAtIndex(ValueLayout.JAVA_INT, i, SENTINEL);
            k.runNhwc(s, ch, x, xOff, w, wOff, b, bOff, epi, y, yOff, oy0, oy1);
            return y;
        }

        float xAt(int iy, int ix, int c) {
            return x.getAtIndex(F32, xOff + ((long) iy * s.inW() + ix) * ch + c);
        }

        float wAt(int ky, int kx, int c) {
            return w.getAtIndex(F32, wOff + ((long) ky * s.kw() + kx) * ch + c);
        }

        /** Sum of |w·x| over the taps of output (oy, ox, c), plus |bias|: the scale of its rounding error. */
        double magnitude(int oy, int ox, int c) {
            double m = b == null ? 0 : Math.abs(b.getAtIndex(F32, bOff + c));
            for (int ky = 0; ky < s.kh(); ky++) {
                for (int kx = 0; kx < s.kw(); kx++) {
                    int iy = s.inRow(oy, ky), ix = s.inCol(ox, kx);
                    if (iy < 0 || iy >= s.inH() || ix < 0 || ix >= s.inW()) continue;
                    m += Math.abs((double) wAt(ky, kx, c) * xAt(iy, ix, c));
                }
            }
            return m;
        }
    }

    /** {@code count} random floats in [-scale, scale) after {@code off} zeros, in a segment of exactly that size. */
    static MemorySegment fill(Random rnd, long off, long count, float scale) {
        MemorySegment s = Arena.ofAuto().allocate((off + count) * 4, 64);
        for (long i = 0; i < count; i++) s.setAtIndex(F32, off + i, (rnd.nextFloat() * 2 - 1) * scale);
        return s;
    }

    /** True when g is within rounding of r (both NaN counts as equal). */
    static boolean close(float g, float r, double magnitude, int taps) {
        if (Float.isNaN(g) || Float.isNaN(r)) return Float.isNaN(g) && Float.isNaN(r);
        if (Float.isInfinite(g) || Float.isInfinite(r)) return g == r;
        double tol = 4e-7 * (taps + 2) * magnitude + 2e-7 * Math.abs(r) + 1e-44;
        return Math.abs((double) g - r) <= tol;
    }

    /** Rows [oy0, oy1) within rounding of the reference; every other float of y still the sentinel. */
    static void check(Problem p, MemorySegment ref, MemorySegment got, int oy0, int oy1, String what) {
        ConvShape s = p.s;
        long rowLen = (long) s.outW() * p.ch;
        for (long i = 0; i < p.yLen(); i++) {
            long rel = i - p.yOff;
            int oy = rel < 0 ? -1 : (int) (rel / rowLen);
            if (rel < 0 || rel >= p.image() || oy < oy0 || oy >= oy1) {
                int bits = got.getAtIndex(ValueLayout.JAVA_INT, i);
                if (bits != SENTINEL) fail(what + ": wrote outside rows [" + oy0 + ", " + oy1 + ") at float " + i + ": " + Float.intBitsToFloat(bits));
                continue;
            }
            int ox = (int) (rel % rowLen / p.ch), c = (int) (rel % p.ch);
            float g = got.getAtIndex(F32, i), r = ref.getAtIndex(F32, i);
            if (!close(g, r, p.magnitude(oy, ox, c), s.kh() * s.kw())) {
                fail(what + ": y[" + oy + ", " + ox + ", c=" + c + "] = " + g + ", reference " + r);
            }
        }
    }

    static String name(Problem p, F32Epilogue epi) {
        return p.s + " channels=" + p.ch + " bias=" + (p.b != null) + " " + epi;
    }

    /** The whole sweep: each geometry with two channel counts, a random epilogue and bias on or off. */
    @Test
    void matchesReferenceOnEveryGeometry() {
        F32DwConv ref = new F32DwConvReference();
        List<F32DwConv> ks = kernels();
        Random rnd = new Random(41);
        int i = 0;
        for (ConvShape s : shapes()) {
            for (int rep = 0; rep < 2; rep++, i++) {
                int ch = CHANNELS[(i * 5 + rep) % CHANNELS.length];
                Problem p = Problem.random(rnd, s, ch, rnd.nextBoolean(), 1f);
                F32Epilogue epi = EPILOGUES[rnd.nextInt(EPILOGUES.length)];
                MemorySegment want = p.run(ref, epi, 0, s.outH());
                for (F32DwConv k : ks) check(p, want, p.run(k, epi, 0, s.outH()), 0, s.outH(), k.id() + " " + name(p, epi));
            }
        }
    }

    /** Every channel count with every epilogue, bias and none, on the shapes the mobile nets use most. */
    @Test
    void everyChannelCountEpilogueAndBias() {
        F32DwConv ref = new F32DwConvReference();
        List<F32DwConv> ks = kernels();
        Random rnd = new Random(43);
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(5, 7, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1))) {
            for (int ch : CHANNELS) {
                for (int bias = 0; bias < 2; bias++) {
                    Problem p = Problem.random(rnd, s, ch, bias == 1, 2f);
                    for (F32Epilogue epi : EPILOGUES) {
                        MemorySegment want = p.run(ref, epi, 0, s.outH());
                        for (F32DwConv k : ks) check(p, want, p.run(k, epi, 0, s.outH()), 0, s.outH(), k.id() + " " + name(p, epi));
                    }
                }
            }
        }
    }

    /**
     * The three widths of {@link F32DwConvVector} built directly, as F32GemmVectorTest does: the registry offers
     * only widths this CPU has, so a 512-bit kernel would otherwise go untested on an AVX2 machine (there it runs
     * in the Vector API's Java fallback: slower, same answers). Channel counts below, at and above each width.
     */
    @Test
    void everyVectorWidthEvenWithoutTheCpuForIt() {
        F32DwConv ref = new F32DwConvReference();
        List<F32DwConv> ks = List.of(new F32DwConvVector(128), new F32DwConvVector(256), new F32DwConvVector(512));
        Random rnd = new Random(67);
        int i = 0;
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(5, 7, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), shape(7, 7, 3, 1, 1, 1, 1, 0, 1, 0, 2, 2))) {
            for (int ch : new int[] {3, 4, 7, 8, 9, 16, 17, 33}) {
                Problem p = Problem.random(rnd, s, ch, ch % 2 == 1, 1f);
                F32Epilogue epi = EPILOGUES[i++ % EPILOGUES.length];
                int h = s.outH();
                MemorySegment want = p.run(ref, epi, 0, h);
                for (F32DwConv k : ks) {
                    check(p, want, p.run(k, epi, 0, h), 0, h, k.id() + " " + name(p, epi));
                    check(p, want, p.run(k, epi, 1, h - 1), 1, h - 1, k.id() + " rows 1.." + (h - 1) + " " + name(p, epi));
                }
            }
        }
    }

    /** Row ranges: only rows [oy0, oy1) written, and with the bits of the full run (a thread split changes nothing). */
    @Test
    void rowRangesWriteOnlyTheirRowsWithTheFullRunsBits() {
        Random rnd = new Random(47);
        F32DwConv ref = new F32DwConvReference();
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(5, 7, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), shape(14, 14, 3, 1, 3, 3, 1, 0, 1, 0, 2, 2))) {
            int h = s.outH();
            int[][] ranges = {{0, 1}, {1, 3}, {h - 1, h}, {2, 2}, {0, h - 1}, {h / 2, h}, {0, h}};
            for (int ch : new int[] {3, 17, 64}) {
                Problem p = Problem.random(rnd, s, ch, true, 1f);
                F32Epilogue epi = EPILOGUES[4];
                MemorySegment want = p.run(ref, epi, 0, h);
                for (F32DwConv k : kernels()) {
                    MemorySegment full = p.run(k, epi, 0, h);
                    for (int[] r : ranges) {
                        String what = k.id() + " rows " + r[0] + ".." + r[1] + " " + name(p, epi);
                        MemorySegment part = p.run(k, epi, r[0], r[1]);
                        check(p, want, part, r[0], r[1], what);
                        long from = p.yOff + (long) r[0] * s.outW() * ch, to = p.yOff + (long) r[1] * s.outW() * ch;
                        for (long i = from; i < to; i++) {
                            if (part.getAtIndex(ValueLayout.JAVA_INT, i) != full.getAtIndex(ValueLayout.JAVA_INT, i)) {
                                fail(what + ": differs from the full run at float " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Huge and tiny magnitudes, all zeros, zero rows and channels, and NaN / infinity propagating. */
    @Test
    void extremeValuesZerosAndNonFinite() {
        F32DwConv ref = new F32DwConvReference();
        Random rnd = new Random(53);
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(5, 7, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1))) {
            for (int ch : new int[] {9, 33}) {
                List<Problem> problems = new ArrayList<>();
                // Without bias at 1e-18, or the bias would hide the products' rounding.
                for (float scale : new float[] {1e18f, 1e-18f, 0f}) problems.add(Problem.random(rnd, s, ch, scale != 1e-18f, scale));
                Problem zeros = Problem.random(rnd, s, ch, true, 3f); // input row 1 and channel 2 all zero
                for (int ix = 0; ix < s.inW(); ix++) {
                    for (int c = 0; c < ch; c++) zeros.x.setAtIndex(F32, zeros.xOff + ((long) s.inW() + ix) * ch + c, 0f);
                }
                for (long i = 0; i < s.inPlane(); i++) zeros.x.setAtIndex(F32, zeros.xOff + i * ch + 2, 0f);
                problems.add(zeros);
                Problem nonFinite = Problem.random(rnd, s, ch, true, 1f);
                nonFinite.x.setAtIndex(F32, nonFinite.xOff + 3L * ch + 1, Float.NaN);
                nonFinite.x.setAtIndex(F32, nonFinite.xOff + 10L * ch + 4, Float.POSITIVE_INFINITY);
                nonFinite.w.setAtIndex(F32, nonFinite.wOff + 5, Float.NEGATIVE_INFINITY);
                problems.add(nonFinite);
                for (Problem p : problems) {
                    for (F32Epilogue epi : EPILOGUES) {
                        MemorySegment want = p.run(ref, epi, 0, s.outH());
                        for (F32DwConv k : kernels()) {
                            check(p, want, p.run(k, epi, 0, s.outH()), 0, s.outH(), k.id() + " extreme " + name(p, epi));
                        }
                    }
                }
            }
        }
    }

    /**
     * runNhwc on transposed data equals the same kernel's NCHW run (the proven path): x [C][H][W] to [H][W][C],
     * weights through {@link F32DwConv#packNhwc}, y transposed back. The reference is included: the oracle of
     * the other tests is itself tied to its NCHW twin here.
     */
    @Test
    void agreesWithTheNchwRunOnTransposedData() {
        Random rnd = new Random(59);
        for (ConvShape s : List.of(shape(14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(7, 7, 5, 5, 2, 2, 2, 2, 2, 2, 1, 1),
                shape(5, 7, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2), shape(2, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1))) {
            for (int ch : new int[] {7, 64, 96}) {
                int taps = s.kh() * s.kw();
                long xOff = 3, wOff = 2, bOff = 1, yOff = 4;
                MemorySegment xc = fill(rnd, xOff, (long) ch * s.inPlane(), 1f);   // [C][H][W]
                MemorySegment wc = fill(rnd, wOff, (long) ch * taps, 1f);          // [C][kh][kw]
                MemorySegment b = fill(rnd, bOff, ch, 1f);
                MemorySegment xh = Arena.ofAuto().allocate((xOff + (long) ch * s.inPlane()) * 4, 64);
                for (int c = 0; c < ch; c++) {
                    for (long e = 0; e < s.inPlane(); e++) {
                        xh.setAtIndex(F32, xOff + e * ch + c, xc.getAtIndex(F32, xOff + c * (long) s.inPlane() + e));
                    }
                }
                MemorySegment wh = F32DwConv.packNhwc(wc, wOff, ch, taps);
                F32Epilogue epi = EPILOGUES[rnd.nextInt(EPILOGUES.length)];
                long outLen = (long) ch * s.outPlane();
                List<F32DwConv> ks = new ArrayList<>(kernels());
                ks.add(new F32DwConvReference());
                for (F32DwConv k : ks) {
                    MemorySegment yc = Arena.ofAuto().allocate((yOff + outLen) * 4, 64);
                    MemorySegment yh = Arena.ofAuto().allocate((yOff + outLen) * 4, 64);
                    k.run(s, xc, xOff, wc, wOff, b, bOff, epi, yc, yOff, 0, ch);
                    k.runNhwc(s, ch, xh, xOff, wh, 0, b, bOff, epi, yh, yOff, 0, s.outH());
                    for (int c = 0; c < ch; c++) {
                        for (int e = 0; e < s.outPlane(); e++) {
                            float want = yc.getAtIndex(F32, yOff + (long) c * s.outPlane() + e);
                            float got = yh.getAtIndex(F32, yOff + (long) e * ch + c);
                            // Both sum the same taps; the bound is the plain rounding one on values of size ~taps.
                            if (!close(got, want, taps + 1, taps)) {
                                fail(k.id() + " " + s + " channels=" + ch + " " + epi + ": NHWC y[" + e / s.outW() + ", "
                                        + e % s.outW() + ", c=" + c + "] = " + got + ", NCHW " + want);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void packNhwcTransposesChannelsToTheLastAxis() {
        Random rnd = new Random(61);
        for (int[] ct : new int[][] {{5, 9}, {1, 1}, {17, 25}, {3, 3}}) {
            int ch = ct[0], taps = ct[1];
            long off = 3;
            MemorySegment w = fill(rnd, off, (long) ch * taps, 1f);
            MemorySegment p = F32DwConv.packNhwc(w, off, ch, taps);
            assertTrue(p.byteSize() >= (long) ch * taps * 4, "packed size for " + ch + " channels, " + taps + " taps");
            for (int t = 0; t < taps; t++) {
                for (int c = 0; c < ch; c++) {
                    assertEquals(Float.floatToRawIntBits(w.getAtIndex(F32, off + (long) c * taps + t)),
                            Float.floatToRawIntBits(p.getAtIndex(F32, (long) t * ch + c)), "tap " + t + " channel " + c);
                }
            }
        }
    }
}
