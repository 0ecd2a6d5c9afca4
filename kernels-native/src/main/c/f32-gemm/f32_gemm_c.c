/*
 * f32-gemm-4x8-c: the portable variant, C with GNU vector extensions (SSE2 on baseline x86-64), no
 * intrinsics. It runs the same blocked driver as the SIMD variants, so it also exercises the driver on any CPU.
 */
#include <string.h>

#include "f32-gemm/f32_gemm.h"

#define MR 4
#define NR 8

/* GNU C vector extension: 4 floats, lowered to SSE2 on baseline x86-64 (and to whatever the target has elsewhere). */
typedef float f32x4 __attribute__((vector_size(16)));

static void ukernel_4x8_c(size_t kc, const float* ap, const float* bp, float* c, size_t ldc, int load_c) {
    /* Written with explicit 4-wide vectors: left to itself the compiler vectorizes the wrong loop. */
    f32x4 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    for (size_t p = 0; p < kc; p++, ap += MR, bp += NR) {
        f32x4 b0, b1;
        memcpy(&b0, bp, sizeof b0);
        memcpy(&b1, bp + 4, sizeof b1);
        c00 += ap[0] * b0;
        c01 += ap[0] * b1;
        c10 += ap[1] * b0;
        c11 += ap[1] * b1;
        c20 += ap[2] * b0;
        c21 += ap[2] * b1;
        c30 += ap[3] * b0;
        c31 += ap[3] * b1;
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
    for (size_t r = 0; r < MR; r++) {
        float* cr = c + r * ldc;
        for (size_t j = 0; j < NR; j++) {
            cr[j] = load_c ? cr[j] + acc[r][j] : acc[r][j];
        }
    }
}

static void epilogue_c(size_t rows, float* c, size_t ldc, const float* bias, int act, float lo, float hi) {
    minnow_f32_gemm_epilogue_scalar(rows, NR, c, ldc, bias, act, lo, hi);
}

const struct minnow_f32_gemm_config minnow_f32_gemm_c_config = {
    .isa = "c",
    .mr = MR,
    .nr = NR,
    .kc = 256,
    .mc = 64,
    .nc = 1024,
    .ukernel = ukernel_4x8_c,
    .ukernel_row = NULL, /* m = 1 runs as a tile: the portable variant favours simplicity */
    .gemv = NULL,
    .epilogue = epilogue_c,
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
