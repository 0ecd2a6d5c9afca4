/* f32-conv-4x8-c: portable C micro-kernel (any x86-64; the compiler's SSE2 code). Same contract as AVX2. */
#include "common/epilogue.h"
#include "f32-conv/f32_conv.h"

#define MR 4
#define NR 8

static void store_c(size_t mr, size_t len, const float* tile, size_t src, float* y, size_t ldy, size_t r0, size_t dst,
                    const struct minnow_conv_epi* epi);

static void ukernel_4x8_c(size_t k, const float* ap, const float* base, const int32_t* off, float* tile, size_t mr,
                          float* y, size_t ldy, size_t r0, size_t dst, const struct minnow_conv_epi* epi) {
    float acc[MR][NR] = {{0}};
    for (size_t p = 0; p < k; p++, ap += MR) {
        const float* b = base + off[p];
        for (size_t r = 0; r < MR; r++) {
            for (size_t j = 0; j < NR; j++) {
                acc[r][j] += ap[r] * b[j];
            }
        }
    }
    if (epi != NULL) {
        store_c(mr, NR, &acc[0][0], 0, y, ldy, r0, dst, epi);
        return;
    }
    for (size_t r = 0; r < MR; r++) {
        for (size_t j = 0; j < NR; j++) {
            tile[r * NR + j] = acc[r][j];
        }
    }
}

static void store_c(size_t mr, size_t len, const float* tile, size_t src, float* y, size_t ldy, size_t r0, size_t dst,
                    const struct minnow_conv_epi* epi) {
    for (size_t r = 0; r < mr; r++) {
        for (size_t j = 0; j < len; j++) {
            float v = tile[r * NR + src + j];
            if (epi->bias != NULL) v += epi->bias[r0 + r];
            if (epi->residual != NULL) v += epi->residual[(r0 + r) * ldy + dst + j];
            y[(r0 + r) * ldy + dst + j] = minnow_act_scalar(epi->act, v, epi->lo, epi->hi);
        }
    }
}

const struct minnow_f32_conv_config minnow_f32_conv_c_config = {
    .isa = "c",
    .mr = MR,
    .nr = NR,
    .ukernel = ukernel_4x8_c,
    .store = store_c,
};
