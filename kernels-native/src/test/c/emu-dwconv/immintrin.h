/*
 * The shared AVX-512 emulation (emu/immintrin.h) plus the intrinsics f32-dwconv-avx512f uses beyond it.
 * Kept apart (and reached through macros onto minnow_emu_dw_* names) so that the shared file can grow the
 * same intrinsics later without a clash. Same rules: masked-off lanes never touch memory.
 */
#ifndef MINNOW_EMU_DWCONV_IMMINTRIN_H
#define MINNOW_EMU_DWCONV_IMMINTRIN_H

#include "../emu/immintrin.h"

typedef struct { int32_t i[16]; } minnow_emu_dw_m512i;
#define __m512i minnow_emu_dw_m512i

static inline __m512i minnow_emu_dw_setr_epi32(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7,
                                               int a8, int a9, int a10, int a11, int a12, int a13, int a14,
                                               int a15) {
    __m512i r = {{a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15}};
    return r;
}
#define _mm512_setr_epi32 minnow_emu_dw_setr_epi32

static inline __m512i minnow_emu_dw_set1_epi32(int a) {
    __m512i r;
    for (int i = 0; i < 16; i++) r.i[i] = a;
    return r;
}
#define _mm512_set1_epi32 minnow_emu_dw_set1_epi32

static inline __m512i minnow_emu_dw_add_epi32(__m512i a, __m512i b) {
    __m512i r;
    for (int i = 0; i < 16; i++) r.i[i] = (int32_t) ((uint32_t) a.i[i] + (uint32_t) b.i[i]);
    return r;
}
#define _mm512_add_epi32 minnow_emu_dw_add_epi32

static inline __m512i minnow_emu_dw_mullo_epi32(__m512i a, __m512i b) {
    __m512i r;
    for (int i = 0; i < 16; i++) r.i[i] = (int32_t) ((uint32_t) a.i[i] * (uint32_t) b.i[i]);
    return r;
}
#define _mm512_mullo_epi32 minnow_emu_dw_mullo_epi32

/* r[i] = (idx[i] & 16 ? b : a)[idx[i] & 15] */
static inline __m512 minnow_emu_dw_permutex2var_ps(__m512 a, __m512i idx, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = (idx.i[i] & 16) ? b.f[idx.i[i] & 15] : a.f[idx.i[i] & 15];
    return r;
}
#define _mm512_permutex2var_ps minnow_emu_dw_permutex2var_ps

static inline __m512 minnow_emu_dw_mask_i32gather_ps(__m512 src, __mmask16 m, __m512i idx, const void* base,
                                                     int scale) {
    __m512 r = src;
    for (int i = 0; i < 16; i++) {
        if ((m >> i) & 1) r.f[i] = *(const float*) ((const char*) base + (intptr_t) idx.i[i] * scale);
    }
    return r;
}
#define _mm512_mask_i32gather_ps minnow_emu_dw_mask_i32gather_ps

/* max/min return the second operand when either is NaN, like the instructions. */
static inline __m512 minnow_emu_dw_max_ps(__m512 a, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = a.f[i] > b.f[i] ? a.f[i] : b.f[i];
    return r;
}
#define _mm512_max_ps minnow_emu_dw_max_ps

static inline __m512 minnow_emu_dw_min_ps(__m512 a, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = a.f[i] < b.f[i] ? a.f[i] : b.f[i];
    return r;
}
#define _mm512_min_ps minnow_emu_dw_min_ps

static inline __m512 minnow_emu_dw_mul_ps(__m512 a, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = a.f[i] * b.f[i];
    return r;
}
#define _mm512_mul_ps minnow_emu_dw_mul_ps

static inline __m512 minnow_emu_dw_div_ps(__m512 a, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = a.f[i] / b.f[i];
    return r;
}
#define _mm512_div_ps minnow_emu_dw_div_ps

#endif
