/*
 * qs8-gemm AVX2 variant: the exact int8 path. Weights (KR=2 pairs, 16 columns = 32 bytes per group) are
 * sign-extended to int16 (vpmovsxbw) and multiplied with a broadcast int16 pair of A by vpmaddwd, which sums
 * the two products into int32 without saturation ((a - a_zero) * w <= 255 * 128, two of them fit easily).
 * vpmaddubsw would be faster but saturates int16 for u8 x s8 (255*127*2 > 32767), so it is not used.
 * Tile: up to 6 rows x 16 columns = 12 ymm accumulators + 2 weights + 1 broadcast.
 */
#include <immintrin.h>
#include <string.h>

#include "qs8-gemm/qs8_gemm.h"

/* The 4 packed bytes of one (group, row) as an int32 (memcpy: no aliasing assumption; one vpbroadcastd). */
MINNOW_INLINE int32_t lane32(const uint8_t* p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/*
 * Named accumulators, not an array: with an array GCC kept half the tile on the stack (a load and a store per
 * vpaddd, seen in the generated code). The row count is a constant after inlining, so unused rows vanish.
 */
#define QS8_ROW(r)                                                                      \
    if (mr > r) {                                                                        \
        __m256i a = _mm256_set1_epi32(lane32(ag + (r) * 4));                             \
        c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(a, w0));                  \
        c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(a, w1));                  \
    }
#define QS8_STORE(r)                                                                    \
    if (mr > r) {                                                                        \
        _mm256_storeu_si256((__m256i*) (tile + (r) * QS8_NR), c##r##0);                  \
        _mm256_storeu_si256((__m256i*) (tile + (r) * QS8_NR + 8), c##r##1);              \
    }

MINNOW_TARGET_AVX2 MINNOW_INLINE void tile_avx2(const int mr, int groups, const uint8_t* ap, const int8_t* w,
                                                int32_t* tile) {
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256i c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int g = 0; g < groups; g++) {
        const uint8_t* ag = ap + (size_t) g * mr * 4;
        __m256i w0 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (w + (size_t) g * 32)));
        __m256i w1 = _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (w + (size_t) g * 32 + 16)));
        QS8_ROW(0) QS8_ROW(1) QS8_ROW(2) QS8_ROW(3) QS8_ROW(4) QS8_ROW(5)
    }
    QS8_STORE(0) QS8_STORE(1) QS8_STORE(2) QS8_STORE(3) QS8_STORE(4) QS8_STORE(5)
}

/* One row (GEMV): two accumulator pairs over alternate groups so the adds do not form one serial chain. */
MINNOW_TARGET_AVX2 static void row_avx2(int groups, const uint8_t* ap, const int8_t* w, int32_t* tile) {
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    __m256i t0 = _mm256_setzero_si256(), t1 = _mm256_setzero_si256();
    int g = 0;
    for (; g + 2 <= groups; g += 2) {
        const int8_t* wg = w + (size_t) g * 32;
        __m256i a = _mm256_set1_epi32(lane32(ap + (size_t) g * 4));
        __m256i b = _mm256_set1_epi32(lane32(ap + (size_t) g * 4 + 4));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) wg))));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (wg + 16)))));
        t0 = _mm256_add_epi32(t0, _mm256_madd_epi16(b, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (wg + 32)))));
        t1 = _mm256_add_epi32(t1, _mm256_madd_epi16(b, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (wg + 48)))));
    }
    if (g < groups) {
        const int8_t* wg = w + (size_t) g * 32;
        __m256i a = _mm256_set1_epi32(lane32(ap + (size_t) g * 4));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) wg))));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(a, _mm256_cvtepi8_epi16(_mm_load_si128((const __m128i*) (wg + 16)))));
    }
    _mm256_storeu_si256((__m256i*) tile, _mm256_add_epi32(s0, t0));
    _mm256_storeu_si256((__m256i*) (tile + 8), _mm256_add_epi32(s1, t1));
}

/* The row count as a constant in each call, so the tile's loops unroll and its arrays live in registers. */
MINNOW_TARGET_AVX2 static void kernel_avx2(int mr, int groups, const void* a_packed, const int8_t* w, int32_t* tile) {
    const uint8_t* ap = (const uint8_t*) a_packed; /* one int16 pair per (group, row) */
    switch (mr) {
        case 1: row_avx2(groups, ap, w, tile); break;
        case 2: tile_avx2(2, groups, ap, w, tile); break;
        case 3: tile_avx2(3, groups, ap, w, tile); break;
        case 4: tile_avx2(4, groups, ap, w, tile); break;
        case 5: tile_avx2(5, groups, ap, w, tile); break;
        default: tile_avx2(6, groups, ap, w, tile); break;
    }
}

const qs8_variant qs8_variant_avx2 = {2, 6, 2, qs8_pack_a_i16x2, kernel_avx2};
