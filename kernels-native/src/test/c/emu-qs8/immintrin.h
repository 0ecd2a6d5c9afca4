/*
 * The shared AVX-512 emulation (emu/immintrin.h) plus the integer intrinsics qs8-gemm-avx512vnni uses,
 * vpdpbusd above all, so its packing, tails and zero-point correction are tested on machines without VNNI.
 * Kept apart, on minnow_emu_qs8_* names behind macros, like emu-dwconv/, so the shared file can grow the
 * same intrinsics later without a clash. The aligned load traps on a misaligned address as the hardware does.
 */
#ifndef MINNOW_EMU_QS8_IMMINTRIN_H
#define MINNOW_EMU_QS8_IMMINTRIN_H

#include "../emu/immintrin.h"

typedef struct { int32_t i[16]; } minnow_emu_qs8_m512i;
#define __m512i minnow_emu_qs8_m512i

static inline __m512i minnow_emu_qs8_setzero_si512(void) {
    __m512i r;
    for (int l = 0; l < 16; l++) r.i[l] = 0;
    return r;
}
#define _mm512_setzero_si512 minnow_emu_qs8_setzero_si512

static inline __m512i minnow_emu_qs8_set1_epi32(int x) {
    __m512i r;
    for (int l = 0; l < 16; l++) r.i[l] = x;
    return r;
}
#define _mm512_set1_epi32 minnow_emu_qs8_set1_epi32

static inline __m512i minnow_emu_qs8_load_si512(const void* p) {
    if (((uintptr_t) p & 63) != 0) __builtin_trap();
    __m512i r;
    for (int l = 0; l < 16; l++) r.i[l] = ((const int32_t*) p)[l];
    return r;
}
#define _mm512_load_si512 minnow_emu_qs8_load_si512

static inline void minnow_emu_qs8_storeu_si512(void* p, __m512i v) {
    for (int l = 0; l < 16; l++) ((int32_t*) p)[l] = v.i[l];
}
#define _mm512_storeu_si512 minnow_emu_qs8_storeu_si512

/* vpdpbusd: lane l += sum over t < 4 of (uint8) a.byte[4l+t] * (int8) b.byte[4l+t], wrapping in int32. */
static inline __m512i minnow_emu_qs8_dpbusd_epi32(__m512i src, __m512i a, __m512i b) {
    __m512i r;
    for (int l = 0; l < 16; l++) {
        uint32_t s = (uint32_t) src.i[l];
        for (int t = 0; t < 4; t++) {
            uint8_t x = (uint8_t) ((uint32_t) a.i[l] >> (8 * t));
            int8_t y = (int8_t) (uint8_t) ((uint32_t) b.i[l] >> (8 * t));
            s += (uint32_t) ((int32_t) x * (int32_t) y);
        }
        r.i[l] = (int32_t) s;
    }
    return r;
}
#define _mm512_dpbusd_epi32 minnow_emu_qs8_dpbusd_epi32

#endif
