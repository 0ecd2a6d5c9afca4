/*
 * Internals of family f32-gemm. Every variant is one config: a register-tile micro-kernel working on packed
 * A and packed B, an m = 1 kernel for each of the two B layouts, an epilogue, and cache-block sizes. One
 * blocked driver (f32_gemm_blocked.c) runs any config and does all the packing, tails and bookkeeping, so a
 * variant is kernels + numbers, and tuning touches one file.
 *
 * Loop nest (BLIS order):  jc (nc columns of B) > pc (kc deep, B block packed) > ic (mc rows, A block packed)
 *                          > jr (NR-wide packed panel, stays in L1) > ir (MR rows) > micro-kernel over kc.
 * Packed B: for each kc block in order, ceil(n / NR) panels of kc rows x NR floats, zero-padded past the
 * last real column. A whole prepacked B (constant weights) is that for all of k: k * ceil(n / NR) * NR
 * floats, block q starting at float pc_q * ceil(n / NR) * NR.
 * Packed A: ceil(mc / MR) panels of kc columns x MR floats (k-major: the MR values of one k adjacent),
 * zero-padded past the last real row.
 * Micro-kernels always compute a full MR x NR tile; the driver sends partial tiles through a small buffer,
 * so no kernel needs masks and none can touch memory outside the matrices.
 *
 * Summation order (what makes results independent of how a caller splits the work): every C element is
 * sum over kc blocks in order of (fma chain over the block's k in order, starting from 0), added to C after
 * each block (the first block overwrites C unless accumulating). The m = 1 kernels keep exactly this order,
 * so a row gives the same bits whether it is computed alone or inside a tile.
 */
#ifndef MINNOW_F32_GEMM_H
#define MINNOW_F32_GEMM_H

#include <stddef.h>

/* C[MR x NR] (row stride ldc) = (load_c ? C : 0) + Ap[kc x MR]^T * Bp[kc x NR]; ap, bp 64-byte aligned. */
typedef void (*minnow_f32_gemm_ukernel_fn)(size_t kc, const float* ap, const float* bp, float* c, size_t ldc,
                                           int load_c);

/*
 * m = 1 on packed B: c[0 .. panels*NR) = (load_c ? c : 0) + a[0 .. kc) * panels of Bp, 1 <= panels <= 4,
 * panel q at bp + q * kc * NR. c is the driver's 64-byte aligned buffer.
 */
typedef void (*minnow_f32_gemm_ukernel_row_fn)(size_t kc, const float* a, const float* bp, size_t panels, float* c,
                                               int load_c);

/* m = 1 on unpacked B, n <= MINNOW_F32_GEMV_STRIP: c[0 .. n) = (load_c ? c : 0) + a[0 .. kc) * B[kc x n] (row stride ldb). */
typedef void (*minnow_f32_gemm_gemv_fn)(size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                                        int load_c);

/* The unpacked m = 1 kernels take at most this many columns per call (their sums stay in L1). */
#define MINNOW_F32_GEMV_STRIP 1024

/* The AVX2 unpacked m = 1 kernel, shared by the AVX-512 config (it is layout-free and memory-bound). */
void minnow_f32_gemv_avx2(size_t n, size_t kc, const float* a, const float* b, size_t ldb, float* c, int load_c);

/* Fused epilogue on `rows` rows of NR columns: c = act(c + bias) (bias NR floats, or NULL). */
typedef void (*minnow_f32_gemm_epilogue_fn)(size_t rows, float* c, size_t ldc, const float* bias, int act,
                                            float lo, float hi);

/* Scalar form of the epilogue over rows x cols (common/epilogue.h's minnow_act_scalar), for any config. */
void minnow_f32_gemm_epilogue_scalar(size_t rows, size_t cols, float* c, size_t ldc, const float* bias, int act,
                                     float lo, float hi);

struct minnow_f32_gemm_config {
    const char* isa;
    size_t mr, nr;     /* register tile; mr <= 16, nr <= 32 (the driver's edge buffer) */
    size_t kc, mc, nc; /* cache blocks; mc a multiple of mr, nc a multiple of nr */
    minnow_f32_gemm_ukernel_fn ukernel;
    minnow_f32_gemm_ukernel_row_fn ukernel_row;
    minnow_f32_gemm_gemv_fn gemv;
    minnow_f32_gemm_epilogue_fn epilogue;
};

extern const struct minnow_f32_gemm_config minnow_f32_gemm_c_config;
extern const struct minnow_f32_gemm_config minnow_f32_gemm_avx2_config;
extern const struct minnow_f32_gemm_config minnow_f32_gemm_avx512f_config;

/* Runs a config over a whole GEMM (arguments as minnow_f32_gemm, already checked non-negative). */
void minnow_f32_gemm_blocked(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k,
                             const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc,
                             int accumulate);

/* Floats of a whole prepacked B[k x n] for a config. */
size_t minnow_f32_gemm_packed_size(const struct minnow_f32_gemm_config* cfg, size_t k, size_t n);

/* Packs all of B[k x n] (or, when transposed, B^T stored [n x k]) with row stride ld into bp. */
void minnow_f32_gemm_pack_all(const struct minnow_f32_gemm_config* cfg, size_t k, size_t n, const float* b,
                              size_t ld, int transposed, float* bp);

/*
 * Columns [j0, j1) of C[m x n] = act(A * B + bias) with B prepacked (k x n). c and bias point at column j0
 * (bias may be NULL); only those columns of those m rows are written. Returns 0, or -1 (nothing written)
 * when scratch memory for packed A cannot be allocated.
 */
int minnow_f32_gemm_blocked_packed(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k,
                                   size_t j0, size_t j1, const float* a, size_t lda, const float* bp,
                                   const float* bias, int act, float lo, float hi, float* c, size_t ldc);

/* Plain loops, no scratch memory: the fallback when scratch cannot be allocated. */
void minnow_f32_gemm_unpacked(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b,
                              size_t ldb, float* c, size_t ldc, int accumulate);

#endif
