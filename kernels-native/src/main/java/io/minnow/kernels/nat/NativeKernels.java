package io.minnow.kernels.nat;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JNI binding of {@code src/main/c/minnow_kernels.h}, generated and compiled by the javacpp Maven plugin
 * into {@code io/minnow/kernels/nat/linux-x86_64/libjniNativeKernels.so} inside this module's jar.
 *
 * <p>Use {@link NativeLibrary} rather than this class: it loads the library once, records why it could not,
 * and honours {@code -Dminnow.native=false}. Pointers are raw addresses of off-heap memory passed as
 * {@code long}; the caller must have validated every bound, since nothing is checked on this side of JNI
 * beyond what the C functions document. One call costs about 20 ns, so call per whole kernel invocation.
 */
@Platform(value = "linux-x86_64", include = "minnow_kernels.h")
public final class NativeKernels {
    static {
        Loader.load();
    }

    private NativeKernels() {}

    /** Bit flags {@link NativeLibrary#CPU_AVX2} etc., detected once. */
    public static native int minnow_cpu_features();

    /** C = A·B (+C), widest variant this CPU supports. */
    public static native void minnow_f32_gemm(int m, int n, int k,
                                              @Cast("const float*") long a, int lda,
                                              @Cast("const float*") long b, int ldb,
                                              @Cast("float*") long c, int ldc, int accumulate);

    /** As {@link #minnow_f32_gemm} with a forced variant; returns 0, or -1 if the CPU lacks it (nothing touched). */
    public static native int minnow_f32_gemm_variant(int variant, int m, int n, int k,
                                                     @Cast("const float*") long a, int lda,
                                                     @Cast("const float*") long b, int ldb,
                                                     @Cast("float*") long c, int ldc, int accumulate);

    /** 1 if this CPU can run the f32-gemm variant, else 0. */
    public static native int minnow_f32_gemm_variant_supported(int variant);

    /** The f32-gemm variant used by {@link #minnow_f32_gemm} on this CPU. */
    public static native int minnow_f32_gemm_default_variant();

    /** ISA name of an f32-gemm variant: {@code c}, {@code avx2}, {@code avx512f}. */
    public static native @Cast("const char*") String minnow_f32_gemm_variant_isa(int variant);

    /** ISA name of the default f32-gemm variant. */
    public static native @Cast("const char*") String minnow_f32_gemm_isa();

    // ---- f32-dwconv ----

    /**
     * Depthwise conv over planes [0, channels) of x, w, bias (0 = none), y (pointers at plane 0); returns 0,
     * or -1 (nothing touched) if the CPU lacks the variant or the shape is not sane. Nothing else is checked.
     */
    public static native int minnow_f32_dwconv_variant(int variant, int inH, int inW, int outH, int outW, int kh,
                                                       int kw, int strideH, int strideW, int padTop, int padLeft,
                                                       int dilH, int dilW, @Cast("const float*") long x,
                                                       @Cast("const float*") long w, @Cast("const float*") long bias,
                                                       @Cast("float*") long y, int channels, int act, float lo,
                                                       float hi);

    /** 1 if this CPU can run the f32-dwconv variant, else 0. */
    public static native int minnow_f32_dwconv_variant_supported(int variant);

    /** The widest f32-dwconv variant this CPU supports. */
    public static native int minnow_f32_dwconv_default_variant();

    /** ISA name of an f32-dwconv variant: {@code c}, {@code avx2}, {@code avx512f}. */
    public static native @Cast("const char*") String minnow_f32_dwconv_variant_isa(int variant);
}
