package io.minnow.engine.kernels;

import io.minnow.engine.kernels.f32.ConvShape;
import io.minnow.engine.kernels.f32.F32Conv;
import io.minnow.engine.kernels.f32.F32ConvReference;
import io.minnow.engine.kernels.f32.F32Epilogue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.minnow.engine.api.Tensor.F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every available kernel of family f32-conv (enumerated from the registry under each backend configuration,
 * so new kernels are covered by adding their registry line) against {@link F32ConvReference}.
 */
class F32ConvKernelTest {
    /** Each distinct available kernel id, from the process configuration and every Vector API width cap. */
    static List<KernelInfo<F32Conv>> kernels() {
        Map<String, KernelInfo<F32Conv>> byId = new LinkedHashMap<>();
        List<BackendConfig> configs = List.of(BackendConfig.fromSystemProperties(), BackendConfig.javaOnly(0),
                BackendConfig.javaOnly(128), BackendConfig.javaOnly(256), BackendConfig.javaOnly(512));
        for (BackendConfig cfg : configs) {
            for (KernelInfo<F32Conv> k : KernelRegistry.f32Conv(cfg)) {
                if (k.isAvailable()) byId.putIfAbsent(k.id(), k);
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** cin, inH, inW, cout, kh, kw, strideH, strideW, padTop, padLeft, padBottom, padRight, dilH, dilW. */
    private static final int[][] SHAPES = {
            {3, 8, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},      // 3x3 pad 1 stride 1
            {4, 9, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},      // 3x3 pad 1 stride 2, odd plane
            {5, 7, 7, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},     // 1x1 stride 1, odd plane
            {6, 8, 10, 5, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1},     // 1x1 stride 2
            {2, 11, 12, 3, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1},    // 5x5 no pad
            {3, 12, 12, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},    // dilation 2
            {2, 7, 9, 5, 3, 3, 1, 2, 0, 2, 1, 0, 1, 1},      // asymmetric pads
            {4, 1, 37, 6, 1, 3, 1, 1, 0, 1, 0, 1, 1, 1},     // 1-D, pad 1
            {3, 1, 40, 2, 1, 5, 1, 3, 0, 0, 0, 0, 1, 2},     // 1-D, stride 3, dilation 2
            {1, 5, 9, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},      // cin=1, cout=1, 5x9
            {1, 7, 7, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},      // cin=1
            {2, 6, 6, 3, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1},      // even kernel
            {3, 20, 20, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},   // wide rows (contiguous gathers)
            {8, 5, 5, 9, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},      // kernel as big as the image
            {16, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     // k = 144
    };

    private static final F32Epilogue[] EPILOGUES = {
            F32Epilogue.NONE,
            new F32Epilogue(F32Epilogue.ACT_CLAMP, 0f, Float.POSITIVE_INFINITY),
            new F32Epilogue(F32Epilogue.ACT_CLAMP, -0.5f, 0.75f),
            new F32Epilogue(F32Epilogue.ACT_HARDSWISH, 0f, 0f),
    };

    static ConvShape shape(int[] v) {
        int outH = (v[1] + v[8] + v[10] - (v[12] * (v[4] - 1) + 1)) / v[6] + 1;
        int outW = (v[2] + v[9] + v[11] - (v[13] * (v[5] - 1) + 1)) / v[7] + 1;
        return new ConvShape(v[0], v[1], v[2], v[3], outH, outW, v[4], v[5], v[6], v[7], v[8], v[9], v[12], v[13]);
    }

    private static MemorySegment random(Random rnd, long floats) {
        MemorySegment m = Arena.ofAuto().allocate(Math.max(4, floats * 4), 64);
        for (long i = 0; i < floats; i++) m.setAtIndex(F32, i, rnd.nextFloat() * 2 - 1);
        return m;
    }

    /** One problem with inputs at odd offsets; y is NaN-filled around and in the output so unwritten cells show. */
    private record Problem(ConvShape s, MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment res) {
        static final long X_OFF = 3, W_OFF = 1, B_OFF = 2, R_OFF = 5, Y_OFF = 7;

        static Problem of(Random rnd, ConvShape s, boolean bias, boolean residual) {
            return new Problem(s, random(rnd, X_OFF + (long) s.cin() * s.inPlane()),
                    random(rnd, W_OFF + (long) s.cout() * s.k()), bias ? random(rnd, B_OFF + s.cout()) : null,
                    residual ? random(rnd, R_OFF + (long) s.cout() * s.outPlane()) : null);
        }

        MemorySegment newY() {
            long n = Y_OFF + (long) s.cout() * s.outPlane() + 4;
            MemorySegment y = Arena.ofAuto().allocate(n * 4, 64);
            for (long i = 0; i < n; i++) y.setAtIndex(F32, i, Float.NaN);
            return y;
        }

        MemorySegment run(F32Conv conv, F32Epilogue epi, int[] cuts) {
            Object packed = conv.pack(w, W_OFF, s.cout(), s.k());
            MemorySegment y = newY();
            long scratchBytes = conv.scratchBytes(s);
            MemorySegment scratch = Arena.ofAuto().allocate(Math.max(1, scratchBytes), 64);
            for (int i = 0; i + 1 < cuts.length; i++) {
                conv.run(s, x, X_OFF, packed, bias, B_OFF, res, R_OFF, epi, y, Y_OFF, cuts[i], cuts[i + 1], scratch);
            }
            return y;
        }
    }

    private static void assertClose(MemorySegment ref, MemorySegment got, Problem p, String what) {
        long n = ref.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            float r = ref.getAtIndex(F32, i), g = got.getAtIndex(F32, i);
            long rel = i - Problem.Y_OFF;
            boolean inside = rel >= 0 && rel < (long) p.s().cout() * p.s().outPlane();
            if (!inside) {
                if (!Float.isNaN(g)) fail(what + ": wrote outside Y at " + i);
                continue;
            }
            double tol = 1e-5 * Math.max(1, p.s().k()) * Math.max(1.0, Math.abs(r));
            if (!(Math.abs(r - g) <= tol)) {
                fail(what + ": Y[c=" + rel / p.s().outPlane() + ", col=" + rel % p.s().outPlane() + "] = " + g + ", reference " + r);
            }
        }
    }

    @Test
    void registryHasScalarAndVectorKernels() {
        List<KernelInfo<F32Conv>> ks = kernels();
        assertTrue(ks.stream().anyMatch(k -> k.id().equals("f32-conv-scalar")));
        assertEquals("f32-conv-scalar", KernelRegistry.best(KernelRegistry.f32Conv(BackendConfig.javaOnly(0))).id());
        KernelInfo<F32Conv> v128 = KernelRegistry.best(KernelRegistry.f32Conv(BackendConfig.javaOnly(128)));
        assertEquals("f32-conv-panama128", v128.id());
        assertEquals(v128.id(), v128.create().id());
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void matchesReferenceOnEveryShapeAndEpilogue(KernelInfo<F32Conv> info) {
        F32Conv ref = new F32ConvReference();
        F32Conv conv = info.create();
        assertEquals(info.id(), conv.id());
        Random rnd = new Random(11);
        int variant = 0;
        for (int[] v : SHAPES) {
            ConvShape s = shape(v);
            for (int cout : new int[]{v[3], 1, 2, 5, 6, 12, 13}) {
                ConvShape sc = new ConvShape(s.cin(), s.inH(), s.inW(), cout, s.outH(), s.outW(), s.kh(), s.kw(),
                        s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.dilationH(), s.dilationW());
                variant++;
                boolean bias = (variant & 1) != 0, residual = (variant & 2) != 0;
                F32Epilogue epi = EPILOGUES[variant % EPILOGUES.length];
                Problem p = Problem.of(rnd, sc, bias, residual);
                int plane = sc.outPlane();
                String what = conv.id() + " " + sc + " bias=" + bias + " residual=" + residual + " epi=" + epi;
                MemorySegment want = p.run(ref, epi, new int[]{0, plane});
                MemorySegment whole = p.run(conv, epi, new int[]{0, plane});
                assertClose(want, whole, p, what);
                int a = plane / 3, b = Math.max(a, plane - plane / 4 - 1);
                for (int[] cuts : new int[][]{{0, plane / 2, plane}, {0, a, b, plane}, {0, 1, plane}, {0, 0, plane}}) {
                    MemorySegment split = p.run(conv, epi, cuts);
                    assertEquals(-1, whole.mismatch(split), what + ": split " + java.util.Arrays.toString(cuts) + " changed bits");
                }
            }
        }
    }

    /** Widths the registry does not offer on this CPU (e.g. 512 without AVX-512) still compute right answers. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {128, 256, 512})
    void everyVectorWidthExplicitly(int bits) {
        F32Conv ref = new F32ConvReference();
        F32Conv conv = new io.minnow.engine.kernels.f32.F32ConvVector(bits);
        assertEquals("f32-conv-panama" + bits, conv.id());
        Random rnd = new Random(bits);
        for (int[] v : SHAPES) {
            ConvShape s = shape(v);
            Problem p = Problem.of(rnd, s, true, true);
            int plane = s.outPlane();
            MemorySegment want = p.run(ref, EPILOGUES[2], new int[]{0, plane});
            assertClose(want, p.run(conv, EPILOGUES[2], new int[]{0, plane / 2, plane}), p, conv.id() + " " + s);
        }
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void everyEpilogueWithBiasAndResidual(KernelInfo<F32Conv> info) {
        F32Conv ref = new F32ConvReference();
        F32Conv conv = info.create();
        Random rnd = new Random(5);
        ConvShape s = shape(new int[]{3, 9, 11, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
        for (F32Epilogue epi : EPILOGUES) {
            for (int flags = 0; flags < 4; flags++) {
                Problem p = Problem.of(rnd, s, (flags & 1) != 0, (flags & 2) != 0);
                MemorySegment want = p.run(ref, epi, new int[]{0, s.outPlane()});
                MemorySegment got = p.run(conv, epi, new int[]{0, 17, 40, s.outPlane()});
                assertClose(want, got, p, conv.id() + " epi=" + epi + " flags=" + flags);
            }
        }
    }
}
