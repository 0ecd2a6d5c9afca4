/*
 * f32-dwconv-avx2: AVX2 + FMA, 8 output columns per vector.
 *
 * Padding costs no branch per element: the x loads are masked (_mm256_maskload_ps reads only lanes whose
 * input column is inside the row and yields 0 for the others, without faulting), and input rows outside
 * the plane are skipped once per output row. Fast paths: 3x3 with column stride 1 (weights and the three
 * column masks hoisted; pairs of output rows share their input rows and run as two FMA chains), and 3x3
 * with column stride 2 (masked loads deinterleaved by shuffles, only the needed outputs computed; see
 * load3). With one shared input plane (x_stride 0, a network's stem) the 3x3 paths load each input vector
 * once for all output planes (shared_3x3). Anything else (any kernel, stride, dilation) takes the generic
 * path: per-tap masks, column stride 1 masked loads, larger strides a masked gather.
 *
 * Stores: a vector of 8 outputs is stored whole whenever it ends inside the plane, even if it runs past
 * the row; the lanes past the row land on outputs computed later, which overwrite them (column chunks run
 * from last to first, rows top to bottom, also within a pair). Only a vector that would leave the plane (one
 * per plane) takes a masked store, so nothing outside planes [0, channels) of y is written. AMD's masked
 * stores are slow, hence not used per row; but once per plane one beats the memcpy call it replaced, which
 * clobbered every vector register (the hoisted weights were spilled around it): 7-10% on 7x7 and 14x14.
 */
#include <immintrin.h>
#include <stdint.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-dwconv/f32_dwconv.h"

#define L 8

/* Element `col` of a row as a pointer, col possibly negative (only ever dereferenced through a mask). */
MINNOW_INLINE const float* at(const float* row, int col) {
    return (const float*) ((uintptr_t) row + (uintptr_t) ((intptr_t) col * (intptr_t) sizeof(float)));
}

/* All-ones lanes j with 0 <= col + j < in_w. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i cols_in(int col, int in_w) {
    const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(col), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_and_si256(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(in_w), idx));
}

/* Row elements col .. col+7, 0 outside the row. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 load_cols(const float* row, int col, __m256i m) {
    return _mm256_maskload_ps(at(row, col), m);
}

/* Outputs [pos, pos+8) of a plane of `plane` floats; `valid` of them belong to this row (see top). */
MINNOW_INLINE MINNOW_TARGET_AVX2 void store_out(float* yc, size_t pos, size_t plane, int valid, __m256 v) {
    if (pos + L <= plane) {
        _mm256_storeu_ps(yc + pos, v);
    } else {
        /* once per plane (see top) */
        const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        _mm256_maskstore_ps(yc + pos, lanes, v);
    }
}

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 finish(__m256 acc, __m256 b, int act, __m256 lo, __m256 hi) {
    return minnow_act_avx2(act, _mm256_add_ps(acc, b), lo, hi);
}

/* Column modes of the 3x3 paths: column stride 1; stride 2; stride 2 with at most 7 outputs in the chunk. */
enum { S1 = 0, S2 = 1, S2_SHORT = 2 };

/*
 * The three tap-column vectors (kx 0, 1, 2) of one input row for the 8 outputs of a column chunk starting at
 * input column col. Stride 1: three masked loads at col, col+1, col+2 (masks m[0..2]). Stride 2: lanes j
 * read input columns col + 2j + kx; a shuffle of the vectors at col and col+8 gives the even columns (kx 0)
 * and the odd ones (kx 1), of those at col+2 and col+10 the kx 2 ones, each in the lane order
 * 0 1 4 5 2 3 6 7 (put back in order once, on the sum, by unshuffle). S2_SHORT: with 7 outputs or fewer,
 * the kx 2 columns (col+2, col+4, ..., col+14) are the even vector moved down one lane, which one vpermps
 * does in the shuffled order, instead of two more loads and a shuffle.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void load3(const int MODE, const float* row, int col, const __m256i* m, __m256* v0,
                                            __m256* v1, __m256* v2) {
    if (MODE == S1) {
        *v0 = load_cols(row, col, m[0]);
        *v1 = load_cols(row, col + 1, m[1]);
        *v2 = load_cols(row, col + 2, m[2]);
        return;
    }
    const __m256 va = load_cols(row, col, m[0]), vb = load_cols(row, col + 8, m[1]);
    *v0 = _mm256_shuffle_ps(va, vb, _MM_SHUFFLE(2, 0, 2, 0));
    *v1 = _mm256_shuffle_ps(va, vb, _MM_SHUFFLE(3, 1, 3, 1));
    if (MODE == S2_SHORT) {
        /* lane p holds even column L(p), L = 0 1 4 5 2 3 6 7 (its own inverse): take L(L(p) + 1) */
        *v2 = _mm256_permutevar8x32_ps(*v0, _mm256_setr_epi32(1, 4, 3, 6, 5, 2, 7, 7));
    } else {
        const __m256 vc = load_cols(row, col + 2, m[2]), vd = load_cols(row, col + 10, m[3]);
        *v2 = _mm256_shuffle_ps(vc, vd, _MM_SHUFFLE(2, 0, 2, 0));
    }
}

/* The lane order of a stride-2 sum (0 1 4 5 2 3 6 7) back to 0..7; stride 1 as it is. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 unshuffle(const int MODE, __m256 v) {
    return MODE == S1 ? v : _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* The column masks load3 needs for a chunk starting at input column col. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void masks3(const int MODE, int col, int in_w, __m256i* m) {
    if (MODE == S1) {
        m[0] = cols_in(col, in_w);
        m[1] = cols_in(col + 1, in_w);
        m[2] = cols_in(col + 2, in_w);
    } else {
        m[0] = cols_in(col, in_w);
        m[1] = cols_in(col + 8, in_w);
        m[2] = cols_in(col + 2, in_w);
        m[3] = cols_in(col + 10, in_w);
    }
}

/*
 * The sums of R consecutive output rows [oy, oy+R) of one column chunk of a 3x3 conv with row stride SH and
 * row dilation 1. Output row oy+j at tap ky reads input row base + j*SH + ky, so each input row is loaded
 * once for all the outputs that use it, and the R accumulators are independent FMA chains (one chain
 * alone would wait on FMA latency). Each accumulator still gets its taps in (ky, kx) order.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void rows_3x3(const int R, const int SH, const int MODE,
                                               const struct minnow_dwconv_shape* s, const float* x, int oy, int col,
                                               const __m256i* m, const __m256* wv, __m256* acc) {
    #pragma GCC unroll 8
    for (int j = 0; j < R; j++) {
        acc[j] = _mm256_setzero_ps();
    }
    const int base = oy * SH - s->pad_top;
    #pragma GCC unroll 16
    for (int r = 0; r < (R - 1) * SH + 3; r++) {
        const int iy = base + r;
        if ((unsigned) iy >= (unsigned) s->in_h) {
            continue;
        }
        __m256 v0, v1, v2;
        load3(MODE, x + (size_t) iy * s->in_w, col, m, &v0, &v1, &v2);
        #pragma GCC unroll 8
        for (int j = 0; j < R; j++) {
            const int ky = r - j * SH;
            if (ky >= 0 && ky < 3) {
                acc[j] = _mm256_fmadd_ps(v0, wv[3 * ky], acc[j]);
                acc[j] = _mm256_fmadd_ps(v1, wv[3 * ky + 1], acc[j]);
                acc[j] = _mm256_fmadd_ps(v2, wv[3 * ky + 2], acc[j]);
            }
        }
    }
}

/* One output row of a 3x3 conv, any row stride and dilation (the fallback of rows_3x3). */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 row_3x3(const int MODE, const struct minnow_dwconv_shape* s, const float* x,
                                                int oy, int col, const __m256i* m, const __m256* wv) {
    __m256 acc = _mm256_setzero_ps();
    #pragma GCC unroll 3
    for (int ky = 0; ky < 3; ky++) {
        const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
        if ((unsigned) iy >= (unsigned) s->in_h) {
            continue;
        }
        __m256 v0, v1, v2;
        load3(MODE, x + (size_t) iy * s->in_w, col, m, &v0, &v1, &v2);
        acc = _mm256_fmadd_ps(v0, wv[3 * ky], acc);
        acc = _mm256_fmadd_ps(v1, wv[3 * ky + 1], acc);
        acc = _mm256_fmadd_ps(v2, wv[3 * ky + 2], acc);
    }
    return acc;
}

/*
 * One column chunk (outputs ox0 .. ox0+valid-1 of every row) of a 3x3 plane. Rows go in blocks of 4 (row stride
 * 1) or pairs (row stride 2) when the row dilation is 1, the rest one by one. Each accumulator is one output's
 * chain of 9 FMAs, so a block of R rows has R chains in flight: with pairs the loop waited on FMA latency.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void chunk_3x3(const int MODE, const struct minnow_dwconv_shape* s, const float* x,
                                                const __m256* wv, __m256 b, float* y, int ox0, int act, __m256 lo,
                                                __m256 hi) {
    const size_t plane = (size_t) s->out_h * s->out_w;
    const int col = MODE == S1 ? ox0 - s->pad_left : 2 * ox0 - s->pad_left;
    __m256i m[4];
    masks3(MODE, col, s->in_w, m);
    const int valid = s->out_w - ox0 < L ? s->out_w - ox0 : L;
    const int pairs = s->dil_h == 1 && (s->stride_h == 1 || s->stride_h == 2);
    int oy = 0;
    /* row stride 1: blocks of 4 rows first (6 input rows for 4 outputs, 4 FMA chains; 9-14% faster than pairs on
       14x14 and 28x28 planes although some weights then live on the stack: C bench, interleaved, bitwise equal) */
    for (; pairs && s->stride_h == 1 && oy + 4 <= s->out_h; oy += 4) {
        __m256 acc[4];
        rows_3x3(4, 1, MODE, s, x, oy, col, m, wv, acc);
        #pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            store_out(y, (size_t) (oy + j) * s->out_w + ox0, plane, valid, finish(unshuffle(MODE, acc[j]), b, act, lo, hi));
        }
    }
    for (; pairs && oy + 2 <= s->out_h; oy += 2) {
        __m256 acc[2];
        if (s->stride_h == 1) {
            rows_3x3(2, 1, MODE, s, x, oy, col, m, wv, acc);
        } else {
            rows_3x3(2, 2, MODE, s, x, oy, col, m, wv, acc);
        }
        store_out(y, (size_t) oy * s->out_w + ox0, plane, valid, finish(unshuffle(MODE, acc[0]), b, act, lo, hi));
        store_out(y, (size_t) (oy + 1) * s->out_w + ox0, plane, valid, finish(unshuffle(MODE, acc[1]), b, act, lo, hi));
    }
    for (; oy < s->out_h; oy++) {
        const __m256 v = row_3x3(MODE, s, x, oy, col, m, wv);
        store_out(y, (size_t) oy * s->out_w + ox0, plane, valid, finish(unshuffle(MODE, v), b, act, lo, hi));
    }
}

/* A 3x3 plane, column dilation 1, column stride 1 (STRIDE2 = 0) or 2 (1), chunks last to first (see top). */
MINNOW_INLINE MINNOW_TARGET_AVX2 void plane_3x3(const int STRIDE2, const struct minnow_dwconv_shape* s, const float* x,
                                                const float* w, float bias, float* y, int act, __m256 lo,
                                                __m256 hi) {
    __m256 wv[9];
    for (int t = 0; t < 9; t++) {
        wv[t] = _mm256_set1_ps(w[t]);
    }
    const __m256 b = _mm256_set1_ps(bias);
    for (int ox0 = (s->out_w - 1) / L * L; ox0 >= 0; ox0 -= L) {
        if (!STRIDE2) {
            chunk_3x3(S1, s, x, wv, b, y, ox0, act, lo, hi);
        } else if (s->out_w - ox0 < L) {
            chunk_3x3(S2_SHORT, s, x, wv, b, y, ox0, act, lo, hi);
        } else {
            chunk_3x3(S2, s, x, wv, b, y, ox0, act, lo, hi);
        }
    }
}

MINNOW_TARGET_AVX2 static void plane_3x3s1(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                           float bias, float* y, int act, __m256 lo, __m256 hi) {
    plane_3x3(0, s, x, w, bias, y, act, lo, hi);
}

MINNOW_TARGET_AVX2 static void plane_3x3s2(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                           float bias, float* y, int act, __m256 lo, __m256 hi) {
    plane_3x3(1, s, x, w, bias, y, act, lo, hi);
}

/*
 * G output planes (channels c0 .. c0+G-1) of a 3x3 conv that all read the same input plane, at one output
 * row and column chunk: the input vectors v (9 of them: 3 rows x 3 tap columns, already loaded and, for
 * column stride 2, deinterleaved (load3)) are shared by all G, so each plane costs only its 9 FMAs. Rows outside
 * the input (valid[ky] == 0) are skipped, as in the one-plane path; taps in (ky, kx) order per plane.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void shared_group(const int G, const int STRIDE2, const __m256* v, const int* valid,
                                                   const float* w, const float* bias, float* y, size_t plane,
                                                   size_t pos, int valid_cols, int act, __m256 lo, __m256 hi) {
    __m256 acc[4];
    #pragma GCC unroll 4
    for (int g = 0; g < G; g++) {
        acc[g] = _mm256_setzero_ps();
    }
    #pragma GCC unroll 3
    for (int ky = 0; ky < 3; ky++) {
        if (!valid[ky]) {
            continue;
        }
        #pragma GCC unroll 3
        for (int kx = 0; kx < 3; kx++) {
            #pragma GCC unroll 4
            for (int g = 0; g < G; g++) {
                acc[g] = _mm256_fmadd_ps(v[3 * ky + kx], _mm256_broadcast_ss(w + 9 * g + 3 * ky + kx), acc[g]);
            }
        }
    }
    #pragma GCC unroll 4
    for (int g = 0; g < G; g++) {
        const __m256 r = unshuffle(STRIDE2 ? S2 : S1, acc[g]);
        const __m256 b = _mm256_set1_ps(bias == NULL ? 0.0f : bias[g]);
        store_out(y + g * plane, pos, plane, valid_cols, finish(r, b, act, lo, hi));
    }
}

/*
 * All output planes of a 3x3 conv (column dilation 1, column stride 1 or 2) with one input plane (the stem
 * of an image network): per output row and column chunk the 3x3 input vectors are loaded (and
 * deinterleaved) once, then every plane, four at a time, takes its 9 FMAs from them. Run as one plane per
 * call, the loads and shuffles, not the FMAs, were most of the work. Stores as in plane_3x3 (chunks last
 * to first, rows top to bottom in every plane).
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void shared_3x3(const int STRIDE2, const struct minnow_dwconv_shape* s, const float* x,
                                                 const float* w, const float* bias, float* y, size_t channels,
                                                 int act, __m256 lo, __m256 hi) {
    const size_t plane = (size_t) s->out_h * s->out_w;
    for (int ox0 = (s->out_w - 1) / L * L; ox0 >= 0; ox0 -= L) {
        const int col = STRIDE2 ? 2 * ox0 - s->pad_left : ox0 - s->pad_left;
        const int mode = !STRIDE2 ? S1 : s->out_w - ox0 < L ? S2_SHORT : S2;
        __m256i m[4];
        masks3(STRIDE2 ? S2 : S1, col, s->in_w, m);
        const int valid_cols = s->out_w - ox0 < L ? s->out_w - ox0 : L;
        for (int oy = 0; oy < s->out_h; oy++) {
            __m256 v[9];
            int valid[3];
            for (int ky = 0; ky < 3; ky++) {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                valid[ky] = (unsigned) iy < (unsigned) s->in_h;
                if (!valid[ky]) {
                    v[3 * ky] = v[3 * ky + 1] = v[3 * ky + 2] = _mm256_setzero_ps();
                    continue;
                }
                const float* row = x + (size_t) iy * s->in_w;
                if (mode == S1) {
                    load3(S1, row, col, m, &v[3 * ky], &v[3 * ky + 1], &v[3 * ky + 2]);
                } else if (mode == S2_SHORT) {
                    load3(S2_SHORT, row, col, m, &v[3 * ky], &v[3 * ky + 1], &v[3 * ky + 2]);
                } else {
                    load3(S2, row, col, m, &v[3 * ky], &v[3 * ky + 1], &v[3 * ky + 2]);
                }
            }
            const size_t pos = (size_t) oy * s->out_w + ox0;
            size_t c = 0;
            for (; c + 4 <= channels; c += 4) {
                shared_group(4, STRIDE2, v, valid, w + 9 * c, bias == NULL ? NULL : bias + c, y + c * plane, plane, pos,
                             valid_cols, act, lo, hi);
            }
            for (; c < channels; c++) {
                shared_group(1, STRIDE2, v, valid, w + 9 * c, bias == NULL ? NULL : bias + c, y + c * plane, plane, pos,
                             valid_cols, act, lo, hi);
            }
        }
    }
}

MINNOW_TARGET_AVX2 static void shared_3x3s1(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                            const float* bias, float* y, size_t channels, int act, __m256 lo,
                                            __m256 hi) {
    shared_3x3(0, s, x, w, bias, y, channels, act, lo, hi);
}

MINNOW_TARGET_AVX2 static void shared_3x3s2(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                            const float* bias, float* y, size_t channels, int act, __m256 lo,
                                            __m256 hi) {
    shared_3x3(1, s, x, w, bias, y, channels, act, lo, hi);
}

/* Any kernel, strides and dilations. */
MINNOW_TARGET_AVX2 static void plane_generic(const struct minnow_dwconv_shape* s, const float* x, const float* w,
                                             float bias, float* y, int act, __m256 lo, __m256 hi) {
    const __m256 b = _mm256_set1_ps(bias);
    const size_t plane = (size_t) s->out_h * s->out_w;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i below = _mm256_set1_epi32(-1), width = _mm256_set1_epi32(s->in_w);
    for (int ox0 = (s->out_w - 1) / L * L; ox0 >= 0; ox0 -= L) {
        const int valid = s->out_w - ox0 < L ? s->out_w - ox0 : L;
        /* input column of lane j at kx = 0 */
        const __m256i col0 = _mm256_add_epi32(_mm256_mullo_epi32(_mm256_add_epi32(_mm256_set1_epi32(ox0), lane),
                                                                 _mm256_set1_epi32(s->stride_w)),
                                              _mm256_set1_epi32(-s->pad_left));
        for (int oy = 0; oy < s->out_h; oy++) {
            __m256 acc = _mm256_setzero_ps();
            for (int ky = 0; ky < s->kh; ky++) {
                const int iy = oy * s->stride_h - s->pad_top + ky * s->dil_h;
                if ((unsigned) iy >= (unsigned) s->in_h) {
                    continue;
                }
                const float* row = x + (size_t) iy * s->in_w;
                for (int kx = 0; kx < s->kw; kx++) {
                    __m256 v;
                    if (s->stride_w == 1) {
                        const int col = ox0 - s->pad_left + kx * s->dil_w;
                        v = load_cols(row, col, cols_in(col, s->in_w));
                    } else {
                        const __m256i idx = _mm256_add_epi32(col0, _mm256_set1_epi32(kx * s->dil_w));
                        const __m256i m = _mm256_and_si256(_mm256_cmpgt_epi32(idx, below), _mm256_cmpgt_epi32(width, idx));
                        v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx, _mm256_castsi256_ps(m), 4);
                    }
                    acc = _mm256_fmadd_ps(v, _mm256_set1_ps(w[ky * s->kw + kx]), acc);
                }
            }
            store_out(y, (size_t) oy * s->out_w + ox0, plane, valid, finish(acc, b, act, lo, hi));
        }
    }
}

MINNOW_TARGET_AVX2 void minnow_f32_dwconv_avx2(const struct minnow_dwconv_shape* s, const float* x, size_t x_stride,
                                               const float* w, const float* bias, float* y, size_t channels, int act,
                                               float lo, float hi) {
    typedef void (*plane_fn)(const struct minnow_dwconv_shape*, const float*, const float*, float, float*, int,
                             __m256, __m256);
    const int k3 = s->kh == 3 && s->kw == 3 && s->dil_w == 1;
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    if (x_stride == 0 && k3 && s->stride_w <= 2) {
        (s->stride_w == 1 ? shared_3x3s1 : shared_3x3s2)(s, x, w, bias, y, channels, act, vlo, vhi);
        return;
    }
    const plane_fn f = k3 && s->stride_w == 1 ? plane_3x3s1 : k3 && s->stride_w == 2 ? plane_3x3s2 : plane_generic;
    const size_t out_plane = (size_t) s->out_h * s->out_w;
    const size_t taps = (size_t) s->kh * s->kw;
    for (size_t c = 0; c < channels; c++) {
        f(s, x + c * x_stride, w + c * taps, bias == NULL ? 0.0f : bias[c], y + c * out_plane, act, vlo, vhi);
    }
}
