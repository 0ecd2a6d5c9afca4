/*
 * f32-gemm-4x8-c: the portable variant, plain C for baseline x86-64 (the compiler vectorizes it with
 * SSE2). It runs the same blocked driver as the SIMD variants, so it also exercises the driver on any CPU.
 */
#include <string.h>

#include "f32-gemm/f32_gemm.h"

#define MR 4
#define NR 8

static void pack_b_c(size_t kc, size_t nc, const float* b, size_t ldb, float* bp) {
    for (size_t j0 = 0; j0 < nc; j0 += NR) {
        const size_t w = nc - j0 < NR ? nc - j0 : NR;
        for (size_t p = 0; p < kc; p++) {
            const float* src = b + p * ldb + j0;
            size_t j = 0;
            for (; j < w; j++) {
                bp[j] = src[j];
            }
            for (; j < NR; j++) {
                bp[j] = 0.0f;
            }
            bp += NR;
        }
    }
}

static void ukernel_4x8_c(size_t mr, size_t nr, size_t kc, const float* a, size_t lda, const float* bp, float* c,
                          size_t ldc, int load_c) {
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    /* Rows past mr read row 0 again (always valid) and are never stored: keeps the loop shape fixed. */
    const float* ar[MR];
    for (size_t r = 0; r < MR; r++) {
        ar[r] = a + (r < mr ? r : 0) * lda;
    }
    for (size_t p = 0; p < kc; p++) {
        for (size_t r = 0; r < MR; r++) {
            const float av = ar[r][p];
            for (size_t j = 0; j < NR; j++) {
                acc[r][j] += av * bp[j];
            }
        }
        bp += NR;
    }
    for (size_t r = 0; r < mr; r++) {
        float* cr = c + r * ldc;
        for (size_t j = 0; j < nr; j++) {
            cr[j] = load_c ? cr[j] + acc[r][j] : acc[r][j];
        }
    }
}

const struct minnow_f32_gemm_config minnow_f32_gemm_c_config = {
    .isa = "c",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 64,
    .nc = 1024,
    .ukernel = ukernel_4x8_c,
    .pack_b = pack_b_c,
};

void minnow_f32_gemm_unpacked(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b,
                              size_t ldb, float* c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++) {
        float* ci = c + i * ldc;
        if (!accumulate) {
            memset(ci, 0, n * sizeof(float));
        }
        for (size_t p = 0; p < k; p++) {
            const float av = a[i * lda + p];
            const float* bp = b + p * ldb;
            for (size_t j = 0; j < n; j++) {
                ci[j] += av * bp[j];
            }
        }
    }
}
