package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.MemorySegment;

/**
 * Family f32-dwconv in C (kernels-native, {@code src/main/c/f32-dwconv}): one JNI call per {@link #run} or
 * {@link #runNhwc}, on the raw addresses of the planes or of the image. The native code trusts its arguments,
 * so every shape field, offset and bound is checked here first: a call that would read or write outside a
 * segment throws {@link IllegalArgumentException}.
 *
 * <p>Variants: {@code f32-dwconv-avx512f}, {@code f32-dwconv-avx2} (3x3 stride 1 and 2 fast paths),
 * {@code f32-dwconv-c} (portable), numbered as {@link NativeLibrary#F32_DWCONV_C} etc. In NHWC the
 * avx512f variant runs the AVX2 kernel (see f32_dwconv.c).
 */
public final class F32DwConvNative implements F32DwConv {
    /** The native side refuses extents at or past this (its indices are 32-bit); checked here first. */
    private static final long LIMIT = 1L << 28;

    private final int variant;
    private final String id;

    private F32DwConvNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if this CPU cannot run it. */
    public static F32DwConvNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("f32-dwconv native variant " + variant + " (" + idOf(variant)
                    + ") cannot run here: " + NativeBounds.whyNot());
        }
        return new F32DwConvNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.F32_DWCONV_VARIANTS
                && NativeKernels.minnow_f32_dwconv_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code f32-dwconv-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.F32_DWCONV_C -> "f32-dwconv-c";
            case NativeLibrary.F32_DWCONV_AVX2 -> "f32-dwconv-avx2";
            case NativeLibrary.F32_DWCONV_AVX512F -> "f32-dwconv-avx512f";
            default -> throw new IllegalArgumentException("no f32-dwconv native variant " + variant);
        };
    }

    /** The variant number. */
    public int variant() {
        return variant;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                    long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        call(false, s, x, xOff, w, wOff, bias, biasOff, epi, y, yOff, c0, c1);
    }

    /** One native call for all planes (the kernel loads each input vector once for every plane). */
    @Override
    public void runSharedInput(ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                               long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        call(true, s, x, xOff, w, wOff, bias, biasOff, epi, y, yOff, c0, c1);
    }

    private void call(boolean sharedX, ConvShape s, MemorySegment x, long xOff, MemorySegment w, long wOff,
                      MemorySegment bias, long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int c0, int c1) {
        checkShape(s);
        if (epi.code() < F32Epilogue.ACT_NONE || epi.code() > F32Epilogue.ACT_HARDSWISH) {
            throw new IllegalArgumentException(id + ": activation code " + epi.code() + " is not a kernel epilogue");
        }
        if (c0 < 0 || c0 > c1) {
            throw new IllegalArgumentException(id + ": plane range [" + c0 + ", " + c1 + ") is not a range from 0");
        }
        if (c0 == c1 || s.outH() == 0 || s.outW() == 0) {
            return; // touches nothing
        }
        long planes = c1 - c0, taps = (long) s.kh() * s.kw();
        long xAddr = sharedX ? NativeBounds.floats("x", x, xOff, s.inPlane())
                : NativeBounds.floats("x", x, xOff + c0 * (long) s.inPlane(), planes * s.inPlane());
        long wAddr = NativeBounds.floats("w", w, wOff + c0 * taps, planes * taps);
        long bAddr = bias == null ? 0 : NativeBounds.floats("bias", bias, biasOff + c0, planes);
        long yAddr = NativeBounds.floats("y", y, yOff + c0 * (long) s.outPlane(), planes * s.outPlane());
        int rc = NativeKernels.minnow_f32_dwconv_variant(variant, s.inH(), s.inW(), s.outH(), s.outW(), s.kh(), s.kw(),
                s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.dilationH(), s.dilationW(), xAddr, sharedX ? 1 : 0,
                wAddr, bAddr, yAddr, (int) planes, epi.code(), epi.lo(), epi.hi());
        if (rc != 0) {
            throw new IllegalStateException(id + " refused a checked call for " + s); // unreachable: checked above
        }
    }

    /** {@link NativeBounds#floats}, its message naming this kernel and the NHWC array. */
    private long nhwcFloats(String name, MemorySegment seg, long off, long count) {
        try {
            return NativeBounds.floats(name, seg, off, count);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(id + " (NHWC): " + e.getMessage(), e);
        }
    }

    /** What minnow_f32_dwconv_variant accepts: one plane, sizes >= 1 (outputs >= 0), pads >= 0, extents < 2^28. */
    private void checkShape(ConvShape s) {
        if (s.cin() != 1 || s.cout() != 1) {
            throw new IllegalArgumentException(id + ": a depthwise shape describes one plane (cin = cout = 1): " + s);
        }
        if (s.inH() < 1 || s.inW() < 1 || s.outH() < 0 || s.outW() < 0 || s.kh() < 1 || s.kw() < 1
                || s.strideH() < 1 || s.strideW() < 1 || s.dilationH() < 1 || s.dilationW() < 1
                || s.padTop() < 0 || s.padLeft() < 0) {
            throw new IllegalArgumentException(id + ": shape has a size < 1 or a negative pad: " + s);
        }
        long reachH = (long) Math.max(0, s.outH() - 1) * s.strideH() + (long) (s.kh() - 1) * s.dilationH();
        long reachW = (long) (s.outW() + 16) * s.strideW() + (long) (s.kw() - 1) * s.dilationW();
        if (reachH >= LIMIT || reachW >= LIMIT || s.inH() >= LIMIT || s.inW() >= LIMIT || s.padTop() >= LIMIT
                || s.padLeft() >= LIMIT || (long) s.inH() * s.inW() >= LIMIT * 8
                || (long) s.outH() * s.outW() >= LIMIT * 8 || (long) s.kh() * s.kw() >= LIMIT) {
            throw new IllegalArgumentException(id + ": shape extents exceed 2^28: " + s);
        }
    }

    /**
     * One JNI call for rows [oy0, oy1) of an NHWC image (minnow_f32_dwconv_nhwc). Checks everything the C side
     * trusts: the shape as for {@link #run}, channels, the row range, the activation, and that x, w, bias and y
     * hold their whole arrays ([inH][inW][channels], [kh][kw][channels], [channels], [outH][outW][channels]).
     */
    @Override
    public void runNhwc(ConvShape s, int channels, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment bias,
                        long biasOff, F32Epilogue epi, MemorySegment y, long yOff, int oy0, int oy1) {
        checkShape(s);
        if (channels < 1) {
            throw new IllegalArgumentException(id + ": NHWC channel count " + channels + " is not positive");
        }
        if (epi.code() < F32Epilogue.ACT_NONE || epi.code() > F32Epilogue.ACT_HARDSWISH) {
            throw new IllegalArgumentException(id + ": activation code " + epi.code() + " is not a kernel epilogue");
        }
        if (oy0 < 0 || oy0 > oy1 || oy1 > s.outH()) {
            throw new IllegalArgumentException(id + ": row range [" + oy0 + ", " + oy1 + ") is not within the "
                    + s.outH() + " output rows");
        }
        if (oy0 == oy1 || s.outW() == 0) {
            return; // touches nothing
        }
        // Element counts in long; an overflow (impossible after checkShape, but cheap to rule out) is refused here.
        long xFloats, yFloats, wFloats;
        try {
            xFloats = Math.multiplyExact((long) s.inH() * s.inW(), (long) channels);
            yFloats = Math.multiplyExact((long) s.outH() * s.outW(), (long) channels);
            wFloats = Math.multiplyExact((long) s.kh() * s.kw(), (long) channels);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(id + ": NHWC extents of " + s + " x " + channels + " channels overflow");
        }
        long xAddr = nhwcFloats("x [inH][inW][channels]", x, xOff, xFloats);
        long wAddr = nhwcFloats("w [kh][kw][channels]", w, wOff, wFloats);
        long bAddr = bias == null ? 0 : nhwcFloats("bias [channels]", bias, biasOff, channels);
        long yAddr = nhwcFloats("y [outH][outW][channels]", y, yOff, yFloats);
        int rc = NativeKernels.minnow_f32_dwconv_nhwc(variant, channels, s.inH(), s.inW(), s.outH(), s.outW(), s.kh(),
                s.kw(), s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.dilationH(), s.dilationW(), xAddr, wAddr,
                bAddr, yAddr, oy0, oy1, epi.code(), epi.lo(), epi.hi());
        if (rc != 0) {
            throw new IllegalStateException(id + " refused a checked NHWC call for " + s + " x " + channels
                    + " channels"); // unreachable: checked above
        }
    }
}
