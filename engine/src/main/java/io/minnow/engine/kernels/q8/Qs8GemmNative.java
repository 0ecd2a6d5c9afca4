package io.minnow.engine.kernels.q8;

import io.minnow.engine.kernels.NativeBounds;
import io.minnow.kernels.nat.NativeKernels;
import io.minnow.kernels.nat.NativeLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;

/**
 * Family qs8-gemm in C (kernels-native, qs8-gemm/): one JNI call per GEMM on the raw addresses of the segments.
 * Every size, offset and bound is checked here first ({@link Qs8Gemm#check}, then {@link NativeBounds} for
 * off-heap-ness and alignment), because the C code trusts its arguments.
 *
 * <p>Variants: {@code qs8-gemm-avx512vnni} (vpdpbusd, 8x16 tile), {@code qs8-gemm-avx2} (exact vpmaddwd path,
 * 6x16), {@code qs8-gemm-c} (portable). {@link #pack} lays W out once in the variant's panels with its column
 * sums; {@link #gemm} packs per call and is meant for one-off products. Results are bitwise those of
 * {@link Qs8GemmReference}.
 */
public final class Qs8GemmNative implements Qs8Gemm {
    private final int variant;
    private final String id;

    private Qs8GemmNative(int variant) {
        this.variant = variant;
        this.id = idOf(variant);
    }

    /** The variant the library picks for this CPU (the widest it supports). */
    public static Qs8GemmNative best() {
        if (!NativeLibrary.available()) {
            throw new UnsupportedOperationException("native kernels unavailable: " + NativeLibrary.unavailableReason());
        }
        return new Qs8GemmNative(NativeKernels.minnow_qs8_gemm_default_variant());
    }

    /** A forced variant; throws {@link UnsupportedOperationException} if this CPU cannot run it. */
    public static Qs8GemmNative forVariant(int variant) {
        if (!supports(variant)) {
            throw new UnsupportedOperationException("qs8-gemm native variant " + variant + " (" + idOf(variant)
                    + ") cannot run here: " + NativeBounds.whyNot());
        }
        return new Qs8GemmNative(variant);
    }

    /** True if the library is loaded and this CPU can run the variant. */
    public static boolean supports(int variant) {
        return NativeLibrary.available() && variant >= 0 && variant < NativeLibrary.QS8_GEMM_VARIANTS
                && NativeKernels.minnow_qs8_gemm_variant_supported(variant) == 1;
    }

    /** Kernel id of a variant number, e.g. {@code qs8-gemm-avx2}. */
    public static String idOf(int variant) {
        return switch (variant) {
            case NativeLibrary.QS8_GEMM_C -> "qs8-gemm-c";
            case NativeLibrary.QS8_GEMM_AVX2 -> "qs8-gemm-avx2";
            case NativeLibrary.QS8_GEMM_AVX512VNNI -> "qs8-gemm-avx512vnni";
            default -> throw new IllegalArgumentException("no qs8-gemm native variant " + variant);
        };
    }

    /** ISA of this variant as the library names it: {@code avx512vnni}, {@code avx2}, {@code c}. */
    public String isa() {
        return NativeKernels.minnow_qs8_gemm_variant_isa(variant);
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
    public void gemm(int m, int n, int k, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                     MemorySegment w, long wOff, int ldw, Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.check(m, n, k, a, aOff, lda, aUnsigned, aZero, w, wOff, ldw, epi, c, cOff, ldc);
        if (m == 0 || n == 0) return; // touches nothing
        gemmPacked(m, pack(n, k, w, wOff, ldw), a, aOff, lda, aUnsigned, aZero, epi, c, cOff, ldc);
    }

    @Override
    public Qs8PackedW pack(int n, int k, MemorySegment w, long wOff, int ldw) {
        Qs8Gemm.checkPack(n, k, w, wOff, ldw);
        long bytes = NativeKernels.minnow_qs8_gemm_packed_bytes(variant, n, k);
        if (bytes < 0) throw new IllegalStateException(id + " refused pack sizes n=" + n + " k=" + k); // unreachable
        MemorySegment packed = Arena.ofAuto().allocate(Math.max(1L, bytes), 64);
        long wAddr = n == 0 || k == 0 ? 0 : NativeBounds.elements("W", w, wOff, (long) (n - 1) * ldw + k, 1);
        if (n > 0 && NativeKernels.minnow_qs8_gemm_pack(variant, n, k, wAddr, Math.max(ldw, 1), packed.address()) != 0) {
            throw new IllegalStateException(id + " refused a checked pack call"); // unreachable
        }
        Reference.reachabilityFence(w);
        long codes = bytes - (long) ((n + 15) / 16) * 16 * Integer.BYTES; // the sums follow the codes (qs8_gemm.h)
        return new Qs8PackedW(id, n, k, packed, packed.asSlice(codes, bytes - codes));
    }

    @Override
    public void gemmPacked(int m, Qs8PackedW w, MemorySegment a, long aOff, int lda, boolean aUnsigned, int aZero,
                           Qs8Epilogue epi, MemorySegment c, long cOff, int ldc) {
        Qs8Gemm.checkPacked(id, m, w, a, aOff, lda, aUnsigned, aZero, epi, c, cOff, ldc);
        int n = w.n(), k = w.k();
        if (m == 0 || n == 0) return; // touches nothing
        long aAddr = k == 0 ? 0 : NativeBounds.elements("A", a, aOff, (long) (m - 1) * lda + k, 1);
        long cAddr = NativeBounds.elements("C", c, cOff, (long) (m - 1) * ldc + n, epi.outBytes());
        int rc = switch (epi) {
            case Qs8Epilogue.Raw r -> NativeKernels.minnow_qs8_gemm_packed(variant, m, n, k, aAddr, Math.max(lda, 1),
                    aUnsigned ? 1 : 0, aZero, w.codes().address(), 0, null, 0, null, null, 0, 0, 0, 0, 0f, 0f, cAddr, ldc);
            case Qs8Epilogue.Requantize q -> NativeKernels.minnow_qs8_gemm_packed(variant, m, n, k, aAddr, Math.max(lda, 1),
                    aUnsigned ? 1 : 0, aZero, w.codes().address(), 1, q.scale(), q.scale().length, q.bias(), null,
                    q.bias() == null ? 0 : q.bias().length, q.zero(), q.qmin(), q.qmax(), 0f, 0f, cAddr, ldc);
            case Qs8Epilogue.Dequantize d -> NativeKernels.minnow_qs8_gemm_packed(variant, m, n, k, aAddr, Math.max(lda, 1),
                    aUnsigned ? 1 : 0, aZero, w.codes().address(), 2, d.scale(), d.scale().length, null, d.bias(),
                    d.bias() == null ? 0 : d.bias().length, 0, 0, 0, d.lo(), d.hi(), cAddr, ldc);
        };
        Reference.reachabilityFence(w); // the auto arena must not free the panels during the call
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(c);
        if (rc == -2) throw new OutOfMemoryError(id + ": no native scratch memory for packed A");
        if (rc != 0) throw new IllegalStateException(id + " refused a checked call (" + rc + ")"); // unreachable
    }
}
