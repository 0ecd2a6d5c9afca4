package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32DwConv;
import io.minnow.engine.kernels.f32.F32DwConvNative;
import io.minnow.engine.kernels.f32.F32DwConvReference;
import io.minnow.engine.kernels.f32.F32Epilogue;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Family f32-dwconv: every kernel the registry offers here (under the default configuration and under each
 * Vector API width cap) against {@link F32DwConvReference}, over strides, pads, dilations, plane sizes,
 * channel ranges, bias, every epilogue and extreme values; and the native kernels' bound checks.
 */
class F32DwConvKernelTest {
    private static final int CHANNELS = 5;
    private static final F32Epilogue[] EPILOGUES = {F32Epilogue.NONE,
            new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, Float.POSITIVE_INFINITY),
            new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.25f, 0.5f),
            new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f)};

    /** Every available kernel except the reference, by id (the same id under two configs counts once). */
    static List<F32DwConv> kernels() {
        Map<String, F32DwConv> byId = new LinkedHashMap<>();
        List<BackendConfig> cfgs = List.of(BackendConfig.fromSystemProperties(), BackendConfig.javaOnly(128),
                BackendConfig.javaOnly(256), BackendConfig.javaOnly(512), BackendConfig.javaOnly(0));
        for (BackendConfig cfg : cfgs) {
            for (KernelInfo<F32DwConv> k : KernelRegistry.f32DwConv(cfg)) {
                if (!k.id().equals("f32-dwconv-scalar") && k.isAvailable() && !byId.containsKey(k.id())) {
                    byId.put(k.id(), k.create());
                }
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** A shape from input size, kernel, strides, pads (top, left, bottom, right) and dilations. */
    static ConvShape shape(int inH, int inW, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int dh, int dw) {
        int outH = (inH + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
        int outW = (inW + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
        return new ConvShape(1, inH, inW, 1, outH, outW, kh, kw, sh, sw, pt, pl, dh, dw);
    }

    static List<ConvShape> shapes() {
        List<ConvShape> list = new ArrayList<>();
        for (int[] plane : new int[][] {{7, 7}, {14, 14}, {13, 11}, {1, 1}, {3, 17}, {20, 9}}) {
            int h = plane[0], w = plane[1];
            for (int pad = 0; pad <= 1; pad++) {
                for (int stride = 1; stride <= 2; stride++) {
                    if (h + 2 * pad >= 3 && w + 2 * pad >= 3) list.add(shape(h, w, 3, 3, stride, stride, pad, pad, pad, pad, 1, 1));
                }
            }
            if (h >= 3 && w >= 3) list.add(shape(h, w, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1)); // 5x5 same
            if (h >= 2 && w >= 2) list.add(shape(h, w, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1)); // 5x5 stride 2, asymmetric
            list.add(shape(h, w, 3, 3, 1, 1, 0, 1, 2, 0, 1, 1));   // asymmetric pads
            list.add(shape(h, w, 3, 3, 2, 1, 1, 0, 1, 2, 1, 1));   // mixed strides
            list.add(shape(h, w, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2));   // dilation 2
            list.add(shape(h, w, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2));   // dilation 2, stride 2
            list.add(shape(h, w, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1));   // 1x1
            list.add(shape(h, w, 2, 4, 3, 1, 1, 3, 0, 2, 1, 1));   // even kernel, stride 3
        }
        list.add(shape(1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));       // 1x1 plane, all taps but one in the padding
        list.add(shape(1, 40, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1));      // 1-D
        list.add(shape(1, 40, 1, 5, 1, 2, 0, 2, 0, 2, 1, 1));      // 1-D strided
        list.add(shape(1, 33, 1, 3, 1, 1, 0, 0, 0, 0, 1, 3));      // 1-D dilated
        list.add(shape(64, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1));      // tall, narrow
        return list;
    }

    /** One problem: C planes at offsets, in segments with room around them. */
    record Problem(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment b, long bOff) {
        static Problem random(Random rnd, ConvShape s, boolean bias, float scale) {
            long xOff = rnd.nextInt(4), wOff = rnd.nextInt(4), bOff = rnd.nextInt(4);
            MemorySegment x = fill(rnd, xOff + (long) CHANNELS * s.inPlane() + 2, scale);
            MemorySegment w = fill(rnd, wOff + (long) CHANNELS * s.kh() * s.kw() + 2, scale);
            MemorySegment b = bias ? fill(rnd, bOff + CHANNELS + 2, scale) : null;
            return new Problem(s, x, xOff, w, wOff, b, bOff);
        }

        long yLen() {
            return 3 + (long) CHANNELS * s.outPlane() + 3;
        }

        MemorySegment run(F32DwConv k, F32Epilogue epi, int c0, int c1) {
            MemorySegment y = Arena.ofAuto().allocate(yLen() * 4, 64);
            for (long i = 0; i < yLen(); i++) y.setAtIndex(F32, i, SENTINEL);
            k.run(s, x, xOff, w, wOff, b, bOff, epi, y, 3, c0, c1);
            return y;
        }

        /** Sum of |w·x| over the taps of output (c, oy, ox), plus |bias|: the scale of its rounding error. */
        double magnitude(int c, int oy, int ox) {
            double m = b == null ? 0 : Math.abs(b.getAtIndex(F32, bOff + c));
            for (int ky = 0; ky < s.kh(); ky++) {
                for (int kx = 0; kx < s.kw(); kx++) {
                    int iy = s.inRow(oy, ky), ix = s.inCol(ox, kx);
                    if (iy < 0 || iy >= s.inH() || ix < 0 || ix >= s.inW()) continue;
                    m += Math.abs((double) w.getAtIndex(F32, wOff + ((long) c * s.kh() + ky) * s.kw() + kx)
                            * x.getAtIndex(F32, xOff + (long) c * s.inPlane() + (long) iy * s.inW() + ix));
                }
            }
            return m;
        }
    }

    private static final float SENTINEL = -12345.5f;

    static MemorySegment fill(Random rnd, long floats, float scale) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(4, floats * 4), 64);
        for (long i = 0; i < floats; i++) s.setAtIndex(F32, i, (rnd.nextFloat() * 2 - 1) * scale);
        return s;
    }

    /** Planes [c0, c1) within rounding of the reference; everything else in y left alone. */
    static void check(Problem p, MemorySegment ref, MemorySegment got, int c0, int c1, String what) {
        ConvShape s = p.s;
        int taps = s.kh() * s.kw();
        for (long i = 0; i < p.yLen(); i++) {
            long rel = i - 3;
            int c = rel < 0 ? -1 : (int) (rel / Math.max(1, s.outPlane()));
            float g = got.getAtIndex(F32, i);
            if (c < c0 || c >= c1 || rel >= (long) CHANNELS * s.outPlane()) {
                if (Float.floatToRawIntBits(g) != Float.floatToRawIntBits(SENTINEL)) {
                    fail(what + ": wrote outside its planes at float " + i + ": " + g);
                }
                continue;
            }
            int pos = (int) (rel % s.outPlane()), oy = pos / s.outW(), ox = pos % s.outW();
            float r = ref.getAtIndex(F32, i);
            double tol = 4e-7 * (taps + 2) * p.magnitude(c, oy, ox) + 1e-30;
            if (!(Math.abs((double) g - r) <= tol) && !(Float.isNaN(g) && Float.isNaN(r))) {
                fail(what + ": y[c=" + c + ", " + oy + ", " + ox + "] = " + g + ", reference " + r + " (tol " + tol + ")");
            }
        }
    }

    @Test
    void everyKernelIsFoundAndNamed() {
        List<F32DwConv> ks = kernels();
        assertFalse(ks.isEmpty(), "no f32-dwconv kernel besides the reference");
        for (F32DwConv k : ks) assertFalse(k.id().isEmpty());
        assertEquals("f32-dwconv-scalar", KernelRegistry.f32DwConv(BackendConfig.javaOnly(0)).get(0).id());
        List<String> ids = ks.stream().map(F32DwConv::id).toList();
        // What this machine can run must really be under test, not skipped.
        if (NativeLibrary.available()) {
            assertTrue(ids.contains("f32-dwconv-c"), ids.toString());
            if (NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX2)) assertTrue(ids.contains("f32-dwconv-avx2"), ids.toString());
            if (NativeLibrary.hasFeatures(NativeLibrary.CPU_AVX512)) assertTrue(ids.contains("f32-dwconv-avx512f"), ids.toString());
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            assertTrue(ids.contains("f32-dwconv-panama128"), ids.toString());
        }
    }

    @Test
    void matchesReferenceOnEveryShapeBiasAndEpilogue() {
        F32DwConv ref = new F32DwConvReference();
        Random rnd = new Random(7);
        List<F32DwConv> ks = kernels();
        for (ConvShape s : shapes()) {
            for (int bias = 0; bias < 2; bias++) {
                Problem p = Problem.random(rnd, s, bias == 1, 1f);
                for (F32Epilogue epi : EPILOGUES) {
                    MemorySegment want = p.run(ref, epi, 0, CHANNELS);
                    for (F32DwConv k : ks) {
                        check(p, want, p.run(k, epi, 0, CHANNELS), 0, CHANNELS, k.id() + " " + s + " bias=" + bias + " " + epi);
                    }
                }
            }
        }
    }

    @Test
    void channelRangesGiveTheFullRunsBits() {
        Random rnd = new Random(11);
        int[][] ranges = {{0, 1}, {1, 3}, {3, 5}, {4, 5}, {2, 2}, {0, 5}};
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(13, 11, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1), shape(1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
                shape(9, 10, 3, 3, 1, 2, 2, 2, 2, 2, 2, 2))) {
            Problem p = Problem.random(rnd, s, true, 1f);
            F32Epilogue epi = EPILOGUES[3];
            for (F32DwConv k : kernels()) {
                MemorySegment full = p.run(k, epi, 0, CHANNELS);
                for (int[] r : ranges) {
                    MemorySegment part = p.run(k, epi, r[0], r[1]);
                    for (long i = 3 + (long) r[0] * s.outPlane(); i < 3 + (long) r[1] * s.outPlane(); i++) {
                        if (Float.floatToRawIntBits(part.getAtIndex(F32, i)) != Float.floatToRawIntBits(full.getAtIndex(F32, i))) {
                            fail(k.id() + " " + s + " planes [" + r[0] + ", " + r[1] + ") differ from the full run at " + i);
                        }
                    }
                    check(p, full, part, r[0], r[1], k.id() + " range " + r[0] + ".." + r[1]);
                }
            }
        }
    }

    @Test
    void extremeValuesAndZeros() {
        F32DwConv ref = new F32DwConvReference();
        Random rnd = new Random(13);
        for (ConvShape s : List.of(shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), shape(14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
                shape(13, 11, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1))) {
            for (float scale : new float[] {1e18f, 1e-18f, 0f}) {
                Problem p = Problem.random(rnd, s, true, scale);
                for (F32Epilogue epi : EPILOGUES) {
                    MemorySegment want = p.run(ref, epi, 0, CHANNELS);
                    for (F32DwConv k : kernels()) {
                        check(p, want, p.run(k, epi, 0, CHANNELS), 0, CHANNELS, k.id() + " scale " + scale + " " + epi);
                    }
                }
            }
        }
    }

    /**
     * runSharedInput: planes [c0, c1) all read one input plane. The expected result is the reference's plain
     * run over an input whose planes are all copies of that one plane (so the per-plane rounding bound of
     * {@link #check} applies as it is); the shared input sits alone in an exactly sized segment.
     */
    @Test
    void sharedInputEqualsPlanesOfCopies() {
        F32DwConv ref = new F32DwConvReference();
        Random rnd = new Random(19);
        int[][] ranges = {{0, CHANNELS}, {1, 4}, {4, 5}, {2, 2}};
        for (ConvShape s : shapes()) {
            Problem p = Problem.random(rnd, s, rnd.nextBoolean(), 1f);
            long plane = s.inPlane();
            MemorySegment one = Arena.ofAuto().allocate(Math.max(1, plane) * 4, 64);
            MemorySegment.copy(p.x, p.xOff * 4, one, 0, plane * 4);
            for (int c = 1; c < CHANNELS; c++) MemorySegment.copy(p.x, p.xOff * 4, p.x, (p.xOff + c * plane) * 4, plane * 4);
            F32Epilogue epi = EPILOGUES[rnd.nextInt(EPILOGUES.length)];
            for (int[] r : ranges) {
                MemorySegment want = p.run(ref, epi, r[0], r[1]);
                for (F32DwConv k : kernels()) {
                    MemorySegment got = Arena.ofAuto().allocate(p.yLen() * 4, 64);
                    for (long i = 0; i < p.yLen(); i++) got.setAtIndex(F32, i, SENTINEL);
                    k.runSharedInput(s, one, 0, p.w, p.wOff, p.b, p.bOff, epi, got, 3, r[0], r[1]);
                    check(p, want, got, r[0], r[1], k.id() + " shared input " + s + " planes " + r[0] + ".." + r[1] + " " + epi);
                }
            }
        }
    }

    @Test
    void nativeSharedInputChecksItsOnePlane() {
        ConvShape s = shape(7, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1);
        Problem p = Problem.random(new Random(29), s, true, 1f);
        for (F32DwConv k : kernels()) {
            if (!(k instanceof F32DwConvNative)) continue;
            MemorySegment y = Arena.ofAuto().allocate(p.yLen() * 4, 64);
            MemorySegment one = Arena.ofAuto().allocate(49 * 4, 64);
            k.runSharedInput(s, one, 0, p.w, p.wOff, p.b, p.bOff, F32Epilogue.NONE, y, 3, 0, CHANNELS); // one plane is enough
            assertThrows(IllegalArgumentException.class, () -> k.runSharedInput(s, one, 1, p.w, p.wOff, p.b, p.bOff,
                    F32Epilogue.NONE, y, 3, 0, CHANNELS), k.id() + ": input one float short");
            assertThrows(IllegalArgumentException.class, () -> k.runSharedInput(s, one, 0, p.w, p.wOff, p.b, p.bOff,
                    F32Epilogue.NONE, y, 3, 0, CHANNELS + 1), k.id() + ": one plane too many");
            assertThrows(IllegalArgumentException.class, () -> k.runSharedInput(s, one, 0, p.w, p.wOff, p.b, p.bOff,
                    F32Epilogue.NONE, y, 3, 2, 1), k.id() + ": c0 > c1");
        }
    }

    @Test
    void nativeKernelsCheckEveryBound() {
        ConvShape s = shape(7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1);
        Random rnd = new Random(17);
        Problem p = Problem.random(rnd, s, true, 1f);
        for (F32DwConv k : kernels()) {
            if (!(k instanceof F32DwConvNative)) continue;
            F32Epilogue e = F32Epilogue.NONE;
            MemorySegment y = Arena.ofAuto().allocate(p.yLen() * 4, 64);
            MemorySegment x = p.x, w = p.w, b = p.b;
            long n = CHANNELS;
            // The valid call works.
            k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS);
            List<Runnable> bad = List.of(
                    () -> k.run(s, x, -1, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, -1, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, -1, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, -1, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff + 3, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),  // x too short
                    () -> k.run(s, x, p.xOff, w, p.wOff + 3, b, p.bOff, e, y, 3, 0, CHANNELS),  // w too short
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff + 3, e, y, 3, 0, CHANNELS),  // bias too short
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, 7, 0, CHANNELS),      // y too short
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS + 1),  // too many planes
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 3, 2),             // c0 > c1
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, -1, 2),            // c0 < 0
                    () -> k.run(s, x, Long.MAX_VALUE / 2, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS), // overflow
                    () -> k.run(s, MemorySegment.ofArray(new float[(int) (n * 49 + 8)]), 0, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, MemorySegment.ofArray(new float[64]), 0, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, p.wOff, MemorySegment.ofArray(new float[8]), 0, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, e, MemorySegment.ofArray(new float[(int) p.yLen()]), 3, 0, CHANNELS),
                    () -> k.run(s, x.asSlice(2), p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, 1),  // misaligned
                    () -> k.run(new ConvShape(1, 7, 7, 1, 7, 7, 0, 3, 1, 1, 1, 1, 1, 1), x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(new ConvShape(1, 7, 7, 1, 7, 7, 3, 3, 0, 1, 1, 1, 1, 1), x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(new ConvShape(1, 7, 7, 1, 7, 7, 3, 3, 1, 1, 1, 1, 0, 1), x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(new ConvShape(1, -7, 7, 1, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1), x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(new ConvShape(2, 7, 7, 2, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1), x, p.xOff, w, p.wOff, b, p.bOff, e, y, 3, 0, CHANNELS),
                    () -> k.run(s, x, p.xOff, w, p.wOff, b, p.bOff, new F32Epilogue(7, 0, 0), y, 3, 0, CHANNELS));
            for (int i = 0; i < bad.size(); i++) {
                Runnable r = bad.get(i);
                assertThrows(IllegalArgumentException.class, r::run, k.id() + " bad call #" + i + " was accepted");
            }
        }
    }
}
