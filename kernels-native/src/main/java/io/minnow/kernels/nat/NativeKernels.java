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
// f32_dwconv_nhwc.h: the NHWC depthwise entry point, kept beside its family until it joins minnow_kernels.h
// f32_pwconv.h: family f32-pwconv (pointwise NHWC conv), its public entry points
@Platform(value = "linux-x86_64", include = {"minnow_kernels.h", "f32-dwconv/f32_dwconv_nhwc.h", "f32-pwconv/f32_pwconv.h"})
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

    // ---- f32-conv (see minnow_kernels.h) ----

    public static native int minnow_f32_conv_variant_supported(int variant);

    public static native int minnow_f32_conv_default_variant();

    public static native @Cast("const char*") String minnow_f32_conv_variant_isa(int variant);

    public static native long minnow_f32_conv_packed_floats(int variant, int cout, int k);

    public static native int minnow_f32_conv_pack(int variant, int cout, int k, @Cast("const float*") long w,
                                                  @Cast("float*") long wp);

    public static native int minnow_f32_conv2d(int variant, int cin, int inH, int inW, int cout, int outH, int outW,
                                               int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw,
                                               @Cast("const float*") long x, @Cast("const float*") long wp,
                                               @Cast("const float*") long bias, @Cast("const float*") long residual,
                                               int act, float lo, float hi, @Cast("float*") long y, int col0, int col1);

    // ---- f32-gemm on a prepacked B (constant weights); callers validate every bound first ----

    /** Floats a prepacked B[k x n] takes for the variant, or -1 for bad arguments. */
    public static native long minnow_f32_gemm_pack_b_floats(int variant, int k, int n);

    /** Packs B[k x n] (or, transposed != 0, Bᵀ stored [n x k]) for the variant; 0, or -1 (nothing touched). */
    public static native int minnow_f32_gemm_pack_b(int variant, int k, int n, @Cast("const float*") long b, int ld,
                                                    int transposed, @Cast("float*") long packed);

    /** Columns [j0, j1) of C = act(A·B + bias), B prepacked; c and bias point at column j0. 0, or -1. */
    public static native int minnow_f32_gemm_packed_b(int variant, int m, int n, int k, int j0, int j1,
                                                      @Cast("const float*") long a, int lda,
                                                      @Cast("const float*") long packed,
                                                      @Cast("const float*") long bias, int act, float lo, float hi,
                                                      @Cast("float*") long c, int ldc);

    // ---- probes: FMA peak and read bandwidth, timed by the caller ----

    /** Float lanes of the probe for {@link NativeLibrary#PROBE_AVX2} / {@link NativeLibrary#PROBE_AVX512}, 0 if missing. */
    public static native int minnow_probe_fma_lanes(int isa);

    /** Flops {@link #minnow_probe_fma} performs for these arguments. */
    public static native long minnow_probe_fma_flops(int isa, long iters);

    /** Independent FMA chains for iters iterations; returns a value derived from them (-1 if the ISA is missing). */
    public static native float minnow_probe_fma(int isa, long iters, float x, float y);

    /** Sums n floats at p with independent vector accumulators (a read-bandwidth probe). */
    public static native float minnow_probe_read(@Cast("const float*") long p, long n);

    // ---- f32-dwconv ----

    /**
     * Depthwise conv over planes [0, channels) of x, w, bias (0 = none), y (pointers at plane 0); sharedX 1:
     * every plane reads the one input plane at x. Returns 0, or -1 (nothing touched) if the CPU lacks the
     * variant or the shape is not sane. Nothing else is checked.
     */
    public static native int minnow_f32_dwconv_variant(int variant, int inH, int inW, int outH, int outW, int kh,
                                                       int kw, int strideH, int strideW, int padTop, int padLeft,
                                                       int dilH, int dilW, @Cast("const float*") long x,
                                                       int sharedX, @Cast("const float*") long w, @Cast("const float*") long bias,
                                                       @Cast("float*") long y, int channels, int act, float lo,
                                                       float hi);

    /**
     * Depthwise conv of one NHWC image: x [inH][inW][channels], w [kh][kw][channels], bias [channels] (0 = none),
     * y [outH][outW][channels]; writes output rows [oy0, oy1) only. Returns 0, or -1 (nothing touched) if the CPU
     * lacks the variant, the shape is not sane, channels &lt; 1, the rows are not 0 &lt;= oy0 &lt;= oy1 &lt;= outH or
     * act is unknown. Nothing else is checked: the caller validates every bound first.
     */
    public static native int minnow_f32_dwconv_nhwc(int variant, int channels, int inH, int inW, int outH, int outW,
                                                    int kh, int kw, int sh, int sw, int pt, int pl, int dh, int dw,
                                                    @Cast("const float*") long x, @Cast("const float*") long w,
                                                    @Cast("const float*") long bias, @Cast("float*") long y, int oy0,
                                                    int oy1, int act, float lo, float hi);

    /** 1 if this CPU can run the f32-dwconv variant, else 0. */
    public static native int minnow_f32_dwconv_variant_supported(int variant);

    /** The widest f32-dwconv variant this CPU supports. */
    public static native int minnow_f32_dwconv_default_variant();

    /** ISA name of an f32-dwconv variant: {@code c}, {@code avx2}, {@code avx512f}. */
    public static native @Cast("const char*") String minnow_f32_dwconv_variant_isa(int variant);

    // ---- qs8-conv ----

    /**
     * Quantizes c float32 NCHW planes of hw values into NHWC 8-bit codes (see minnow_kernels.h); returns 0, or -1 if the
     * arguments are not sane. Bounds are NOT checked: the caller validates x and q against their segments first.
     */
    public static native int minnow_qs8_quantize_nhwc(@Cast("const float*") long x, int c, int hw, float scale, int zero,
                                                      int qmin, int qmax, @Cast("uint8_t*") long q);

    /**
     * The 8-bit patch gather of a 2-D int8 conv from NHWC codes, columns (ky, kx, ic) (see minnow_kernels.h); returns 0,
     * or -1 (nothing touched) if the shape is not sane. Bounds are NOT checked: the caller validates q and a first.
     */
    public static native int minnow_qs8_im2col_nhwc(@Cast("const uint8_t*") long q, int c, int c0, int cg, int h, int w,
                                                    int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int oh,
                                                    int ow, int p0, int rows, @Cast("uint8_t") byte zero,
                                                    @Cast("uint8_t*") long a, int lda);

    /**
     * Quantizes c float32 NCHW planes into the qs8-conv pair planes (see minnow_kernels.h); returns 0, or -1 if the
     * arguments are not sane or the CPU lacks AVX2. Bounds are NOT checked: the caller validates x and q first.
     */
    public static native int minnow_qs8_conv_quantize_pairs(@Cast("const float*") long x, int c, int h, int w, int pt, int pl,
                                                            int hp, int wp, int plane, float scale, int zero, int qmin,
                                                            int qmax, @Cast("int32_t*") long q);

    /**
     * qs8-conv-4x16-avx2: one pixel tile of one group of a 2-D int8 conv from pair planes, float32 NCHW out (see
     * minnow_kernels.h); returns 0, or -1 (nothing touched). Bounds are NOT checked: the caller validates every operand.
     */
    public static native int minnow_qs8_conv_pairs(@Cast("const int32_t*") long q, int cp, int hp, int wp, int plane, int kh,
                                                   int kw, int sh, int sw, int dh, int dw, int oh, int ow, int p0, int rows,
                                                   @Cast("const int32_t*") long wpk, int m, @Cast("const float*") long wscale,
                                                   float xscale, @Cast("const float*") long bias, float lo, float hi,
                                                   @Cast("const float*") long res, int post, float plo, float phi,
                                                   @Cast("float*") long y, int ystride, @Cast("int32_t*") long scratch);

    // ---- q4-gemm (weights packed by io.minnow.engine.kernels.q4.Q4Panels; callers validate every bound first) ----

    /** 1 if this CPU can run the q4-gemm variant, else 0. */
    public static native int minnow_q4_gemm_variant_supported(int variant);

    /** The widest q4-gemm variant this CPU supports. */
    public static native int minnow_q4_gemm_default_variant();

    /** ISA name of a q4-gemm variant: {@code c}, {@code avx2}. */
    public static native @Cast("const char*") String minnow_q4_gemm_variant_isa(int variant);

    /** Bytes of a packed q4 weight, or -1 for bad arguments. */
    public static native long minnow_q4_gemm_packed_bytes(int n, int k, int groupSize, int zeroPoints);

    /** Columns [j0, j1) of C = clamp(A·Wᵀ + bias, lo, hi); c and bias point at column j0. 0, -1 (bad argument), -2 (no scratch). */
    public static native int minnow_q4_gemm(int variant, int m, int n, int k, int groupSize, int zeroPoints, int j0, int j1,
                                            @Cast("const float*") long a, int lda, @Cast("const unsigned char*") long packed,
                                            @Cast("const float*") long bias, float lo, float hi, @Cast("float*") long c, int ldc);
    // ---- q4-gemv (int8 activations; weights packed by io.minnow.engine.kernels.q4.Q4GemvBlocks; callers validate every bound first) ----

    /** 1 if this CPU can run the q4-gemv variant, else 0. */
    public static native int minnow_q4_gemv_variant_supported(int variant);

    /** The widest q4-gemv variant this CPU supports. */
    public static native int minnow_q4_gemv_default_variant();

    /** ISA name of a q4-gemv variant: {@code c}, {@code avx2}. */
    public static native @Cast("const char*") String minnow_q4_gemv_variant_isa(int variant);

    /** Bytes of a packed q4-gemv weight, or -1 for bad arguments. */
    public static native long minnow_q4_gemv_packed_bytes(int n, int k, int groupSize, int zeroPoints);

    /**
     * Columns [j0, j1) of C = clamp(aScale[i] * (A·Wᵀ) + bias, lo, hi), A int8; c points at column j0, bias (null or
     * n floats) is indexed by column. 0, -1 (bad argument), -2 (no scratch).
     */
    public static native int minnow_q4_gemv(int variant, int m, int n, int k, int groupSize, int zeroPoints, int j0, int j1,
                                            @Cast("const signed char*") long a, int lda, @Cast("const float*") long aScale,
                                            @Cast("const unsigned char*") long packed, @Cast("const float*") float[] bias,
                                            float lo, float hi, @Cast("float*") long c, int ldc);

    // ---- qs8-gemm (int8 weights packed once; callers validate every bound first) ----

    /** 1 if this CPU can run the qs8-gemm variant, else 0. */
    public static native int minnow_qs8_gemm_variant_supported(int variant);

    /** The widest qs8-gemm variant this CPU supports. */
    public static native int minnow_qs8_gemm_default_variant();

    /** ISA name of a qs8-gemm variant: {@code c}, {@code avx2}, {@code avx512vnni}. */
    public static native @Cast("const char*") String minnow_qs8_gemm_variant_isa(int variant);

    /** Bytes of the packed W[n x k] for the variant (allocate 64-byte aligned), or -1. */
    public static native long minnow_qs8_gemm_packed_bytes(int variant, int n, int k);

    /** Packs int8 W[n x k] (row stride ldw) for the variant; 0, or -1 (nothing touched). */
    public static native int minnow_qs8_gemm_pack(int variant, int n, int k, @Cast("const signed char*") long w, int ldw,
                                                  @Cast("signed char*") long packed);

    /**
     * C = epilogue(A·Wᵀ - zero-point terms) on a W packed by the same variant; epi 0 raw, 1 requantize, 2
     * dequantize (minnow_kernels.h). scale / ibias / fbias may be null where unused. 0, -1 (nothing touched)
     * or -2 (no scratch memory).
     */
    public static native int minnow_qs8_gemm_packed(int variant, int m, int n, int k, @Cast("const unsigned char*") long a,
                                                    int lda, int aUnsigned, int aZero,
                                                    @Cast("const signed char*") long packed, int epi,
                                                    @Cast("const float*") float[] scale, int scaleCount,
                                                    @Cast("const int*") int[] ibias, @Cast("const float*") float[] fbias,
                                                    int biasCount, int zero, int qmin, int qmax, float lo, float hi,
                                                    @Cast("void*") long c, int ldc);

    // ---- f32-pwconv (pointwise NHWC conv, f32-pwconv/f32_pwconv.h; callers validate every bound first) ----

    /** 1 if this CPU can run the f32-pwconv variant, else 0. */
    public static native int minnow_f32_pwconv_variant_supported(int variant);

    /** The widest f32-pwconv variant this CPU supports. */
    public static native int minnow_f32_pwconv_default_variant();

    /** ISA name of an f32-pwconv variant: {@code c}, {@code avx2}, {@code avx512f}. */
    public static native @Cast("const char*") String minnow_f32_pwconv_variant_isa(int variant);

    /** Floats of the packed weights (k input, n output channels): ceil(n / 8) panels of [k][8]; or -1. */
    public static native long minnow_f32_pwconv_packed_floats(int variant, int k, int n);

    /** Packs W [n][k] (1x1 conv weights) into wp; 0, or -1 (nothing touched). */
    public static native int minnow_f32_pwconv_pack(int variant, int k, int n, @Cast("const float*") long w,
                                                    @Cast("float*") long wp);

    /**
     * y[p*ldy + j] = act(Σ_c x[p*ldx + c]·W[j][c] + bias[j] + residual[p*ldr + j]) for pixels p &lt; m, channels
     * j &lt; n; bias and residual 0 = none. Returns 0, or -1 (nothing touched) for an unsupported variant or bad
     * sizes (f32_pwconv.h). Nothing else is checked: the caller validates every bound first.
     */
    public static native int minnow_f32_pwconv(int variant, int m, int n, int k, @Cast("const float*") long x, int ldx,
                                               @Cast("const float*") long wp, @Cast("const float*") long bias,
                                               @Cast("const float*") long residual, int ldr, int act, float lo,
                                               float hi, @Cast("float*") long y, int ldy);
}
