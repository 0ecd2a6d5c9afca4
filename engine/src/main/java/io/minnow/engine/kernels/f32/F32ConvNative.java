package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Family f32-conv in C (kernels-native, f32-conv/): weights packed once into MR-row panels, im2col gathered
 * block by block into per-thread native scratch, bias / residual / activation fused into the store.
 * Every size, offset and segment bound is checked here before the JNI call, because the C code trusts its
 * arguments (it does bounds-test every input read against the plane, so padding is never a risk).
 *
 * <p>Variants: {@code f32-conv-avx2} (6x16 tile), {@code f32-conv-c} (portable, 4x8).
 */
public final class F32ConvNative implements F32Conv {
    private final int variant;
    private final String id;

    /** Packed weights of one group, valid only for the variant that packed them. */
    record Packed(MemorySegment data, int variant, int cout, int k) {}

    private F32ConvNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.F32_CONV_VARIANTS
                && NativeKernels.minnow_f32_conv_variant_supported(variant) == 1;
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if this CPU or build cannot run it. */
    public static F32ConvNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("f32-conv native variant " + variant + " cannot run here: "
                    + NativeBounds.whyNot());
        }
        return new F32ConvNative(variant);
    }

    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.F32_CONV_C -> "f32-conv-c";
            case NativeLibrary.F32_CONV_AVX2 -> "f32-conv-avx2";
            default -> throw new IllegalArgumentException("no f32-conv native variant " + variant);
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Object pack(MemorySegment w, long wOff, int cout, int k) {
        if (cout <= 0 || k <= 0) throw new IllegalArgumentException("f32-conv pack: cout=" + cout + " k=" + k + " must be > 0");
        long floats = NativeKernels.minnow_f32_conv_packed_floats(variant, cout, k);
        if (floats <= 0) throw new IllegalArgumentException(id + " refused to pack cout=" + cout + " k=" + k);
        MemorySegment packed = Arena.ofAuto().allocate(floats * Float.BYTES, 64);
        long wAddr = NativeBounds.floats("W", w, wOff, (long) cout * k);
        if (NativeKernels.minnow_f32_conv_pack(variant, cout, k, wAddr, packed.address()) != 0) {
            throw new IllegalStateException(id + " refused a checked pack"); // unreachable: checked above
        }
        return new Packed(packed, variant, cout, k);
    }

    @Override
    public void run(ConvShape s, MemorySegment x, long xOff, Object packedW, MemorySegment bias, long biasOff,
                    MemorySegment residual, long residualOff, F32Epilogue epi, MemorySegment y, long yOff,
                    int colBegin, int colEnd, MemorySegment scratch) {
        if (!(packedW instanceof Packed pw) || pw.variant != variant) {
            throw new IllegalArgumentException(id + ": weights were not packed by this kernel");
        }
        checkShape(s);
        if ((long) s.strideH() * s.strideW() > 64) {
            throw new IllegalArgumentException(id + ": stride " + s.strideH() + "x" + s.strideW() + " is beyond the kernel's 64 phases");
        }
        if (pw.cout != s.cout() || pw.k != s.k()) {
            throw new IllegalArgumentException(id + ": packed weights are " + pw.cout + "x" + pw.k + " but the conv needs "
                    + s.cout() + "x" + s.k());
        }
        long outPlane = (long) s.outH() * s.outW();
        if (colBegin < 0 || colEnd < colBegin || colEnd > outPlane) {
            throw new IllegalArgumentException(id + ": columns [" + colBegin + ", " + colEnd + ") outside [0, " + outPlane + ")");
        }
        if (colEnd == colBegin) return;
        if (epi.code() < F32Epilogue.ACT_NONE || epi.code() > F32Epilogue.ACT_HARDSWISH) {
            throw new IllegalArgumentException(id + ": unknown activation code " + epi.code());
        }
        long xAddr = NativeBounds.floats("X", x, xOff, (long) s.cin() * s.inH() * s.inW());
        long yAddr = NativeBounds.floats("Y", y, yOff, s.cout() * outPlane);
        long bAddr = bias == null ? 0 : NativeBounds.floats("bias", bias, biasOff, s.cout());
        long rAddr = residual == null ? 0 : NativeBounds.floats("residual", residual, residualOff, s.cout() * outPlane);
        int rc = NativeKernels.minnow_f32_conv2d(variant, s.cin(), s.inH(), s.inW(), s.cout(), s.outH(), s.outW(),
                s.kh(), s.kw(), s.strideH(), s.strideW(), s.padTop(), s.padLeft(), s.dilationH(), s.dilationW(),
                xAddr, pw.data.address(), bAddr, rAddr, epi.code(), epi.lo(), epi.hi(), yAddr, colBegin, colEnd);
        if (rc == -2) throw new OutOfMemoryError(id + ": native scratch for the im2col block could not be allocated");
        if (rc != 0) throw new IllegalStateException(id + " refused a checked call: " + s); // unreachable: checked above
    }

    /** Stride products up to 64 (the phase table's size) and 32-bit-sized problems. */
    @Override
    public boolean supports(ConvShape s) {
        try {
            checkShape(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
        // the phase buffer holds about stride_h * stride_w input planes: keep its int32 offsets far from overflow
        long phaseFloats = (long) s.cin() * (s.outH() + (long) (s.kh() - 1) * s.dilationH() / s.strideH() + 1)
                * (s.outW() + (long) (s.kw() - 1) * s.dilationW() / s.strideW()) * s.strideH() * s.strideW();
        return (long) s.strideH() * s.strideW() <= 64 && phaseFloats < (1L << 30);
    }

    @Override
    public long scratchBytes(ConvShape s) {
        return 0; // per-thread native scratch
    }

    static void checkShape(ConvShape s) {
        if (s.cin() <= 0 || s.inH() <= 0 || s.inW() <= 0 || s.cout() <= 0 || s.outH() <= 0 || s.outW() <= 0
                || s.kh() <= 0 || s.kw() <= 0 || s.strideH() <= 0 || s.strideW() <= 0 || s.padTop() < 0
                || s.padLeft() < 0 || s.dilationH() <= 0 || s.dilationW() <= 0) {
            throw new IllegalArgumentException("invalid conv shape " + s);
        }
        long k = (long) s.cin() * s.kh() * s.kw();
        long planeIn = (long) s.inH() * s.inW(), planeOut = (long) s.outH() * s.outW();
        if (k > Integer.MAX_VALUE || planeIn * s.cin() > Integer.MAX_VALUE || planeOut * s.cout() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv too large for 32-bit kernel indices: " + s);
        }
    }

    /** Address of float {@code off} after checking the native segment holds [off, off + count) floats. */
}
