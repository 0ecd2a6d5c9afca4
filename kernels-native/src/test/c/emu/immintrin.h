/*
 * A scalar stand-in for the few AVX-512 intrinsics the f32 kernels use, so their indexing, tails and masks
 * can be tested (under AddressSanitizer) on a machine without AVX-512. Masked loads/stores touch only the
 * lanes whose mask bit is set, as the hardware guarantees, so an out-of-bounds access by a masked-off lane
 * is not reported while any real one is. Compile the kernel with -I<this dir> -DMINNOW_TARGET_AVX512=
 * Extend this file when a kernel starts using another intrinsic.
 */
#ifndef MINNOW_EMU_IMMINTRIN_H
#define MINNOW_EMU_IMMINTRIN_H

#include <math.h>
#include <stdint.h>

typedef struct { float f[16]; } __m512;
typedef uint16_t __mmask16;

static inline __m512 _mm512_setzero_ps(void) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = 0.0f;
    return r;
}

static inline __m512 _mm512_set1_ps(float x) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = x;
    return r;
}

static inline __m512 _mm512_load_ps(const void* p) {
    if (((uintptr_t) p & 63) != 0) __builtin_trap(); /* the real aligned load faults too */
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = ((const float*) p)[i];
    return r;
}

static inline void _mm512_store_ps(void* p, __m512 v) {
    if (((uintptr_t) p & 63) != 0) __builtin_trap();
    for (int i = 0; i < 16; i++) ((float*) p)[i] = v.f[i];
}

static inline __m512 _mm512_loadu_ps(const void* p) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = ((const float*) p)[i];
    return r;
}

static inline void _mm512_storeu_ps(void* p, __m512 v) {
    for (int i = 0; i < 16; i++) ((float*) p)[i] = v.f[i];
}

static inline __m512 _mm512_maskz_loadu_ps(__mmask16 m, const void* p) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = (m >> i) & 1 ? ((const float*) p)[i] : 0.0f;
    return r;
}

static inline void _mm512_mask_storeu_ps(void* p, __mmask16 m, __m512 v) {
    for (int i = 0; i < 16; i++) {
        if ((m >> i) & 1) ((float*) p)[i] = v.f[i];
    }
}

static inline __m512 _mm512_fmadd_ps(__m512 a, __m512 b, __m512 c) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = fmaf(a.f[i], b.f[i], c.f[i]);
    return r;
}

static inline __m512 _mm512_add_ps(__m512 a, __m512 b) {
    __m512 r;
    for (int i = 0; i < 16; i++) r.f[i] = a.f[i] + b.f[i];
    return r;
}

#endif
