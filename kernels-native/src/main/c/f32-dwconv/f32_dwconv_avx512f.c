/*
 * f32-dwconv-avx512f: AVX-512F, 16 output columns per vector. Padding as in the AVX2 variant, but with
 * opmasks: masked loads read only the lanes whose input column is inside the row (0 elsewhere, no fault)
 * and masked stores write exactly the row's outputs, so every vector stays inside its row.
 * Column stride 1 loads in place (3x3 with its weights in registers, other kernels a tap loop); stride 2
 * deinterleaves two loads with one two-source permute; larger strides gather. Sums as in f32_dwconv.h.
 */
#include <immintrin.h>
#include <stdint.h>

#include "common/isa.h"
#include "f32-dwconv/f32_dwconv.h"

#define L 16
/* Activation codes of common/epilogue.h (not included: it needs AVX2 types the test emulation lacks). */
#define ACT_CLAMP 1
#define ACT_HARDSWISH 2

/* Element `col` of a row as a pointer, col possibly negative (only ever dereferenced through a mask). */
MINNOW_INLINE const float* at(const float* row, int col) {
    return (const float*) ((uintptr_t) row + (uintptr_t) ((intptr_t) col * (intptr_t) sizeof(float)));
}

/* Lanes [lo, hi) (lo >= 0, hi <= 16; empty when hi <= lo). */
MINNOW_INLINE __mmask16 lanes_range(int lo, int hi) {
    return hi <= lo ? (__mmask16) 0 : (__mmask16) (((1u << hi) - 1u) & ~((1u << lo) - 1u));
}

/* Lanes j with 0 <= col + j < in_w. */
MINNOW_INLINE __mmask16 cols_in(int col, int in_w) {
    return lanes_range(col < 0 ? -col : 0, in_w - col < L ? in_w - col : L);
}

/* Lanes [0, n), n in [1, 16]. */
MINNOW_INLINE __mmask16 lanes_below(int n) {
    return (__mmask16) ((1u << n) - 1u);
}

/* The activation of common/epilogue.h (same operations, same order), 16 lanes. */
MINNOW_INLINE MINNOW_TARGET_AVX512 __m512 finish(__m512 acc, __m512 b, int act, __m512 lo, __m512 hi) {
    __m512 v = _mm512_add_ps(acc, b);
    if (act == ACT_CLAMP) {
        return _mm512_min_ps(hi, _mm512_max_ps(lo, v));
    }
    if (act == ACT_HARDSWISH) {
        __m512 t = _mm512_add_ps(_mm512_div_ps(v, _mm512_set1_ps(6.0f)), _mm512_set1_ps(0.5f));
        t = _mm512_min_ps(_mm512_set1_ps(1.0f), _mm512_max_ps(_mm512_setzero_ps(), t));
        return _mm512_mul_ps(v, t);
    }
    return v;
}

/* 3x3, column stride 1, column dilation 1 (any row stride / dilation). */
MINNOW_TARGET_AVX512 static void plane_3x3s1(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                             float bias, float* y, int act, __m512 lo, __m512 hi) {
    __m512 wv[9];
    for (int t = 0; t < 9; t++) {
        wv[t] = _mm512_set1_ps(w[t]);
    }
    const __m512 b = _mm512_set1_ps(bias);
    for (int ox0 = 0; ox0 < s->out_w; ox0 += L) {
        const int col = ox0 - s->pad_left;
        const __mmask16 m0 = cols_in(col, s->in_w), m1 = cols_in(col + 1, s->in_w), m2 = cols_in(col + 2, s->in_w);
        const __mmask16 out = lanes_below(s->out_w - ox0 < L ? s->out_w - ox0 : L);
        for (int oy = 0; oy < s->out_h; oy++) {
            __m512 acc = _mm512_setzero_ps();
            #pragma GCC unroll 3
            for (int ky = 0; ky < 3; ky++) {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                if ((unsigned) iy < (unsigned) s->in_h) {
                    const float* row = x + (size_t) iy * s->in_w;
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, at(row, col)), wv[3 * ky], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, at(row, col + 1)), wv[3 * ky + 1], acc);
                    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m2, at(row, col + 2)), wv[3 * ky + 2], acc);
                }
            }
            _mm512_mask_storeu_ps(y + (size_t) oy * s->out_w + ox0, out, finish(acc, b, act, lo, hi));
        }
    }
}

/* Any kernel, strides and dilations. */
MINNOW_TARGET_AVX512 static void plane_generic(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                               float bias, float* y, int act, __m512 lo, __m512 hi) {
    const __m512 b = _mm512_set1_ps(bias);
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const int sw = s->stride_w;
    for (int ox0 = 0; ox0 < s->out_w; ox0 += L) {
        const int n = s->out_w - ox0 < L ? s->out_w - ox0 : L;
        const __mmask16 out = lanes_below(n);
        const __m512i col0 = _mm512_mullo_epi32(_mm512_add_epi32(_mm512_set1_epi32(ox0), lane), _mm512_set1_epi32(sw));
        for (int oy = 0; oy < s->out_h; oy++) {
            __m512 acc = _mm512_setzero_ps();
            for (int ky = 0; ky < s->kh; ky++) {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                if ((unsigned) iy >= (unsigned) s->in_h) {
                    continue;
                }
                const float* row = x + (size_t) iy * s->in_w;
                for (int kx = 0; kx < s->kw; kx++) {
                    const int off = kx * s->dil_w - s->pad_left; /* lane j reads column (ox0 + j)*sw + off */
                    __m512 v;
                    if (sw == 1) {
                        const int col = ox0 + off;
                        v = _mm512_maskz_loadu_ps(cols_in(col, s->in_w), at(row, col));
                    } else if (sw == 2) {
                        const int col = 2 * ox0 + off;
                        const __m512 a = _mm512_maskz_loadu_ps(cols_in(col, s->in_w), at(row, col));
                        const __m512 c = _mm512_maskz_loadu_ps(cols_in(col + L, s->in_w), at(row, col + L));
                        v = _mm512_permutex2var_ps(a, even, c);
                    } else {
                        /* lanes whose column is in the row: j in [jlo, jhi) */
                        const int base = ox0 * sw + off;
                        const int jlo = base >= 0 ? 0 : (-base + sw - 1) / sw;
                        const int jhi = s->in_w - 1 - base < 0 ? 0 : (s->in_w - 1 - base) / sw + 1;
                        const __mmask16 m = lanes_range(jlo < L ? jlo : L, jhi < n ? jhi : n);
                        v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m,
                                                     _mm512_add_epi32(col0, _mm512_set1_epi32(off)), row, 4);
                    }
                    acc = _mm512_fmadd_ps(v, _mm512_set1_ps(w[ky * s->kw + kx]), acc);
                }
            }
            _mm512_mask_storeu_ps(y + (size_t) oy * s->out_w + ox0, out, finish(acc, b, act, lo, hi));
        }
    }
}

MINNOW_TARGET_AVX512 void minnow_f32_dwconv_avx512f(const struct minnow_dwconv_shape* s, const float* x,
                                                    size_t x_stride, const float* w, const float* bias, float* y,
                                                    size_t channels, int act, float lo, float hi) {
    const int fast = s->kh == 3 && s->kw == 3 && s->dil_w == 1 && s->stride_w == 1;
    const size_t out_plane = (size_t) s->out_h * s->out_w;
    const size_t taps = (size_t) s->kh * s->kw;
    const __m512 vlo = _mm512_set1_ps(lo), vhi = _mm512_set1_ps(hi);
    for (size_t c = 0; c < channels; c++) {
        const float* xc = x + c * x_stride;
        const float* wc = w + c * taps;
        const float b = bias == NULL ? 0.0f : bias[c];
        if (fast) {
            plane_3x3s1(s, xc, wc, b, y + c * out_plane, act, vlo, vhi);
        } else {
            plane_generic(s, xc, wc, b, y + c * out_plane, act, vlo, vhi);
        }
    }
}
