/*
 * q4-gemv-avx2: AVX2 + FMA panels of 4 rows of W against one int8 activation row.
 *
 * One 32-byte load of a row's codes gives 64 nibbles: vpand 0x0f the low ones (k = c0 .. c0+31), vpsrlw 4 + vpand
 * the high ones (k = c0+32 .. c0+63); each meets 32 contiguous activation bytes, loaded once per chunk and shared
 * by the 4 rows. vpmaddubsw(u, a) multiplies unsigned bytes u by signed bytes a and adds adjacent pairs to int16
 * WITH signed saturation. It cannot saturate here: u is a nibble (0..15) and a is int8 (-128..127), so each pair
 * sum is at most 2 * 15 * 128 = 3840 in magnitude, far inside int16 (32767). A group of 128 codes adds four such
 * results lane-wise in int16: at most 4 * 3840 = 15360, still exact. vpmaddwd with ones then widens pairs to
 * int32 (at most 30720), vcvtdq2ps makes them floats exactly (< 2^24), and one FMA per group and row applies the
 * group's scale. Horizontal sums happen once per panel, at the end. The zero-point term
 * sum_g (scale * z')_g * sum_{p in g} a[p] is 4 rows wide: one 128-bit FMA per group for the panel.
 * (Q4GemvKernelTest and q4_gemv_test.c run the extremes: all codes 15 against all -128 and all 127, K = 16384.)
 */
#include <immintrin.h>

#include "common/isa.h"
#include "q4-gemv/q4_gemv.h"

#define NR MINNOW_Q4V_NR

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i load32(const void* p) {
    return _mm256_loadu_si256((const __m256i*) p);
}

/* sum_i u_lo[i] * x[i] over 32 pairs-of-bytes -> 16 int16 lanes (no saturation: see above) */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i dot_lo(__m256i v, __m256i x) {
    return _mm256_maddubs_epi16(_mm256_and_si256(v, _mm256_set1_epi8(15)), x);
}

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i dot_hi(__m256i v, __m256i x) {
    return _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(15)), x);
}

/* int16 lanes -> float lanes through exact int32 pair sums */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 to_float(__m256i s16) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(s16, _mm256_set1_epi16(1)));
}

/* Four 8-lane accumulators -> their 4 horizontal sums, in row order. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m128 hsum4(__m256 c0, __m256 c1, __m256 c2, __m256 c3) {
    const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(c0, c1), _mm256_hadd_ps(c2, c3));
    return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

/* G is a constant in each specialization below, so the branches on it disappear. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void panel(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                                            const unsigned char* panel, float* out, const int G) {
    const int C = G > 64 ? G : 64, gpc = C / G;
    const float* scales = (const float*) (panel + s->codes_bytes);
    const float* coef = s->zero_points ? scales + (size_t) s->chunks * gpc * NR : scales;
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, h0 = c0, h1 = c0, h2 = c0, h3 = c0;
    __m128 corr = _mm_setzero_ps();
    const unsigned char* codes = panel;
    for (int ch = 0; ch < s->chunks; ch++, codes += (size_t) NR * C / 2) {
        const signed char* x = a + (size_t) ch * C;
        const float* sc = scales + (size_t) ch * gpc * NR;
        const __m256i x0 = load32(x), x1 = load32(x + 32);
        if (G == 128) {
            const __m256i x2 = load32(x + 64), x3 = load32(x + 96);
#define ROW128(r, acc)                                                                                          \
    do {                                                                                                        \
        const __m256i v0 = load32(codes + (r) * 64), v1 = load32(codes + (r) * 64 + 32);                        \
        const __m256i s16 = _mm256_add_epi16(_mm256_add_epi16(dot_lo(v0, x0), dot_hi(v0, x1)),                 \
                                             _mm256_add_epi16(dot_lo(v1, x2), dot_hi(v1, x3)));                \
        acc = _mm256_fmadd_ps(to_float(s16), _mm256_broadcast_ss(sc + (r)), acc);                               \
    } while (0)
            ROW128(0, c0);
            ROW128(1, c1);
            ROW128(2, c2);
            ROW128(3, c3);
#undef ROW128
        } else if (G == 64) {
#define ROW64(r, acc)                                                                                           \
    do {                                                                                                        \
        const __m256i v = load32(codes + (r) * 32);                                                             \
        acc = _mm256_fmadd_ps(to_float(_mm256_add_epi16(dot_lo(v, x0), dot_hi(v, x1))),                        \
                              _mm256_broadcast_ss(sc + (r)), acc);                                              \
    } while (0)
            ROW64(0, c0);
            ROW64(1, c1);
            ROW64(2, c2);
            ROW64(3, c3);
#undef ROW64
        } else { /* G = 32: the low nibbles are group 2ch, the high ones group 2ch + 1; separate accumulators */
#define ROW32(r, acc, acch)                                                                                     \
    do {                                                                                                        \
        const __m256i v = load32(codes + (r) * 32);                                                             \
        acc = _mm256_fmadd_ps(to_float(dot_lo(v, x0)), _mm256_broadcast_ss(sc + (r)), acc);                     \
        acch = _mm256_fmadd_ps(to_float(dot_hi(v, x1)), _mm256_broadcast_ss(sc + NR + (r)), acch);              \
    } while (0)
            ROW32(0, c0, h0);
            ROW32(1, c1, h1);
            ROW32(2, c2, h2);
            ROW32(3, c3, h3);
#undef ROW32
        }
        const float* cf = coef + (size_t) ch * gpc * NR;
        corr = _mm_fmadd_ps(_mm_loadu_ps(cf), _mm_set1_ps(asum[ch * gpc]), corr);
        if (gpc == 2) {
            corr = _mm_fmadd_ps(_mm_loadu_ps(cf + NR), _mm_set1_ps(asum[ch * gpc + 1]), corr);
        }
    }
    if (G == 32) {
        c0 = _mm256_add_ps(c0, h0);
        c1 = _mm256_add_ps(c1, h1);
        c2 = _mm256_add_ps(c2, h2);
        c3 = _mm256_add_ps(c3, h3);
    }
    _mm_storeu_ps(out, _mm_sub_ps(hsum4(c0, c1, c2, c3), corr));
}

MINNOW_TARGET_AVX2 void minnow_q4v_panel_avx2(const struct minnow_q4v_shape* s, const signed char* a, const float* asum,
                                              const unsigned char* p, float* out) {
    switch (s->g) {
        case 32: panel(s, a, asum, p, out, 32); break;
        case 64: panel(s, a, asum, p, out, 64); break;
        default: panel(s, a, asum, p, out, 128); break;
    }
}
