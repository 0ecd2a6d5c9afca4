package io.minnow.engine.kernels.q4;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.formats.TensorData;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Family q4-gemv in C (kernels-native/src/main/c/q4-gemv): one JNI call per gemv over {@link Q4GemvBlocks} packed
 * weights. Everything is checked here first ({@link Q4Gemv#check}, then the packed segment's size and every operand's
 * bounds through {@link NativeBounds}), because the C code trusts its arguments.
 *
 * <p>Variants: {@code q4-gemv-c} (portable) and {@code q4-gemv-avx2} (AVX2 + FMA: vpmaddubsw on nibbles unpacked in
 * registers), numbered as {@link NativeLibrary#Q4_GEMV_C} etc.
 */
public final class Q4GemvNative implements Q4Gemv {
    private final int variant;
    private final String id;

    private Q4GemvNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if it cannot run here. */
    public static Q4GemvNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("q4-gemv native variant " + variant + " cannot run here: " + NativeBounds.whyNot());
        }
        return new Q4GemvNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.Q4_GEMV_VARIANTS
                && NativeKernels.minnow_q4_gemv_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code q4-gemv-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.Q4_GEMV_C -> "q4-gemv-c";
            case NativeLibrary.Q4_GEMV_AVX2 -> "q4-gemv-avx2";
            default -> throw new IllegalArgumentException("no q4-gemv native variant " + variant);
        };
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Q4Packed pack(TensorData w) {
        return Q4GemvBlocks.pack(id, w);
    }

    @Override
    public void gemv(int m, Q4Packed w, int colBegin, int colEnd, MemorySegment a, long aOff, int lda, MemorySegment aScale,
                     long sOff, float[] bias, float lo, float hi, MemorySegment c, long cOff, int ldc) {
        Q4Gemv.check(id, m, w, colBegin, colEnd, a, aOff, lda, aScale, sOff, bias, lo, hi, c, cOff, ldc);
        Q4GemvBlocks.requireSize(w);
        if (m == 0 || colBegin == colEnd) return; // touches nothing
        int n = w.n(), k = w.k(), zp = w.hasZeroPoints() ? 1 : 0;
        long need = NativeKernels.minnow_q4_gemv_packed_bytes(n, k, w.groupSize(), zp);
        if (need != Q4GemvBlocks.bytes(n, k, w.groupSize(), w.hasZeroPoints())) {
            throw new IllegalStateException(id + ": the C and Java layouts disagree on the size (" + need + " bytes)"); // a build defect
        }
        NativeBounds.elements("packed q4 weight", w.data(), 0, need, 1);
        long aAddr = k == 0 ? 0 : NativeBounds.elements("A", a, aOff, (long) (m - 1) * lda + k, 1);
        long sAddr = NativeBounds.floats("activation scales", aScale, sOff, m);
        long cAddr = NativeBounds.matrix("C", c, cOff + colBegin, m, colEnd - colBegin, ldc);
        int rc = NativeKernels.minnow_q4_gemv(variant, m, n, k, w.groupSize(), zp, colBegin, colEnd, aAddr, lda, sAddr,
                w.data().address(), bias, lo, hi, cAddr, ldc);
        if (rc == -2) throw new OutOfMemoryError(id + ": no native scratch memory");
        if (rc != 0) throw new IllegalStateException(id + " refused a checked call"); // unreachable: checked above
        Reference.reachabilityFence(w); // the auto arena must not free the panels during the call
    }
}
