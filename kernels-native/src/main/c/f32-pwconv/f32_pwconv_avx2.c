/*
 * f32-pwconv-avx2: AVX2 + FMA GEMM micro-kernels over channels-last pixels, XNNPACK-style: A (the pixels,
 * x) read in place, one input channel at a time broadcast into a vector; B (the weights) prepacked in panels
 * of 8 output channels ([k][8] each), one vector per panel and input channel; the bias, residual and
 * activation applied to the accumulators before the one store. Nothing is copied or packed per call.
 *
 * Register tiles, MR pixels x NP panels (12 accumulators + NP weight vectors + 1 broadcast <= 16 ymm):
 *   NP = 2: 6 x 16 (per input channel 6 broadcasts + 2 loads for 12 FMAs)
 *   NP = 3: 4 x 24 (4 broadcasts + 3 loads for 12 FMAs)
 *   NP = 1: 8 x 8  (8 independent chains: the FMA latency (4) times the two FMA pipes)
 * The output channels are cut into groups of panels so that no lane is wasted when n is a multiple of 8: an
 * even number of panels runs 6 x 16 throughout, an odd one starts with one 4 x 24, a single panel is 8 x 8.
 * (Running 4 x 24 throughout for a multiple of 3 panels, e.g. n = 96, measured the same as 6 x 16.)
 *
 * Pixel tails (m % MR) run the same code with a smaller compile-time MR (every tile is an always-inline
 * function instantiated per MR), never through a copy. A tail of fewer than MR / 2 rows is merged with the
 * tile before it and the rows cut in two near-equal tiles (6 + 1 rows as 4 + 3): a 1-row 6 x 16 tile has 2
 * FMA chains and waits on their latency (4 cycles per input channel), 4 + 3 rows keep 8 and 6 chains. Measured
 * gain is small (2% on 49 x 32 -> 128, none on the other MobileNet shapes): out-of-order execution overlaps
 * a short tile with the next group's first tile.
 *
 * Channel tail (n % 8 != 0): the last panel's vector is loaded and stored with a lane mask (bias, residual
 * and y), so nothing past column n - 1 of any row is read or written; the packed weights are zero-padded
 * to whole panels, so the masked-off lanes compute harmless zeros.
 *
 * Loop order: rows in chunks (CHUNK_BYTES of x, kept in L1), and within a chunk every channel group over
 * the chunk's rows, so x comes from L1 for every group after the first and each group's weights (k * NP * 8
 * floats) are read once per tile. On the MobileNet shapes (x and W in L1 or L2) the order made no measurable
 * difference (C bench, pwconv-bench.sh); with x past L2 (3136 x 128 -> 128) chunks were 3% faster than
 * every group over all rows.
 *
 * Every output's sum is one FMA chain from 0 over c = 0 .. k-1 in order, then + bias, + residual, then the
 * activation (common/epilogue.h), so results do not depend on the tile, the chunk or the group.
 */
#include <immintrin.h>
#include <stddef.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-pwconv/f32_pwconv_impl.h"

#define P MINNOW_PWCONV_PANEL

#ifndef CHUNK_BYTES
/* Bytes of x per row chunk (see top): rows per chunk are a multiple of 24 (every MR divides it). */
#define CHUNK_BYTES 16384
#endif

/* Everything a tile needs besides its position. tile() takes each field as a value, not through this
   pointer: a field read through a pointer after a store to y would be read again (it might alias). */
struct pw {
    size_t k, ldx, ldr, ldy, wstride; /* wstride: floats between panels = k * 8 */
    const float* bias;                /* NULL: none */
    const float* residual;            /* NULL: none */
    int act;
    __m256 lo, hi;
    __m256i mask; /* lanes of the last panel that are inside n */
};

/*
 * Rows [0, MR) x panels [0, NP) at x (pixel 0's channel 0), w (panel 0 of the group), bias/residual/y at the
 * group's first column (bias and residual may be NULL). TAIL: the last panel is partial (mask).
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile(const int MR, const int NP, const int TAIL, size_t k, const float* x,
                                           size_t ldx, const float* w, size_t wstride, const float* bias,
                                           const float* residual, size_t ldr, float* y, size_t ldy, __m256i mask,
                                           int act, __m256 lo, __m256 hi) {
    __m256 acc[8 * 3];
    #pragma GCC unroll 24
    for (int i = 0; i < MR * NP; i++) {
        acc[i] = _mm256_setzero_ps();
    }
    const float* xr[8];
    #pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        xr[r] = x + r * ldx;
    }
    const float* w1 = NP > 1 ? w + wstride : w; /* (formed only inside the packed array) */
    const float* w2 = NP > 2 ? w + 2 * wstride : w;
    #pragma GCC unroll 2
    for (size_t c = 0; c < k; c++) {
        __m256 b[3];
        b[0] = _mm256_loadu_ps(w + c * P);
        if (NP > 1) b[1] = _mm256_loadu_ps(w1 + c * P);
        if (NP > 2) b[2] = _mm256_loadu_ps(w2 + c * P);
        #pragma GCC unroll 8
        for (int r = 0; r < MR; r++) {
            const __m256 a = _mm256_broadcast_ss(xr[r] + c);
            #pragma GCC unroll 3
            for (int q = 0; q < NP; q++) {
                acc[r * NP + q] = _mm256_fmadd_ps(a, b[q], acc[r * NP + q]);
            }
        }
    }
    __m256 bv[3];
    #pragma GCC unroll 3
    for (int q = 0; q < NP; q++) {
        const int masked = TAIL && q == NP - 1;
        bv[q] = bias == NULL ? _mm256_setzero_ps()
                : masked     ? _mm256_maskload_ps(bias + q * P, mask)
                             : _mm256_loadu_ps(bias + q * P);
    }
    #pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
        #pragma GCC unroll 3
        for (int q = 0; q < NP; q++) {
            const int masked = TAIL && q == NP - 1;
            __m256 v = acc[r * NP + q];
            if (bias != NULL) {
                v = _mm256_add_ps(v, bv[q]);
            }
            if (residual != NULL) {
                const float* rp = residual + r * ldr + q * P;
                v = _mm256_add_ps(v, masked ? _mm256_maskload_ps(rp, mask) : _mm256_loadu_ps(rp));
            }
            v = minnow_act_avx2(act, v, lo, hi);
            float* yp = y + r * ldy + q * P;
            if (masked) {
                _mm256_maskstore_ps(yp, mask, v);
            } else {
                _mm256_storeu_ps(yp, v);
            }
        }
    }
}

/* Rows [p, p + rows) (rows 1 .. MR) of the group at panel w / column col; MR and NP compile-time. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_rows(const int MR, const int NP, const int TAIL, size_t rows,
                                                const struct pw* e, const float* x, const float* w, size_t col,
                                                float* y, size_t p) {
    const float* xp = x + p * e->ldx;
    float* yp = y + p * e->ldy + col;
    const float* bias = e->bias == NULL ? NULL : e->bias + col;
    const float* res = e->residual == NULL ? NULL : e->residual + p * e->ldr + col;
    switch (rows) {
#define CASE(R)                                                                                                  \
    case R:                                                                                                      \
        if (R <= MR) {                                                                                           \
            tile(R, NP, TAIL, e->k, xp, e->ldx, w, e->wstride, bias, res, e->ldr, yp, e->ldy, e->mask, e->act,    \
                 e->lo, e->hi);                                                                                  \
        }                                                                                                        \
        break;
        CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8)
#undef CASE
    default:
        break;
    }
}

/*
 * Rows [p0, p1) of one channel group (panels from w, columns from col): tiles of MR rows; a remainder of
 * fewer than MR / 2 rows is merged with the last full tile and the rows split in two near-equal tiles.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void group_rows(const int MR, const int NP, const int TAIL, const struct pw* e,
                                                 const float* x, const float* w, size_t col, float* y, size_t p0,
                                                 size_t p1) {
    size_t p = p0;
    const size_t rows = p1 - p0, rem = rows % MR;
    const size_t full_end = rem != 0 && 2 * rem < (size_t) MR && rows > (size_t) MR ? p1 - rem - MR : p1 - rem;
    for (; p < full_end; p += MR) {
        tile_rows(MR, NP, TAIL, MR, e, x, w, col, y, p);
    }
    while (p < p1) {
        const size_t left = p1 - p;
        const size_t r = left <= (size_t) MR ? left : (left + 1) / 2;
        tile_rows(MR, NP, TAIL, r, e, x, w, col, y, p);
        p += r;
    }
}

/* One function per (NP, TAIL): the group's tiles are inlined into it. */
#define GROUP_FN(NAME, MR, NP, TAIL)                                                                               \
    static MINNOW_TARGET_AVX2 void NAME(const struct pw* e, const float* x, const float* w, size_t col, float* y, \
                                        size_t p0, size_t p1) {                                                    \
        group_rows(MR, NP, TAIL, e, x, w, col, y, p0, p1);                                                         \
    }
GROUP_FN(group_8x8, 8, 1, 0)
GROUP_FN(group_8x8_tail, 8, 1, 1)
GROUP_FN(group_6x16, 6, 2, 0)
GROUP_FN(group_6x16_tail, 6, 2, 1)
GROUP_FN(group_4x24, 4, 3, 0)
GROUP_FN(group_4x24_tail, 4, 3, 1)
#undef GROUP_FN

/* Panels of the channel group that starts with `left` panels to go (see top). */
static size_t group_panels(size_t left) {
    if (left == 1) {
        return 1;
    }
    return left % 2 == 0 ? 2 : 3;
}

MINNOW_TARGET_AVX2 void minnow_f32_pwconv_avx2(size_t m, size_t n, size_t k, const float* x, size_t ldx,
                                               const float* wp, const float* bias, const float* residual, size_t ldr,
                                               int act, float lo, float hi, float* y, size_t ldy) {
    const size_t panels = (n + P - 1) / P;
    const int last_lanes = (int) (n - (panels - 1) * P);
    const struct pw e = {
        .k = k,
        .ldx = ldx,
        .ldr = ldr,
        .ldy = ldy,
        .wstride = k * P,
        .bias = bias,
        .residual = residual,
        .act = act,
        .lo = _mm256_set1_ps(lo),
        .hi = _mm256_set1_ps(hi),
        .mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(last_lanes), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)),
    };
    const int partial = last_lanes != P;
    size_t chunk = CHUNK_BYTES / (k * sizeof(float)) / 24 * 24;
    chunk = chunk < 24 ? 24 : chunk;
    for (size_t p0 = 0; p0 < m; p0 += chunk) {
        const size_t p1 = m - p0 < chunk ? m : p0 + chunk;
        for (size_t g = 0; g < panels;) {
            const size_t np = group_panels(panels - g);
            const int tail = partial && g + np == panels;
            const float* w = wp + g * e.wstride;
            const size_t col = g * P;
            switch (np * 2 + (size_t) tail) {
                case 2: group_8x8(&e, x, w, col, y, p0, p1); break;
                case 3: group_8x8_tail(&e, x, w, col, y, p0, p1); break;
                case 4: group_6x16(&e, x, w, col, y, p0, p1); break;
                case 5: group_6x16_tail(&e, x, w, col, y, p0, p1); break;
                case 6: group_4x24(&e, x, w, col, y, p0, p1); break;
                default: group_4x24_tail(&e, x, w, col, y, p0, p1); break;
            }
            g += np;
        }
    }
}
