package io.minnow.engine.kernels.q4;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.formats.TensorData;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Family q4-gemm in C (kernels-native/src/main/c/q4-gemm): one JNI call per gemm over {@link Q4Panels} packed
 * weights. Everything is checked here first ({@link Q4Gemm#check}, then the packed segment's size and every
 * operand's bounds through {@link NativeBounds}), because the C code trusts its arguments.
 *
 * <p>Variants: {@code q4-gemm-c} (portable) and {@code q4-gemm-avx2} (AVX2 + FMA), numbered as
 * {@link NativeLibrary#Q4_GEMM_C} etc.
 */
public final class Q4GemmNative implements Q4Gemm {
    private final int variant;
    private final String id;

    private Q4GemmNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if it cannot run here. */
    public static Q4GemmNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("q4-gemm native variant " + variant + " cannot run here: " + NativeBounds.whyNot());
        }
        return new Q4GemmNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.Q4_GEMM_VARIANTS
                && NativeKernels.minnow_q4_gemm_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code q4-gemm-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.Q4_GEMM_C -> "q4-gemm-c";
            case NativeLibrary.Q4_GEMM_AVX2 -> "q4-gemm-avx2";
            default -> throw new IllegalArgumentException("no q4-gemm native variant " + variant);
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4Panels.pack(id, w);
    }

    @Override
    public void gemm(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, float[] bias,
                     float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemm.check(id, m, w, colBegin, colEnd, a, aOff, lda, bias, lo, hi, c, cOff, ldc);
        Q4Panels.requireSize(w);
        if (m == 0 || colBegin == colEnd) return; // touches nothing
        int n = w.n(), k = w.k(), zp = w.hasZeroPoints() ? 1 : 0;
        long need = NativeKernels.minnow_q4_gemm_packed_bytes(n, k, w.groupSize(), zp);
        if (need < 0) throw new IllegalArgumentException(id + ": group size " + w.groupSize() + " is not one q4 defines");
        NativeBounds.elements("packed q4 weight", w.data(), 0, need, 1);
        long aAddr = k == 0 ? 0 : NativeBounds.matrix("A", a, aOff, m, k, lda);
        long cAddr = NativeBounds.matrix("C", c, cOff + colBegin, m, colEnd - colBegin, ldc);
        try (Arena arena = Arena.ofConfined()) {
            long biasAddr = 0;
            if (bias != null) {
                MemorySegment b = arena.allocate((long) (colEnd - colBegin) * Float.BYTES, 64);
                MemorySegment.copy(bias, colBegin, b, io.minnow.engine.api.Tensor.F32, 0, colEnd - colBegin);
                biasAddr = b.address();
            }
            int rc = NativeKernels.minnow_q4_gemm(variant, m, n, k, w.groupSize(), zp, colBegin, colEnd, aAddr, lda,
                    w.data().address(), biasAddr, lo, hi, cAddr, ldc);
            if (rc == -2) throw new OutOfMemoryError(id + ": no native scratch memory");
            if (rc != 0) throw new IllegalStateException(id + " refused a checked call"); // unreachable: checked above
        }
        Reference.reachabilityFence(w); // the auto arena must not free the panels during the call
    }
}
