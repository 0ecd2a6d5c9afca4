/*
 * q4-gemm-avx2: AVX2 + FMA panels. One step = 8 bytes = two codes for each of the panel's 8 rows:
 * vpmovzxbd widens them to 8 int32 lanes (folded into the load), vpand 15 gives step p's codes, vpsrld 4
 * step p+1's (the byte is < 256, so no mask), vcvtdq2ps makes them floats (exact), and each FMAs against
 * a[p] / a[p+1] broadcast. A GEMV (mr = 1) runs 4 steps per iteration on 8 accumulators: enough independent
 * FMA chains to cover their latency on two FMA pipes. With mr > 1 the unpacked steps are shared by the rows
 * of A (rows past mr repeat row 0 and are computed but not returned).
 * With denormal codes (q4_gemm.h: the driver pre-scales A's rows) the two vcvtdq2ps per step disappear: the
 * masked / shifted lanes are used as floats as they are, one multiply per group restores the scale. That
 * cuts the vector ops per 16 weights from 7 to 5 (about -23% time when the weight is in cache).
 */
#include <immintrin.h>

#include "common/isa.h"
#include "q4-gemm/q4_gemm.h"

#define NR MINNOW_Q4_NR

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i widen(const unsigned char* step) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*) step));
}

/* den: denormal codes (q4_gemm.h): the int lanes' bits are the floats u * 2^-149; no conversion. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 low(__m256i v, const int den) {
    const __m256i u = _mm256_and_si256(v, _mm256_set1_epi32(15));
    return den ? _mm256_castsi256_ps(u) : _mm256_cvtepi32_ps(u);
}

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 high(__m256i v, const int den) {
    const __m256i u = _mm256_srli_epi32(v, 4);
    return den ? _mm256_castsi256_ps(u) : _mm256_cvtepi32_ps(u);
}

/* One row of A: the GEMV inner loop. den: denormal codes, f = the row's factor. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void panel1(const struct minnow_q4_shape* s, const float* a, const float* asum,
                                             const int den, const float f, const unsigned char* panel, float* out) {
    __m256 acc = _mm256_setzero_ps();
    const unsigned char* rec = panel;
    for (int g = 0; g < s->groups; g++, rec += s->group_bytes) {
        const int p0 = g * s->g;
        const int len = s->k - p0 < s->g ? s->k - p0 : s->g;
        const float* x = a + p0;
        __m256 d0 = _mm256_setzero_ps(), d1 = d0, d2 = d0, d3 = d0, d4 = d0, d5 = d0, d6 = d0, d7 = d0;
        int p = 0;
        for (; p + 8 <= len; p += 8) {
            const unsigned char* st = rec + (size_t) p / 2 * NR;
            const __m256i v0 = widen(st), v1 = widen(st + NR), v2 = widen(st + 2 * NR), v3 = widen(st + 3 * NR);
            d0 = _mm256_fmadd_ps(low(v0, den), _mm256_broadcast_ss(x + p), d0);
            d1 = _mm256_fmadd_ps(high(v0, den), _mm256_broadcast_ss(x + p + 1), d1);
            d2 = _mm256_fmadd_ps(low(v1, den), _mm256_broadcast_ss(x + p + 2), d2);
            d3 = _mm256_fmadd_ps(high(v1, den), _mm256_broadcast_ss(x + p + 3), d3);
            d4 = _mm256_fmadd_ps(low(v2, den), _mm256_broadcast_ss(x + p + 4), d4);
            d5 = _mm256_fmadd_ps(high(v2, den), _mm256_broadcast_ss(x + p + 5), d5);
            d6 = _mm256_fmadd_ps(low(v3, den), _mm256_broadcast_ss(x + p + 6), d6);
            d7 = _mm256_fmadd_ps(high(v3, den), _mm256_broadcast_ss(x + p + 7), d7);
        }
        for (; p + 2 <= len; p += 2) { /* the last group's tail: whole steps */
            const __m256i v = widen(rec + (size_t) p / 2 * NR);
            d0 = _mm256_fmadd_ps(low(v, den), _mm256_broadcast_ss(x + p), d0);
            d1 = _mm256_fmadd_ps(high(v, den), _mm256_broadcast_ss(x + p + 1), d1);
        }
        if (p < len) { /* odd K: the last step's high codes are padding and a[p + 1] does not exist */
            d0 = _mm256_fmadd_ps(low(widen(rec + (size_t) p / 2 * NR), den), _mm256_broadcast_ss(x + p), d0);
        }
        __m256 dot = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(d0, d1), _mm256_add_ps(d2, d3)),
                                   _mm256_add_ps(_mm256_add_ps(d4, d5), _mm256_add_ps(d6, d7)));
        if (den) {
            dot = _mm256_mul_ps(dot, _mm256_set1_ps(f)); /* exact: a power of 2 */
        }
        const float* scale = (const float*) (rec + (size_t) s->g / 2 * NR);
        const __m256 z = s->zero_points ? _mm256_loadu_ps(scale + NR) : _mm256_set1_ps(8.0f);
        const __m256 t = _mm256_fnmadd_ps(z, _mm256_set1_ps(asum[g]), dot);
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(scale), t, acc);
    }
    _mm256_storeu_ps(out, acc);
}

/* Four rows of A (a[0..4), possibly repeated): each unpacked step feeds 4 x 2 FMA chains. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void panel4(const struct minnow_q4_shape* s, const float* const* a, const float* asum,
                                             const int den, const float* f, const unsigned char* panel, float* out) {
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    const unsigned char* rec = panel;
    const int groups = s->groups;
    for (int g = 0; g < groups; g++, rec += s->group_bytes) {
        const int p0 = g * s->g;
        const int len = s->k - p0 < s->g ? s->k - p0 : s->g;
        const float *x0 = a[0] + p0, *x1 = a[1] + p0, *x2 = a[2] + p0, *x3 = a[3] + p0;
        __m256 e0 = _mm256_setzero_ps(), e1 = e0, e2 = e0, e3 = e0, o0 = e0, o1 = e0, o2 = e0, o3 = e0;
        int p = 0;
        for (; p + 2 <= len; p += 2) {
            const __m256i v = widen(rec + (size_t) p / 2 * NR);
            const __m256 lo = low(v, den), hi = high(v, den);
            e0 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x0 + p), e0);
            e1 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x1 + p), e1);
            e2 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x2 + p), e2);
            e3 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x3 + p), e3);
            o0 = _mm256_fmadd_ps(hi, _mm256_broadcast_ss(x0 + p + 1), o0);
            o1 = _mm256_fmadd_ps(hi, _mm256_broadcast_ss(x1 + p + 1), o1);
            o2 = _mm256_fmadd_ps(hi, _mm256_broadcast_ss(x2 + p + 1), o2);
            o3 = _mm256_fmadd_ps(hi, _mm256_broadcast_ss(x3 + p + 1), o3);
        }
        if (p < len) { /* odd K */
            const __m256 lo = low(widen(rec + (size_t) p / 2 * NR), den);
            e0 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x0 + p), e0);
            e1 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x1 + p), e1);
            e2 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x2 + p), e2);
            e3 = _mm256_fmadd_ps(lo, _mm256_broadcast_ss(x3 + p), e3);
        }
        const float* scale = (const float*) (rec + (size_t) s->g / 2 * NR);
        const __m256 sc = _mm256_loadu_ps(scale);
        const __m256 z = s->zero_points ? _mm256_loadu_ps(scale + NR) : _mm256_set1_ps(8.0f);
        if (den) {
            e0 = _mm256_mul_ps(_mm256_add_ps(e0, o0), _mm256_set1_ps(f[0]));
            e1 = _mm256_mul_ps(_mm256_add_ps(e1, o1), _mm256_set1_ps(f[1]));
            e2 = _mm256_mul_ps(_mm256_add_ps(e2, o2), _mm256_set1_ps(f[2]));
            e3 = _mm256_mul_ps(_mm256_add_ps(e3, o3), _mm256_set1_ps(f[3]));
            o0 = o1 = o2 = o3 = _mm256_setzero_ps();
        }
        c0 = _mm256_fmadd_ps(sc, _mm256_fnmadd_ps(z, _mm256_set1_ps(asum[g]), _mm256_add_ps(e0, o0)), c0);
        c1 = _mm256_fmadd_ps(sc, _mm256_fnmadd_ps(z, _mm256_set1_ps(asum[groups + g]), _mm256_add_ps(e1, o1)), c1);
        c2 = _mm256_fmadd_ps(sc, _mm256_fnmadd_ps(z, _mm256_set1_ps(asum[2 * groups + g]), _mm256_add_ps(e2, o2)), c2);
        c3 = _mm256_fmadd_ps(sc, _mm256_fnmadd_ps(z, _mm256_set1_ps(asum[3 * groups + g]), _mm256_add_ps(e3, o3)), c3);
    }
    _mm256_storeu_ps(out, c0);
    _mm256_storeu_ps(out + NR, c1);
    _mm256_storeu_ps(out + 2 * NR, c2);
    _mm256_storeu_ps(out + 3 * NR, c3);
}

MINNOW_TARGET_AVX2 void minnow_q4_panel_avx2(const struct minnow_q4_shape* s, int mr, const float* const* a,
                                             const float* asum, const float* factor, const unsigned char* panel,
                                             float* out) {
    /* four specializations: den is a constant in each */
    if (mr == 1) {
        if (factor != NULL) {
            panel1(s, a[0], asum, 1, factor[0], panel, out);
        } else {
            panel1(s, a[0], asum, 0, 1.0f, panel, out);
        }
    } else if (factor != NULL) {
        panel4(s, a, asum, 1, factor, panel, out);
    } else {
        panel4(s, a, asum, 0, NULL, panel, out);
    }
}
