/*
 * f32-conv-6x16-avx2: AVX2 + FMA3 micro-kernel of the conv GEMM. 12 accumulators (6 output channels x
 * 16 output positions) + 2 input vectors + 1 broadcast weight fill 15 of the 16 YMM registers. Each k
 * step reads its 16 inputs at base + off[k] (unaligned loads from the phase buffer) and 6 weights from
 * the packed panel. The A panel is zero-padded to 6 rows, so all 6 rows are always computed.
 *
 * Prefetches: in direct mode (1x1) B is the layer's input itself, K rows a plane apart. At batch 64 that
 * input was written a whole batch earlier and sits in L3 or DRAM, and K (up to hundreds) concurrent row
 * streams are more than the hardware prefetchers follow, so every tile's loads missed. Each k step
 * prefetches its row two tiles ahead (tiles advance 64 bytes, so every line is fetched once), and each
 * stored row prefetches for writing the line it will store two tiles later. Measured on a batch of 64
 * cold 14x14 images (AVX2, 1 thread): 96->24 1.8 ms -> 0.94 ms, 24->96 1.19 -> 0.95 ms, 16->64 0.68 ->
 * 0.48 ms; 7x7 planes unchanged (their tiles are too few to run ahead of). Prefetches never fault, so the
 * addresses past a row or plane are harmless.
 */
#include <immintrin.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-conv/f32_conv.h"

#define MR 6
#define NR 16

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i lanes_below(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The tile for `rows` (6, 4 or 2 after inlining) of the 6-row panel: a short last panel skips dead rows. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_avx2(const size_t rows, size_t k, const float* ap, const float* base,
                                                const int32_t* off, float* tile, size_t mr, float* y, size_t ldy,
                                                size_t r0, size_t dst, const struct minnow_conv_epi* epi) {
    __m256 acc0[MR], acc1[MR];
    #pragma GCC unroll 6
    for (size_t r = 0; r < rows; r++) {
        acc0[r] = _mm256_setzero_ps();
        acc1[r] = _mm256_setzero_ps();
    }
    #pragma GCC unroll 2
    for (size_t p = 0; p < k; p++, ap += MR) {
        const float* b = base + off[p];
        _mm_prefetch((const char*) (b + 2 * NR), _MM_HINT_T0); /* see top: cold inputs in direct mode */
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            const __m256 av = _mm256_broadcast_ss(ap + r);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
    }
    if (epi == NULL) {
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            _mm256_store_ps(tile + r * NR, acc0[r]);
            _mm256_store_ps(tile + r * NR + 8, acc1[r]);
        }
        return;
    }
    const __m256 lo = _mm256_set1_ps(epi->lo), hi = _mm256_set1_ps(epi->hi);
    #pragma GCC unroll 6
    for (size_t r = 0; r < rows; r++) {
        if (r >= mr) break;
        __m256 v0 = acc0[r], v1 = acc1[r];
        if (epi->bias != NULL) {
            const __m256 bv = _mm256_broadcast_ss(epi->bias + r0 + r);
            v0 = _mm256_add_ps(v0, bv);
            v1 = _mm256_add_ps(v1, bv);
        }
        if (epi->residual != NULL) {
            const float* res = epi->residual + (r0 + r) * ldy + dst;
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
        }
        float* yr = y + (r0 + r) * ldy + dst;
        _mm_prefetch((const char*) (yr + 2 * NR), _MM_HINT_ET0); /* the line this row's tile after next writes */
        _mm256_storeu_ps(yr, minnow_act_avx2(epi->act, v0, lo, hi));
        _mm256_storeu_ps(yr + 8, minnow_act_avx2(epi->act, v1, lo, hi));
    }
}

MINNOW_TARGET_AVX2 static void ukernel_6x16_avx2(size_t k, const float* ap, const float* base, const int32_t* off,
                                                 float* tile, size_t mr, float* y, size_t ldy, size_t r0, size_t dst,
                                                 const struct minnow_conv_epi* epi) {
    if (mr > 4) {
        tile_avx2(6, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    } else if (mr > 2) {
        tile_avx2(4, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    } else {
        tile_avx2(2, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    }
}

MINNOW_TARGET_AVX2 static void store_avx2(size_t mr, size_t len, const float* tile, size_t src, float* y, size_t ldy,
                                          size_t r0, size_t dst, const struct minnow_conv_epi* epi) {
    const __m256 lo = _mm256_set1_ps(epi->lo), hi = _mm256_set1_ps(epi->hi);
    for (size_t r = 0; r < mr; r++) {
        const float* t = tile + r * NR + src;
        float* yr = y + (r0 + r) * ldy + dst;
        const float* res = epi->residual == NULL ? NULL : epi->residual + (r0 + r) * ldy + dst;
        const __m256 bv = _mm256_set1_ps(epi->bias == NULL ? 0.0f : epi->bias[r0 + r]);
        for (size_t j = 0; j < len; j += 8) {
            const size_t n = len - j < 8 ? len - j : 8;
            const __m256i m = lanes_below(n);
            __m256 v = _mm256_loadu_ps(t + j); /* inside the tile: src + len <= NR, tile rows are NR floats */
            if (epi->bias != NULL) v = _mm256_add_ps(v, bv);
            if (res != NULL) v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res + j) : _mm256_maskload_ps(res + j, m));
            v = minnow_act_avx2(epi->act, v, lo, hi);
            if (n == 8) {
                _mm256_storeu_ps(yr + j, v);
            } else {
                _mm256_maskstore_ps(yr + j, m, v);
            }
        }
    }
}

const struct minnow_f32_conv_config minnow_f32_conv_avx2_config = {
    .isa = "avx2",
    .mr = MR,
    .nr = NR,
    .ukernel = ukernel_6x16_avx2,
    .store = store_avx2,
};
