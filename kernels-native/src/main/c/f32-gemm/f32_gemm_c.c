/*
 * f32-gemm-4x8-c: the portable variant, C with GNU vector extensions (SSE2 on baseline x86-64), no
 * intrinsics. It runs the same blocked driver as the SIMD variants, so it also exercises the driver on any CPU.
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

/* GNU C vector extension: 4 floats, lowered to SSE2 on baseline x86-64 (and to whatever the target has elsewhere). */
typedef float f32x4 __attribute__((vector_size(16)));

static void ukernel_4x8_c(size_t mr, size_t nr, size_t kc, const float* a, size_t lda, const float* bp, float* c,
                          size_t ldc, int load_c) {
    /* Written with explicit 4-wide vectors: left to itself the compiler vectorizes the wrong loop. Rows past
       mr read row 0 again (always valid) and are never stored, so the loop shape stays fixed. */
    f32x4 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    const float* a0 = a;
    const float* a1 = mr > 1 ? a + lda : a;
    const float* a2 = mr > 2 ? a + 2 * lda : a;
    const float* a3 = mr > 3 ? a + 3 * lda : a;
    for (size_t p = 0; p < kc; p++, bp += NR) {
        f32x4 b0, b1;
        memcpy(&b0, bp, sizeof b0);
        memcpy(&b1, bp + 4, sizeof b1);
        c00 += a0[p] * b0;
        c01 += a0[p] * b1;
        c10 += a1[p] * b0;
        c11 += a1[p] * b1;
        c20 += a2[p] * b0;
        c21 += a2[p] * b1;
        c30 += a3[p] * b0;
        c31 += a3[p] * b1;
    }
    float acc[MR][NR];
    memcpy(acc[0], &c00, 16);
    memcpy(acc[0] + 4, &c01, 16);
    memcpy(acc[1], &c10, 16);
    memcpy(acc[1] + 4, &c11, 16);
    memcpy(acc[2], &c20, 16);
    memcpy(acc[2] + 4, &c21, 16);
    memcpy(acc[3], &c30, 16);
    memcpy(acc[3] + 4, &c31, 16);
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
