package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Family f32-pwconv in C (kernels-native, {@code src/main/c/f32-pwconv}): one JNI call per {@link #run}, on the
 * raw addresses of x, the packed weights, bias, residual and y. The native code trusts its arguments, so every
 * size, leading dimension, offset and bound is checked here first: a call that would read or write outside a
 * segment, or whose extents the C side (32-bit sizes) refuses, throws {@link IllegalArgumentException} naming
 * this kernel and the problem, and nothing native runs.
 *
 * <p>Variants: {@code f32-pwconv-avx512f} (runs the AVX2 code, see f32_pwconv.c), {@code f32-pwconv-avx2}
 * (6x16 / 4x24 / 8x8 register tiles, masked channel tail), {@code f32-pwconv-c} (portable), numbered as
 * {@link NativeLibrary#F32_PWCONV_C} etc. All three share one packed layout, but packed weights are only
 * accepted by the kernel that packed them.
 */
public final class F32PwConvNative implements F32PwConv {
    /** Weights packed by one variant: ceil(n / 8) panels of [k][8] floats. */
    record Packed(MemorySegment data, int variant, int k, int n) {}

    private final int variant;
    private final String id;

    private F32PwConvNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if this CPU cannot run it. */
    public static F32PwConvNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("f32-pwconv native variant " + variant + " (" + idOf(variant)
                    + ") cannot run here: " + NativeBounds.whyNot());
        }
        return new F32PwConvNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.F32_PWCONV_VARIANTS
                && NativeKernels.minnow_f32_pwconv_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code f32-pwconv-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.F32_PWCONV_C -> "f32-pwconv-c";
            case NativeLibrary.F32_PWCONV_AVX2 -> "f32-pwconv-avx2";
            case NativeLibrary.F32_PWCONV_AVX512F -> "f32-pwconv-avx512f";
            default -> throw new IllegalArgumentException("no f32-pwconv native variant " + variant);
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
    public Object pack(MemorySegment w, long off, int k, int n) {
        if (k < 1 || n < 1) {
            throw new IllegalArgumentException(id + " pack: k=" + k + " n=" + n + " must be >= 1");
        }
        long floats = NativeKernels.minnow_f32_pwconv_packed_floats(variant, k, n);
        if (floats <= 0) {
            throw new IllegalArgumentException(id + " pack: k=" + k + " n=" + n + " packs past 2^31 floats");
        }
        long wAddr = bounded("w [n][k]", w, off, (long) n * k);
        MemorySegment packed = Arena.ofAuto().allocate(floats * Float.BYTES, 64);
        if (NativeKernels.minnow_f32_pwconv_pack(variant, k, n, wAddr, packed.address()) != 0) {
            throw new IllegalStateException(id + " refused a checked pack"); // unreachable: checked above
        }
        return new Packed(packed, variant, k, n);
    }

    /**
     * One JNI call (minnow_f32_pwconv). Checks everything the C side trusts: sizes (m = 0 touches nothing),
     * leading dimensions, the activation, that the weights were packed by this kernel for k x n, that each
     * array's extent ((rows - 1) * ld + width) stays within 2^31 - 1 floats, and that x, bias, residual and y
     * hold every element the kernel touches.
     */
    @Override
    public void run(int m, int n, int k, MemorySegment x, long xOff, int ldx, Object packed, MemorySegment bias,
                    long biasOff, MemorySegment residual, long rOff, int ldr, F32Epilogue epi, MemorySegment y, long yOff,
                    int ldy) {
        if (m < 0 || n < 1 || k < 1) {
            throw new IllegalArgumentException(id + ": sizes m=" + m + " n=" + n + " k=" + k
                    + " (need m >= 0, n >= 1, k >= 1)");
        }
        if (!(packed instanceof Packed pw) || pw.variant != variant) {
            throw new IllegalArgumentException(id + ": weights were not packed by this kernel");
        }
        if (pw.k != k || pw.n != n) {
            throw new IllegalArgumentException(id + ": weights were packed for k=" + pw.k + " n=" + pw.n
                    + " but the call has k=" + k + " n=" + n);
        }
        if (ldx < k || ldy < n || (residual != null && ldr < n)) {
            throw new IllegalArgumentException(id + ": leading dimensions ldx=" + ldx + " ldy=" + ldy
                    + (residual != null ? " ldr=" + ldr : "") + " are below the widths k=" + k + " n=" + n);
        }
        if (epi.code() < F32Epilogue.ACT_NONE || epi.code() > F32Epilogue.ACT_HARDSWISH) {
            throw new IllegalArgumentException(id + ": activation code " + epi.code() + " is not a kernel epilogue");
        }
        if (m == 0) {
            return; // touches nothing
        }
        long xFloats = extent("x", m, k, ldx), yFloats = extent("y", m, n, ldy);
        long rFloats = residual == null ? 0 : extent("residual", m, n, ldr);
        long xAddr = bounded("x", x, xOff, xFloats);
        long yAddr = bounded("y", y, yOff, yFloats);
        long rAddr = residual == null ? 0 : bounded("residual", residual, rOff, rFloats);
        long bAddr = bias == null ? 0 : bounded("bias", bias, biasOff, n);
        long wAddr = bounded("packed weights", pw.data, 0, NativeKernels.minnow_f32_pwconv_packed_floats(variant, k, n));
        int rc = NativeKernels.minnow_f32_pwconv(variant, m, n, k, xAddr, ldx, wAddr, bAddr, rAddr,
                residual == null ? 0 : ldr, epi.code(), epi.lo(), epi.hi(), yAddr, ldy);
        if (rc != 0) {
            throw new IllegalStateException(id + " refused a checked call m=" + m + " n=" + n + " k=" + k); // unreachable
        }
    }

    /** Floats a rows x cols matrix (rows >= 1, ld apart) spans; refused past 2^31 - 1 (the C side's limit). */
    private long extent(String name, int rows, int cols, int ld) {
        long extent = (long) (rows - 1) * ld + cols; // < 2^62: no overflow in long
        if (extent > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(id + ": " + name + " spans " + extent + " floats (" + rows + " rows, ld "
                    + ld + "), past the kernel's limit of 2^31 - 1");
        }
        return extent;
    }

    /** {@link NativeBounds#floats}, its message naming this kernel. */
    private long bounded(String name, MemorySegment s, long off, long count) {
        if (s == null) {
            throw new IllegalArgumentException(id + ": " + name + " segment is null");
        }
        try {
            return NativeBounds.floats(name, s, off, count);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(id + ": " + e.getMessage(), e);
        }
    }
}
