/*
 * qs8-gemm portable C variant (any x86-64): the KR=2 layout of the avx2 variant, plain loops. Also the
 * int16 A packing that variant shares. Accumulation is in uint32_t so that wrapping is defined behaviour.
 */
#include "qs8-gemm/qs8_gemm.h"

int qs8_pack_a_i16x2(int mr, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero, void* a_packed) {
    /* row by row, the zero point folded in, the signedness branch hoisted: one pass over A (this runs once per row
       block and call, and for a narrow GEMM - a conv with few output channels - it is most of the work) */
    int16_t* ap = (int16_t*) a_packed;
    const int full = k / 2;
    const size_t stride = (size_t) mr * 2; /* int16s between consecutive groups of one row */
    for (int r = 0; r < mr; r++) {
        const uint8_t* row = a + (size_t) r * lda;
        int16_t* dst = ap + (size_t) r * 2;
        if (a_unsigned) {
            for (int g = 0; g < full; g++) {
                dst[g * stride] = (int16_t) ((int) row[2 * g] - a_zero);
                dst[g * stride + 1] = (int16_t) ((int) row[2 * g + 1] - a_zero);
            }
            if (k & 1) dst[full * stride] = (int16_t) ((int) row[k - 1] - a_zero);
        } else {
            const int8_t* srow = (const int8_t*) row;
            for (int g = 0; g < full; g++) {
                dst[g * stride] = (int16_t) ((int) srow[2 * g] - a_zero);
                dst[g * stride + 1] = (int16_t) ((int) srow[2 * g + 1] - a_zero);
            }
            if (k & 1) dst[full * stride] = (int16_t) ((int) srow[k - 1] - a_zero);
        }
        if (k & 1) dst[full * stride + 1] = 0; /* padding meets zero weights; |values| <= 255 */
    }
    return 0;
}

static void kernel_c(int mr, int groups, const void* a_packed, const int8_t* w, int32_t* tile) {
    const int16_t* ap = (const int16_t*) a_packed;
    uint32_t acc[6][QS8_NR] = {{0}};
    for (int g = 0; g < groups; g++) {
        const int8_t* wg = w + (size_t) g * QS8_NR * 2;
        for (int r = 0; r < mr; r++) {
            int a0 = ap[((size_t) g * mr + r) * 2], a1 = ap[((size_t) g * mr + r) * 2 + 1];
            for (int j = 0; j < QS8_NR; j++) {
                acc[r][j] += (uint32_t) (a0 * wg[2 * j] + a1 * wg[2 * j + 1]); /* <= 2*255*128: no overflow */
            }
        }
    }
    for (int r = 0; r < mr; r++) {
        for (int j = 0; j < QS8_NR; j++) tile[r * QS8_NR + j] = (int32_t) acc[r][j];
    }
}

const qs8_variant qs8_variant_c = {2, 6, 2, qs8_pack_a_i16x2, kernel_c};
