/*
 * Minnow native kernels: the public C API bound by io.minnow.kernels.nat.NativeKernels.
 *
 * Everything here is compiled for baseline x86-64; functions that use AVX2 / AVX-512 / VNNI / AMX carry a
 * target attribute and are only called after minnow_cpu_features() says the CPU (and the OS) support them.
 * Pointers are raw addresses of off-heap memory; the Java side validates every shape, stride and bound
 * before calling, and these functions never touch memory outside the ranges those arguments describe.
 */
#ifndef MINNOW_KERNELS_H
#define MINNOW_KERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features (bit flags returned by minnow_cpu_features) ----------------------------------------- */

/** AVX2 and FMA3, with YMM state enabled by the OS. */
#define MINNOW_CPU_AVX2 0x1
/** AVX-512 F + BW + VL (+ DQ), with opmask/ZMM state enabled by the OS. */
#define MINNOW_CPU_AVX512 0x2
/** AVX-512 VNNI (implies MINNOW_CPU_AVX512). */
#define MINNOW_CPU_AVX512VNNI 0x4
/** AMX-TILE + AMX-INT8, tile state enabled by the OS and permission granted to this process. */
#define MINNOW_CPU_AMX_INT8 0x8
/** AVX-VNNI (the VEX-encoded 256-bit form; implies MINNOW_CPU_AVX2). */
#define MINNOW_CPU_AVXVNNI 0x10

/**
 * Detects the features above once (cpuid + xgetbv) and caches the answer. On a CPU with AMX it asks the
 * kernel, once per process, for permission to use the tile data state (arch_prctl ARCH_REQ_XCOMP_PERM)
 * and reports AMX only if that was granted.
 */
int minnow_cpu_features(void);

/* ---- f32-gemm ----------------------------------------------------------------------------------------- */

/** Variant numbers of minnow_f32_gemm_variant. */
#define MINNOW_F32_GEMM_C 0
#define MINNOW_F32_GEMM_AVX2 1
#define MINNOW_F32_GEMM_AVX512F 2
#define MINNOW_F32_GEMM_VARIANTS 3

/**
 * C[m x n] = A[m x k] * B[k x n] (+ C when accumulate != 0); row-major, leading dimensions in elements.
 * Uses the widest variant this CPU supports (chosen once). Nothing is read or written when m or n is 0;
 * when k is 0, C is zeroed (or left as is when accumulating).
 */
void minnow_f32_gemm(int m, int n, int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc,
                     int accumulate);

/** As minnow_f32_gemm with a forced variant; returns 0, or -1 (touching nothing) if this CPU lacks it. */
int minnow_f32_gemm_variant(int variant, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
                            float* c, int ldc, int accumulate);

/** 1 if this CPU can run the variant, else 0. */
int minnow_f32_gemm_variant_supported(int variant);

/** The variant minnow_f32_gemm uses on this CPU. */
int minnow_f32_gemm_default_variant(void);

/** ISA name of a variant ("c", "avx2", "avx512f"), or "unknown". */
const char* minnow_f32_gemm_variant_isa(int variant);

/** ISA name of the variant minnow_f32_gemm uses on this CPU. */
const char* minnow_f32_gemm_isa(void);

/* ---- f32-conv (2-D convolution of one NCHW image as a GEMM over packed weights) ---------------------- */

#define MINNOW_F32_CONV_C 0
#define MINNOW_F32_CONV_AVX2 1
#define MINNOW_F32_CONV_VARIANTS 2

/** 1 if this CPU can run the f32-conv variant, else 0. */
int minnow_f32_conv_variant_supported(int variant);

/** The widest f32-conv variant this CPU supports. */
int minnow_f32_conv_default_variant(void);

/** ISA name of an f32-conv variant ("c", "avx2"), or "unknown". */
const char* minnow_f32_conv_variant_isa(int variant);

/** Floats the packed weights of cout x k take for this variant, or -1 (bad variant or sizes). */
long long minnow_f32_conv_packed_floats(int variant, int cout, int k);

/** Packs weights w[cout][k] into wp (minnow_f32_conv_packed_floats floats); 0, or -1 touching nothing. */
int minnow_f32_conv_pack(int variant, int cout, int k, const float* w, float* wp);

/**
 * Columns [col0, col1) of Y[cout][out_h*out_w] = act(W * im2col(X) + bias + residual) for one image:
 * x is [cin][in_h][in_w], wp the packed weights, bias [cout] or NULL, residual [cout][out_h*out_w] or
 * NULL, act 0 none / 1 clamp [lo, hi] / 2 hardswish. Input reads are bounds-tested against the plane
 * (padding reads as 0). Returns 0; -1 for a bad argument (nothing touched); -2 when scratch memory could
 * not be allocated (Y partly written).
 */
int minnow_f32_conv2d(int variant, int cin, int in_h, int in_w, int cout, int out_h, int out_w, int kh, int kw,
                      int sh, int sw, int pt, int pl, int dh, int dw, const float* x, const float* wp,
                      const float* bias, const float* residual, int act, float lo, float hi, float* y, int col0,
                      int col1);

/* ---- f32-gemm on a prepacked B (constant weights; the packed layout belongs to one variant) ------------- */

/** Floats a prepacked B[k x n] takes for a variant (allocate them 64-byte aligned), or -1 for bad arguments. */
long long minnow_f32_gemm_pack_b_floats(int variant, int k, int n);

/**
 * Packs B[k x n] (row stride ld), or when transposed != 0 B^T stored [n x k] (row stride ld; ONNX Gemm
 * transB=1 weights), into `packed` (minnow_f32_gemm_pack_b_floats floats, 64-byte aligned) for a variant.
 * Returns 0, or -1 (touching nothing) for an unsupported variant or bad arguments.
 */
int minnow_f32_gemm_pack_b(int variant, int k, int n, const float* b, int ld, int transposed, float* packed);

/**
 * Columns [j0, j1) of C[m x n] = act(A[m x k] * B + bias) with B packed by the same variant. `c` and `bias`
 * point at column j0 (bias: j1 - j0 floats, or NULL); row i of the window starts at c + i * ldc. act: 0 none,
 * 1 clamp [lo, hi], 2 hardswish (common/epilogue.h). Every split of the columns gives the same bits.
 * Returns 0, or -1 (touching nothing) for an unsupported variant, bad arguments, or no scratch memory.
 */
int minnow_f32_gemm_packed_b(int variant, int m, int n, int k, int j0, int j1, const float* a, int lda,
                             const float* packed, const float* bias, int act, float lo, float hi, float* c, int ldc);

/* ---- probes (machine peaks, for reading benchmark results as % of what the core can do) --------------- */

/** ISA numbers of minnow_probe_fma. */
#define MINNOW_PROBE_AVX2 1
#define MINNOW_PROBE_AVX512 2

/** Float lanes of the probe's vectors for this ISA (8, 16), or 0 when this CPU lacks it. */
int minnow_probe_fma_lanes(int isa);

/** Flops that minnow_probe_fma(isa, iters, ...) performs (an FMA counts 2); 0 when the ISA is missing. */
long long minnow_probe_fma_flops(int isa, long long iters);

/**
 * Runs 12 (AVX2) or 16 (AVX-512) independent FMA chains (c = c * x + y) for iters iterations on one thread; the caller times it.
 * Returns a value derived from the chains (so no work is dead), or -1 when the ISA is missing or iters <= 0.
 */
float minnow_probe_fma(int isa, long long iters, float x, float y);

/** Sums n floats at p with several independent vector accumulators: a read-bandwidth probe the caller times. */
float minnow_probe_read(const float* p, long long n);

/* ---- f32-dwconv --------------------------------------------------------------------------------------- */

/** Variant numbers of minnow_f32_dwconv_variant. */
#define MINNOW_F32_DWCONV_C 0
#define MINNOW_F32_DWCONV_AVX2 1
#define MINNOW_F32_DWCONV_AVX512F 2
#define MINNOW_F32_DWCONV_VARIANTS 3

/**
 * Depthwise 2-D convolution (NCHW, channel multiplier 1) over planes [0, channels): plane c of y[out_h x
 * out_w] at y + c*out_h*out_w = act(sum over taps (ky, kx) of w[c][ky][kx] * x[c][iy][ix] + bias[c]) with
 * iy = oy*stride_h - pad_top + ky*dil_h, ix likewise, taps outside the input being zero padding. x plane c at
 * x + c*in_h*in_w, or, if shared_x is 1, every plane reads the one plane at x (a conv with one input
 * channel computes all its output channels in one call); weights [channels][kh][kw], bias NULL or
 * [channels]. act: common/epilogue.h codes (lo, hi for clamp). Returns 0, or -1 (touching nothing) if the
 * CPU lacks the variant or the shape is not sane (a size < 1, a pad < 0, an extent past 2^28, act unknown,
 * shared_x not 0 or 1). Reads and writes nothing outside those planes.
 */
int minnow_f32_dwconv_variant(int variant, int in_h, int in_w, int out_h, int out_w, int kh, int kw, int stride_h,
                              int stride_w, int pad_top, int pad_left, int dil_h, int dil_w, const float* x,
                              int shared_x, const float* w, const float* bias, float* y, int channels, int act,
                              float lo, float hi);

/** 1 if this CPU can run the f32-dwconv variant, else 0. */
int minnow_f32_dwconv_variant_supported(int variant);

/** The widest f32-dwconv variant this CPU supports. */
int minnow_f32_dwconv_default_variant(void);

/** ISA name of an f32-dwconv variant ("c", "avx2", "avx512f"), or "unknown". */
const char* minnow_f32_dwconv_variant_isa(int variant);

/* ---- qs8-conv ---- */

/**
 * Quantizes c float32 planes of hw values (NCHW) to 8-bit codes in NHWC order: q[p * c + ch] = clamp(rint(x / scale)
 * + zero, qmin, qmax) (half to even; NaN -> zero). qmin/qmax: 0/255 (uint8) or -128/127 (int8, stored as bytes).
 * Returns 0, or -1 (nothing touched) if the arguments are not sane. Bounds are the caller's to check.
 */
int minnow_qs8_quantize_nhwc(const float* x, int c, int hw, float scale, int zero, int qmin, int qmax, uint8_t* q);

/**
 * Gathers the 8-bit patches of output positions [p0, p0 + rows) of one image of a 2-D conv from NHWC codes (q: the
 * image, c channels per pixel; the group's channels are [c0, c0 + cg)) into rows of a (lda bytes apart; lda >=
 * kh*kw*cg), columns in (ky, kx, ic) order, padding with zero. Returns 0, or -1 (nothing touched) if the shape is
 * not sane. Bounds are the caller's to check.
 */
int minnow_qs8_im2col_nhwc(const uint8_t* q, int c, int c0, int cg, int h, int w, int kh, int kw, int sh, int sw,
                           int ph, int pw, int dh, int dw, int oh, int ow, int p0, int rows, uint8_t zero, uint8_t* a,
                           int lda);

/**
 * qs8-conv "pairs" layout (qs8-conv/qs8_conv_pairs.c): quantizes c float32 NCHW planes of h x w into ceil(c / 2) planes
 * of `plane` int32 (plane >= hp * wp, a multiple of 16), each int32 the int16 pair (code - zero) of channels 2i (low)
 * and 2i+1 (high; 0 past c), the image at row pt, column pl of an hp x wp frame of zeros. Codes as
 * minnow_qs8_quantize_nhwc. Needs AVX2. Returns 0, or -1 (nothing touched) if the arguments are not sane or the CPU
 * lacks AVX2. Bounds are the caller's to check.
 */
int minnow_qs8_conv_quantize_pairs(const float* x, int c, int h, int w, int pt, int pl, int hp, int wp, int plane,
                                   float scale, int zero, int qmin, int qmax, int32_t* q);

/**
 * qs8-conv-4x16-avx2: output pixels [p0, p0 + rows) of all m channels of one group of a 2-D int8 conv, from the pair
 * planes q (cp of them; padded coordinates, so output (oy, ox) tap (ky, kx) reads (oy*sh + ky*dh, ox*sw + kx*dw)) and
 * the weights wpk (ceil(m / 4) blocks of [cp*kh*kw][4] int32 pairs, kk = (pair, ky, kx)), written as float32 to
 * y[j * ystride + p]: max(lo, min(hi, acc * (xscale * wscale[j]) + bias[j])) [+ res[j * ystride + p]]
 * [then min(max(v, plo), phi) when post]. bias and res may be NULL. scratch: cp*kh*kw * round16(rows) int32, unused
 * (may be NULL) for an unpadded stride-1 1x1 conv, which then needs p0 % 16 == 0. Needs AVX2. Returns 0, or -1
 * (nothing touched) if the shape is not sane. Bounds are the caller's to check.
 */
int minnow_qs8_conv_pairs(const int32_t* q, int cp, int hp, int wp, int plane, int kh, int kw, int sh, int sw, int dh,
                          int dw, int oh, int ow, int p0, int rows, const int32_t* wpk, int m, const float* wscale,
                          float xscale, const float* bias, float lo, float hi, const float* res, int post, float plo,
                          float phi, float* y, int ystride, int32_t* scratch);

/* ---- q4-gemm (float32 A x 4-bit grouped weights W[n x k] packed by the Java side, see q4-gemm/q4_gemm.h) ---- */

#define MINNOW_Q4_GEMM_C 0
#define MINNOW_Q4_GEMM_AVX2 1
#define MINNOW_Q4_GEMM_VARIANTS 2

/** 1 if this CPU can run the q4-gemm variant, else 0. */
int minnow_q4_gemm_variant_supported(int variant);

/** The widest q4-gemm variant this CPU supports. */
int minnow_q4_gemm_default_variant(void);

/** ISA name of a q4-gemm variant ("c", "avx2"), or "unknown". */
const char* minnow_q4_gemm_variant_isa(int variant);

/** Bytes of a packed q4 weight (8-row panels), or -1 for bad arguments (G not 32/64/128, zero_points not 0/1). */
long long minnow_q4_gemm_packed_bytes(int n, int k, int group_size, int zero_points);

/**
 * Columns [j0, j1) of C[m x n] = clamp(A[m x k] * W^T + bias, lo, hi), W packed (minnow_q4_gemm_packed_bytes
 * bytes). `c` and `bias` point at column j0 (bias: j1 - j0 floats, or NULL); row i of the window starts at
 * c + i * ldc. j0 is a multiple of 8. Reads a[i * lda + p] for i < m, p < k, and whole panels of `packed`.
 * Returns 0; -1 for a bad argument (nothing touched); -2 when scratch memory could not be allocated.
 */
int minnow_q4_gemm(int variant, int m, int n, int k, int group_size, int zero_points, int j0, int j1, const float* a,
                   int lda, const unsigned char* packed, const float* bias, float lo, float hi, float* c, int ldc);
/* ---- q4-gemv (int8 activations x 4-bit grouped weights W[n x k] packed by the Java side, see q4-gemv/q4_gemv.h) ---- */

#define MINNOW_Q4_GEMV_C 0
#define MINNOW_Q4_GEMV_AVX2 1
#define MINNOW_Q4_GEMV_VARIANTS 2

/** 1 if this CPU can run the q4-gemv variant, else 0. */
int minnow_q4_gemv_variant_supported(int variant);

/** The widest q4-gemv variant this CPU supports. */
int minnow_q4_gemv_default_variant(void);

/** ISA name of a q4-gemv variant ("c", "avx2"), or "unknown". */
const char* minnow_q4_gemv_variant_isa(int variant);

/** Bytes of a packed q4-gemv weight (4-row panels), or -1 for bad arguments (G not 32/64/128, zero_points not 0/1). */
long long minnow_q4_gemv_packed_bytes(int n, int k, int group_size, int zero_points);

/**
 * Columns [j0, j1) of C[m x n] = clamp(a_scale[i] * (A[m x k] * W^T) + bias, lo, hi), A int8 codes (row stride lda),
 * W packed (minnow_q4_gemv_packed_bytes bytes). `c` points at column j0 (row i of the window at c + i * ldc);
 * bias is NULL or all n floats (indexed by column); a_scale has m floats. j0 is a multiple of 4. Reads
 * a[i * lda + p] for i < m, p < k, and whole panels of `packed`. Returns 0; -1 for a bad argument (nothing
 * touched); -2 when scratch memory could not be allocated.
 */
int minnow_q4_gemv(int variant, int m, int n, int k, int group_size, int zero_points, int j0, int j1,
                   const signed char* a, int lda, const float* a_scale, const unsigned char* packed,
                   const float* bias, float lo, float hi, float* c, int ldc);
/* ---- qs8-gemm (uint8/int8 activations x int8 weights, int32 accumulators, on W packed once) ------------ */

/** Variant numbers of the qs8-gemm functions. */
#define MINNOW_QS8_GEMM_C 0
#define MINNOW_QS8_GEMM_AVX2 1
#define MINNOW_QS8_GEMM_AVX512VNNI 2
#define MINNOW_QS8_GEMM_VARIANTS 3

/** Epilogues of minnow_qs8_gemm_packed (the Java Qs8Epilogue records). */
#define MINNOW_QS8_EPI_RAW 0
#define MINNOW_QS8_EPI_REQUANTIZE 1
#define MINNOW_QS8_EPI_DEQUANTIZE 2

/** 1 if this CPU can run the qs8-gemm variant, else 0. */
int minnow_qs8_gemm_variant_supported(int variant);

/** The widest qs8-gemm variant this CPU supports. */
int minnow_qs8_gemm_default_variant(void);

/** ISA name of a qs8-gemm variant ("c", "avx2", "avx512vnni"), or "unknown". */
const char* minnow_qs8_gemm_variant_isa(int variant);

/** Bytes the packed form of W[n x k] takes for a variant (allocate them 64-byte aligned), or -1. */
long long minnow_qs8_gemm_packed_bytes(int variant, int n, int k);

/**
 * Packs int8 W[n x k] (row stride ldw; row j = output column j) for a variant into `packed`
 * (minnow_qs8_gemm_packed_bytes bytes, 64-byte aligned): panels plus int32 column sums (qs8-gemm/qs8_gemm.h).
 * Returns 0, or -1 (touching nothing) for bad arguments. Packing works for every variant number on any CPU.
 */
int minnow_qs8_gemm_pack(int variant, int n, int k, const signed char* w, int ldw, signed char* packed);

/**
 * C[m x n] = epilogue(acc), acc[i][j] = sum_p (A[i][p] - a_zero) * W[j][p] in int32 (wrapping), W packed by
 * the same variant. A is uint8 (a_unsigned != 0) or int8 with row stride lda. epi: RAW stores int32;
 * REQUANTIZE stores clamp(rint((float) (acc + ibias[j]) * scale[j]) + zero, qmin, qmax) as one byte;
 * DEQUANTIZE stores clamp((float) acc * scale[j] + fbias[j], lo, hi) as float32. scale has scale_count
 * (1 or n) entries, the bias (or NULL) bias_count. Bitwise equal to Qs8GemmReference. Thread-safe: no shared
 * scratch. Returns 0; -1 (touching nothing) for an unsupported variant or bad arguments; -2 when scratch
 * memory could not be allocated.
 */
int minnow_qs8_gemm_packed(int variant, int m, int n, int k, const unsigned char* a, int lda, int a_unsigned,
                           int a_zero, const signed char* packed, int epi, const float* scale, int scale_count,
                           const int* ibias, const float* fbias, int bias_count, int zero, int qmin, int qmax,
                           float lo, float hi, void* c, int ldc);

#ifdef __cplusplus
}
#endif

#endif
