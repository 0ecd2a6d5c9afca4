/*
 * Internals of family f32-gemm. Every variant is one config: a register-tile micro-kernel, the packer that
 * lays out B for it, and cache-block sizes. One blocked driver (f32_gemm_blocked.c) runs any config, so a
 * variant is a micro-kernel + packer + numbers, and tuning touches one file.
 *
 * Loop nest (BLIS order):  jc (nc columns of B) > pc (kc deep, B block packed) > ic (mc rows of A)
 *                          > jr (nr-wide packed panel) > ir (mr rows) > micro-kernel over kc.
 * Packed B: ceil(nc / nr) panels, each kc rows of nr floats, zero-padded past the last real column, so a
 * micro-kernel always computes nr columns and masks only its loads/stores of C.
 */
#ifndef MINNOW_F32_GEMM_H
#define MINNOW_F32_GEMM_H

#include <stddef.h>

/*
 * C[mr x nr] (+)= A[mr x kc] * Bp[kc x NR]; 1 <= mr <= MR, 1 <= nr <= NR. A is unpacked (row stride lda),
 * Bp one packed panel (64-byte aligned), C row stride ldc. load_c: add to C instead of overwriting it.
 */
typedef void (*minnow_f32_gemm_ukernel_fn)(size_t mr, size_t nr, size_t kc, const float* a, size_t lda,
                                           const float* bp, float* c, size_t ldc, int load_c);

/* Packs B[kc x nc] (row stride ldb) into ceil(nc / NR) zero-padded panels at bp. */
typedef void (*minnow_f32_gemm_packb_fn)(size_t kc, size_t nc, const float* b, size_t ldb, float* bp);

struct minnow_f32_gemm_config {
    const char* isa;
    size_t mr, nr;     /* register tile */
    size_t kc, mc, nc; /* cache blocks; mc a multiple of mr, nc a multiple of nr */
    minnow_f32_gemm_ukernel_fn ukernel;
    minnow_f32_gemm_packb_fn pack_b;
};

extern const struct minnow_f32_gemm_config minnow_f32_gemm_c_config;
extern const struct minnow_f32_gemm_config minnow_f32_gemm_avx2_config;
extern const struct minnow_f32_gemm_config minnow_f32_gemm_avx512f_config;

/* Runs a config over a whole GEMM (arguments as minnow_f32_gemm, already checked non-negative). */
void minnow_f32_gemm_blocked(const struct minnow_f32_gemm_config* cfg, size_t m, size_t n, size_t k,
                             const float* a, size_t lda, const float* b, size_t ldb, float* c, size_t ldc,
                             int accumulate);

/* Plain loops, no scratch memory: the fallback when scratch cannot be allocated. */
void minnow_f32_gemm_unpacked(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b,
                              size_t ldb, float* c, size_t ldc, int accumulate);

#endif
