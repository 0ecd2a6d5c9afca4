package io.minnow.engine.kernels.f32;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Family f32-gemm in C (kernels-native): one JNI call per whole GEMM, on the raw addresses of the
 * segments. Every shape, stride, offset and bound is checked here first, because the native code trusts
 * its arguments: a call that would read or write outside a segment throws {@link IllegalArgumentException}.
 *
 * <p>Variants: {@code f32-gemm-avx512f} (8x32 tile), {@code f32-gemm-avx2} (6x16), {@code f32-gemm-c}
 * (portable C), numbered as {@link NativeLibrary#F32_GEMM_C} etc. Constant weights: {@link #packB} lays B
 * out in the variant's panels once; {@link #gemmPackedB} runs on them with bias and activation fused.
 */
public final class F32GemmNative implements F32Gemm {
    private final int variant;
    private final String id;

    private F32GemmNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** The variant the library picks for this CPU (the widest it supports). */
    public static F32GemmNative best() {
        requireLibrary();
        return new F32GemmNative(NativeKernels.minnow_f32_gemm_default_variant());
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if this CPU cannot run it. */
    public static F32GemmNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("f32-gemm native variant " + variant + " ("
                    + idOf(variant) + ") cannot run here: " + NativeBounds.whyNot());
        }
        return new F32GemmNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.F32_GEMM_VARIANTS
                && NativeKernels.minnow_f32_gemm_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code f32-gemm-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.F32_GEMM_C -> "f32-gemm-c";
            case NativeLibrary.F32_GEMM_AVX2 -> "f32-gemm-avx2";
            case NativeLibrary.F32_GEMM_AVX512F -> "f32-gemm-avx512f";
            default -> throw new IllegalArgumentException("no f32-gemm native variant " + variant);
        };
    }

    /** ISA of this variant as the library names it: {@code avx512f}, {@code avx2}, {@code c}. */
    public String isa() {
        return NativeKernels.minnow_f32_gemm_variant_isa(variant);
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
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     MemorySegment c, long cOff, int ldc, boolean accumulate) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative gemm shape m=" + m + " n=" + n + " k=" + k);
        }
        if (lda < k || ldb < n || ldc < n) {
            throw new IllegalArgumentException("leading dimensions too small: lda=" + lda + " (k=" + k + ") ldb="
                    + ldb + " (n=" + n + ") ldc=" + ldc + " (n=" + n + ")");
        }
        if (m == 0 || n == 0) {
            return; // touches nothing
        }
        long aAddr = k == 0 ? 0 : NativeBounds.matrix("A", a, aOff, m, k, lda);
        long bAddr = k == 0 ? 0 : NativeBounds.matrix("B", b, bOff, k, n, ldb);
        long cAddr = NativeBounds.matrix("C", c, cOff, m, n, ldc);
        if (NativeKernels.minnow_f32_gemm_variant(variant, m, n, k, aAddr, lda, bAddr, ldb, cAddr, ldc,
                accumulate ? 1 : 0) != 0) {
            throw new IllegalStateException(id + " refused a checked call"); // unreachable: checked above
        }
    }

    /**
     * B packed once into this variant's panel layout (see f32_gemm.h); only this variant may read it. The
     * segment is freed by the GC when the last reference goes (Arena.ofAuto).
     */
    record PackedB(MemorySegment data, int k, int n, int variant) {}

    @Override
    public Object packB(MemorySegment b, long off, int ld, int k, int n, boolean transposed) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("negative packB shape k=" + k + " n=" + n);
        }
        int rows = transposed ? n : k, cols = transposed ? k : n;
        if (ld < cols) {
            throw new IllegalArgumentException("packB leading dimension " + ld + " < " + cols
                    + (transposed ? " (k, transposed source)" : " (n)"));
        }
        long floats = NativeKernels.minnow_f32_gemm_pack_b_floats(variant, k, n);
        if (floats < 0) {
            throw new IllegalStateException(id + " refused packB sizes k=" + k + " n=" + n); // unreachable
        }
        MemorySegment packed = Arena.ofAuto().allocate(Math.max(1L, floats) * Float.BYTES, 64);
        if (floats > 0) {
            long bAddr = NativeBounds.matrix("B", b, off, rows, cols, ld);
            if (NativeKernels.minnow_f32_gemm_pack_b(variant, k, n, bAddr, ld, transposed ? 1 : 0,
                    packed.address()) != 0) {
                throw new IllegalStateException(id + " refused a checked packB call"); // unreachable
            }
        }
        return new PackedB(packed, k, n, variant);
    }

    @Override
    public void gemmPackedB(int m, int j0, int j1, MemorySegment a, long aOff, int lda, Object packedB,
                            MemorySegment bias, long biasOff, F32Epilogue epi, MemorySegment c, long cOff, int ldc) {
        if (!(packedB instanceof PackedB pb) || pb.variant() != variant) {
            throw new IllegalArgumentException(id + " cannot read a B packed by "
                    + (packedB instanceof PackedB pb ? idOf(pb.variant()) : String.valueOf(packedB)));
        }
        int k = pb.k(), n = pb.n();
        if (m < 0 || j0 < 0 || j1 < j0 || j1 > n) {
            throw new IllegalArgumentException("bad packed gemm range m=" + m + " columns [" + j0 + ", " + j1
                    + ") of n=" + n);
        }
        if (lda < k || ldc < j1 - j0) {
            throw new IllegalArgumentException("leading dimensions too small: lda=" + lda + " (k=" + k + ") ldc="
                    + ldc + " (columns " + (j1 - j0) + ")");
        }
        int act = epi == null ? -1 : epi.code();
        if (act < F32Epilogue.ACT_NONE || act > F32Epilogue.ACT_HARDSWISH) {
            throw new IllegalArgumentException("epilogue " + epi + " is not one the kernel applies");
        }
        if (m == 0 || j1 == j0) {
            return; // touches nothing
        }
        long aAddr = k == 0 ? 0 : NativeBounds.matrix("A", a, aOff, m, k, lda);
        long biasAddr = bias == null ? 0 : NativeBounds.matrix("bias", bias, biasOff + j0, 1, j1 - j0, j1 - j0);
        long cAddr = NativeBounds.matrix("C", c, cOff + j0, m, j1 - j0, ldc);
        if (NativeKernels.minnow_f32_gemm_packed_b(variant, m, n, k, j0, j1, aAddr, lda, pb.data().address(),
                biasAddr, act, epi.lo(), epi.hi(), cAddr, ldc) != 0) {
            throw new OutOfMemoryError(id + ": no native scratch memory for packed A");
        }
        Reference.reachabilityFence(pb); // the auto arena must not free the panels during the call
    }

    /**
     * Address of element {@code off} of a rows x cols float matrix with leading dimension ld, after checking
     * that the segment is native, float-aligned, and holds every float the kernel touches:
     * [off, off + (rows-1)*ld + cols). Rows and cols are at least 1 here.
     */
    private static void requireLibrary() {
        if (!NativeLibrary.available()) {
            throw new UnsupportedOperationException("native kernels unavailable: " + NativeLibrary.unavailableReason());
        }
    }
}
