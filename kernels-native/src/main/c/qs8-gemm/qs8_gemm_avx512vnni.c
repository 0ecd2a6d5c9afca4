/*
 * qs8-gemm AVX-512 VNNI variant: vpdpbusd multiplies 4 unsigned bytes of A with 4 signed bytes of W and adds
 * the four products into an int32 lane (no saturation: the non-"s" form wraps like int32). W groups are
 * KR=4 k x 16 columns = one zmm. vpdpbusd needs A unsigned: int8 activations are shifted by +128 (xor 0x80)
 * when packed, and the driver subtracts (a_zero + 128) * colsum(W); uint8 ones subtract a_zero * colsum.
 * Tile: up to 8 rows x 16 columns.
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

static int pack_a_u8x4(int mr, int k, const uint8_t* a, int lda, int a_unsigned, int a_zero, void* a_packed) {
    uint8_t* ap = (uint8_t*) a_packed;
    uint8_t flip = a_unsigned ? 0 : 0x80; /* int8 x -> uint8 x + 128 */
    int groups = (k + 3) / 4;
    for (int g = 0; g < groups; g++) {
        for (int r = 0; r < mr; r++) {
            for (int t = 0; t < 4; t++) {
                int p = 4 * g + t;
                ap[((size_t) g * mr + r) * 4 + t] = p < k ? (uint8_t) (a[(size_t) r * lda + p] ^ flip) : 0;
            }
        }
    }
    return a_unsigned ? a_zero : a_zero + 128;
}

MINNOW_TARGET_AVX512VNNI MINNOW_INLINE void tile_vnni(const int mr, int groups, const uint8_t* ap, const int8_t* w,
                                                      int32_t* tile) {
    __m512i acc[8];
    for (int r = 0; r < 8; r++) acc[r] = _mm512_setzero_si512();
    for (int g = 0; g < groups; g++) {
        __m512i wv = _mm512_load_si512((const void*) (w + (size_t) g * 64));
        for (int r = 0; r < mr; r++) {
            acc[r] = _mm512_dpbusd_epi32(acc[r], _mm512_set1_epi32(lane32(ap + ((size_t) g * mr + r) * 4)), wv);
        }
    }
    for (int r = 0; r < mr; r++) _mm512_storeu_si512((void*) (tile + r * QS8_NR), acc[r]);
}

MINNOW_TARGET_AVX512VNNI static void kernel_vnni(int mr, int groups, const void* a_packed, const int8_t* w,
                                                 int32_t* tile) {
    const uint8_t* ap = (const uint8_t*) a_packed; /* four uint8 per (group, row) */
    switch (mr) {
        case 1: tile_vnni(1, groups, ap, w, tile); break;
        case 2: tile_vnni(2, groups, ap, w, tile); break;
        case 3: tile_vnni(3, groups, ap, w, tile); break;
        case 4: tile_vnni(4, groups, ap, w, tile); break;
        case 5: tile_vnni(5, groups, ap, w, tile); break;
        case 6: tile_vnni(6, groups, ap, w, tile); break;
        case 7: tile_vnni(7, groups, ap, w, tile); break;
        default: tile_vnni(8, groups, ap, w, tile); break;
    }
}

const qs8_variant qs8_variant_avx512vnni = {4, 8, 1, pack_a_u8x4, kernel_vnni};
