/*
 * f32-dwconv-nhwc-avx2: AVX2 + FMA, one NHWC image, 8 channels per vector.
 *
 * Channels are contiguous, so a vector is 8 channels of one pixel and every tap is one FMA per vector, with
 * no shuffles and no lane masks: padding is handled by skipping taps, decided per output row (kernel rows)
 * and per tile of output columns (kernel columns), never per lane.
 *
 * What limits speed: every output is a chain of up to 9 dependent FMAs (the order of the sum is fixed, see
 * f32_dwconv.h), 4 cycles each, and the out-of-order window holds only so many waiting FMAs; a tile must
 * carry many independent chains, finely interleaved, to keep both FMA pipes busy.
 *
 * 3x3, column dilation 1, column stride 1 or 2, at least 8 channels and 3 output columns (conv_3x3):
 *  - rows in tiles of 4 outputs, then of 3, covering the row exactly; each input vector is loaded once and
 *    feeds every output of the tile that uses it. With row and column stride 1 a tile spans two output rows
 *    (8 chains; its 4 input rows shared): 10-15% faster than one row with 4 chains (C bench, 64 ch 14x14).
 *  - a tile runs every channel vector before the next tile, loading that vector's 9 weights and bias (from
 *    L1) each time. The other order, one channel vector over bands of rows with its weights in registers,
 *    was 5-25% faster at 8-32 channels but 2-4x slower at 256-512 (C bench, 14x14 and 28x28): with a
 *    pixel of 1 KiB or more (a power of two) the lines it streams through between the two uses of a line
 *    (two vectors) fall into a few L1 sets.
 *  - with a multiple of 1024 channels every pixel's channel c lies in the same L1 set (pixels 4 KiB apart),
 *    which holds 8 lines: the second channel vector of a line (64 bytes) no longer found it there. Those
 *    take one row and two channel vectors per tile, both halves of every line loaded together (1024
 *    channels, 7x7: 41 -> 30-38 us, 14x14: 220 -> 155 us, C bench; it varies with where x and y lie).
 *    512 channels (2 KiB) gained at some sizes and lost at others, so it keeps the default; it is the weak
 *    spot (14x14: ~50 us, only 1.2x the NCHW kernel, where 64-128 channels get 2-3.5x).
 *  - a tile whose first or last input column lies in the padding skips that column in its own instance (a
 *    per-column test inside the tile cost 15%); any other cut by the padding (pad 2, rows narrower than a
 *    tile) computes that tile's outputs one at a time.
 *  - the tiles end in bias + clamp only (see conv_3x3), and loop state lives in locals, not behind a
 *    pointer: a field read through a pointer after a store to y is read again (it might alias), which tied
 *    each tile to the stores of the one before (10% slower).
 * Anything else: per output pixel, the taps inside the input, 4 channel vectors at a time (4 chains).
 *
 * Channel tail (channels % 8): with 8 channels or more, one more full vector at channels - 8, overlapping
 * the previous one; the overlapped channels are computed again by the same operations, so they are
 * rewritten with the same values. Fewer than 8 channels (generic path): masked loads and stores of the
 * first lanes (AMD's masked stores are slow, hence not the general tail). Nothing outside x, w, bias or
 * rows [oy0, oy1) of y is read or written.
 */
#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-dwconv/f32_dwconv.h"

#define L 8

/* A channel vector, or (MASKED) only the lanes of m, the others read as 0 and never touched in memory. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 load(const int MASKED, const float* p, __m256i m) {
    return MASKED ? _mm256_maskload_ps(p, m) : _mm256_loadu_ps(p);
}

MINNOW_INLINE MINNOW_TARGET_AVX2 void store(const int MASKED, float* p, __m256i m, __m256 v) {
    if (MASKED) {
        _mm256_maskstore_ps(p, m, v);
    } else {
        _mm256_storeu_ps(p, v);
    }
}

/* Bias, then the activation of common/epilogue.h. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 finish(__m256 acc, __m256 b, int act, __m256 lo, __m256 hi) {
    return minnow_act_avx2(act, _mm256_add_ps(acc, b), lo, hi);
}

/* The 3x3 path's epilogue: bias, then clamp (an activation of none is a clamp to [-inf, inf], see conv_3x3). */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 finish_clamp(__m256 acc, __m256 b, __m256 lo, __m256 hi) {
    return minnow_act_avx2(MINNOW_ACT_CLAMP, _mm256_add_ps(acc, b), lo, hi);
}

/* Pixel `col` of a row (channel vectors `ch` floats apart), col possibly outside the row: only dereferenced
   when inside. Formed in integers, since a pointer before the array is undefined in C. */
MINNOW_INLINE const float* at(const float* row, ptrdiff_t col, size_t ch) {
    return (const float*) ((uintptr_t) row + (uintptr_t) (col * (ptrdiff_t) ch * (ptrdiff_t) sizeof(float)));
}

/* ---- 3x3 ---- */

/* Which input columns of a tile it reads: all, all but the first, all but the last. */
enum { ALL_COLS, NO_FIRST, NO_LAST };

/*
 * R output rows (1, or 2 with row stride 1) x T outputs at consecutive columns, V channel vectors (R*V <= 2;
 * vector v's weights at wv + 9v). Input row r of the tile (xr[r]; NULL in the padding) at column i
 * (xr[r] + i*ch + v*8) feeds output (q, j) at tap (ky, kx) = (r - q, i - j*SW). Every accumulator gets its
 * taps in (ky, kx) order.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_3x3(const int R, const int T, const int V, const int SW, const int COLS,
                                               const float* const* xr, size_t ch, const __m256* wv, __m256* acc) {
    #pragma GCC unroll 8
    for (int j = 0; j < V * R * T; j++) {
        acc[j] = _mm256_setzero_ps();
    }
    #pragma GCC unroll 4
    for (int r = 0; r < R + 2; r++) {
        if (xr[r] == NULL) {
            continue;
        }
        #pragma GCC unroll 16
        for (int i = 0; i < (T - 1) * SW + 3; i++) {
            if ((COLS == NO_FIRST && i == 0) || (COLS == NO_LAST && i == (T - 1) * SW + 2)) {
                continue;
            }
            #pragma GCC unroll 2
            for (int u = 0; u < V; u++) {
                const __m256 v = _mm256_loadu_ps(xr[r] + i * ch + u * L);
                #pragma GCC unroll 2
                for (int q = 0; q < R; q++) {
                    #pragma GCC unroll 4
                    for (int j = 0; j < T; j++) {
                        const int ky = r - q, kx = i - j * SW, a = (u * R + q) * T + j;
                        if (ky >= 0 && ky < 3 && kx >= 0 && kx < 3) {
                            acc[a] = _mm256_fmadd_ps(v, wv[9 * u + 3 * ky + kx], acc[a]);
                        }
                    }
                }
            }
        }
    }
}

/* One output alone (its kernel rows at xr[0..2], tap 0 at input column ix): only its taps [kx0, kx1) are read. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 one_3x3(const float* const* xr, int ix, int kx0, int kx1, size_t ch,
                                                const __m256* wv) {
    __m256 acc = _mm256_setzero_ps();
    #pragma GCC unroll 3
    for (int ky = 0; ky < 3; ky++) {
        if (xr[ky] == NULL) {
            continue;
        }
        #pragma GCC unroll 3
        for (int kx = 0; kx < 3; kx++) {
            if (kx >= kx0 && kx < kx1) {
                acc = _mm256_fmadd_ps(_mm256_loadu_ps(at(xr[ky], ix + kx, ch)), wv[3 * ky + kx], acc);
            }
        }
    }
    return acc;
}

/* What the 3x3 loops need besides their position, as locals (see top). */
struct geo {
    int in_w, out_w, pl;
    size_t ch, out_row; /* floats between pixels, between output rows */
    const float* w;
    const float* bias;
    __m256 lo, hi;
};

/* The 9 weight vectors and the bias of channel vector c. */
MINNOW_INLINE MINNOW_TARGET_AVX2 __m256 weights_3x3(const struct geo* k, size_t c, __m256* wv) {
    #pragma GCC unroll 9
    for (int t = 0; t < 9; t++) {
        wv[t] = _mm256_loadu_ps(k->w + t * k->ch + c);
    }
    return k->bias == NULL ? _mm256_setzero_ps() : _mm256_loadu_ps(k->bias + c);
}

/*
 * Every channel vector of R x T outputs (tile at xt, outputs at yt, both at channel 0), all their input
 * columns read or the first or last one skipped (COLS); V vectors at a time (V = 2: channels % 16 == 0).
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_channels(const int R, const int T, const int V, const int SW,
                                                    const int COLS, const struct geo* k, const float* const* xt,
                                                    float* yt) {
    const size_t ch = k->ch;
    for (size_t c0 = 0; c0 < ch; c0 += V * L) {
        const size_t c = c0 + L <= ch ? c0 : ch - L; /* the last vector may overlap the one before (see top) */
        __m256 wv[2 * 9], b[2];
        #pragma GCC unroll 2
        for (int u = 0; u < V; u++) {
            b[u] = weights_3x3(k, c + u * L, wv + 9 * u);
        }
        const float* xc[4];
        #pragma GCC unroll 4
        for (int r = 0; r < R + 2; r++) {
            xc[r] = xt[r] == NULL ? NULL : xt[r] + c;
        }
        __m256 acc[2 * 4];
        tile_3x3(R, T, V, SW, COLS, xc, ch, wv, acc);
        #pragma GCC unroll 2
        for (int u = 0; u < V; u++) {
            #pragma GCC unroll 2
            for (int q = 0; q < R; q++) {
                #pragma GCC unroll 4
                for (int j = 0; j < T; j++) {
                    _mm256_storeu_ps(yt + q * k->out_row + j * ch + c + u * L,
                                     finish_clamp(acc[(u * R + q) * T + j], b[u], k->lo, k->hi));
                }
            }
        }
    }
}

/* Every channel vector of one output (kernel rows xr at channel 0, tap 0 at input column ix), taps [kx0, kx1). */
MINNOW_INLINE MINNOW_TARGET_AVX2 void one_channels(const struct geo* k, const float* const* xr, int ix, int kx0,
                                                   int kx1, float* yp) {
    const size_t ch = k->ch;
    for (size_t c0 = 0; c0 < ch; c0 += L) {
        const size_t c = c0 + L <= ch ? c0 : ch - L;
        __m256 wv[9];
        const __m256 b = weights_3x3(k, c, wv);
        const float* xc[3];
        for (int ky = 0; ky < 3; ky++) {
            xc[ky] = xr[ky] == NULL ? NULL : xr[ky] + c;
        }
        _mm256_storeu_ps(yp + c, finish_clamp(one_3x3(xc, ix, kx0, kx1, ch, wv), b, k->lo, k->hi));
    }
}

/*
 * Outputs [ox, ox+T) of R rows (kernel rows from xr, channel 0 of input column 0; y row of the first at yr):
 * a tile instance when the padding cuts off at most its first or last input column, else one output at a
 * time.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_at(const int R, const int T, const int V, const int SW,
                                              const struct geo* k, const float* const* xr, float* yr, int ox) {
    const int ix0 = ox * SW - k->pl, last = ix0 + (T - 1) * SW + 2; /* first and last input column read */
    const float* xt[4];
    #pragma GCC unroll 4
    for (int r = 0; r < R + 2; r++) {
        xt[r] = xr[r] == NULL ? NULL : at(xr[r], ix0, k->ch);
    }
    float* yt = yr + (size_t) ox * k->ch;
    if (ix0 >= 0 && last < k->in_w) {
        tile_channels(R, T, V, SW, ALL_COLS, k, xt, yt);
    } else if (ix0 == -1 && last < k->in_w) {
        tile_channels(R, T, V, SW, NO_FIRST, k, xt, yt);
    } else if (ix0 >= 0 && last == k->in_w) {
        tile_channels(R, T, V, SW, NO_LAST, k, xt, yt);
    } else {
        for (int q = 0; q < R; q++) {
            for (int j = 0; j < T; j++) {
                int kx0, kx1;
                minnow_dwconv_tap_range(ox + j, SW, k->pl, 1, 3, k->in_w, &kx0, &kx1);
                one_channels(k, xr + q, (ox + j) * SW - k->pl, kx0, kx1, yt + q * k->out_row + (size_t) j * k->ch);
            }
        }
    }
}

/*
 * All outputs of R rows: tiles of 4, then n3 tiles of 3 so that they cover out_w (>= 3) exactly. Only
 * out_w = 5 has no such cover; it takes two tiles of 3 that share output 2 (computed twice the same way,
 * written twice with the same value).
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void row_tiles(const int R, const int V, const int SW, const struct geo* k,
                                                const float* const* xr, float* yr) {
    const int out_w = k->out_w, n3 = (4 - out_w % 4) % 4;
    if (out_w == 5) {
        tile_at(R, 3, V, SW, k, xr, yr, 0);
        tile_at(R, 3, V, SW, k, xr, yr, 2);
        return;
    }
    int ox = 0;
    for (; ox < out_w - 3 * n3; ox += 4) {
        tile_at(R, 4, V, SW, k, xr, yr, ox);
    }
    for (; ox < out_w; ox += 3) {
        tile_at(R, 3, V, SW, k, xr, yr, ox);
    }
}

/* HardSwish over n floats at y, in place (the same operations as minnow_act_avx2 and minnow_act_scalar). */
MINNOW_INLINE MINNOW_TARGET_AVX2 void hardswish(float* y, size_t n) {
    const __m256 none = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + L <= n; i += L) {
        _mm256_storeu_ps(y + i, minnow_act_avx2(MINNOW_ACT_HARDSWISH, _mm256_loadu_ps(y + i), none, none));
    }
    for (; i < n; i++) {
        y[i] = minnow_act_scalar(MINNOW_ACT_HARDSWISH, y[i], 0.0f, 0.0f);
    }
}

/*
 * Output rows [oy0, oy1) of a 3x3 conv with column stride SW, V channel vectors per tile: pairs of rows when
 * both strides and the row dilation are 1 (and V = 1), the rest one by one; each row group's tiles left to
 * right, each tile all its channel vectors.
 *
 * The tiles end in bias + clamp only: an activation of none is a clamp to [-inf, inf], which changes no
 * value (a NaN or -0 comes through, see minnow_act_avx2), and HardSwish is applied to each row group once
 * it is complete, while it is still in cache. A per-output switch on the activation made the compiler pass
 * every result through the stack (20% slower).
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void conv_3x3(const int SW, const int V, const struct minnow_dwconv_shape* s,
                                               size_t ch, const float* x, const float* w, const float* bias, float* y,
                                               int oy0, int oy1, int act, float lo, float hi) {
    if (act != MINNOW_ACT_CLAMP) {
        lo = -INFINITY;
        hi = INFINITY;
    }
    const struct geo k = {s->in_w, s->out_w, s->pad_left, ch, (size_t) s->out_w * ch, w, bias,
                          _mm256_set1_ps(lo), _mm256_set1_ps(hi)};
    const int in_h = s->in_h, sh = s->stride_h, dh = s->dil_h, pt = s->pad_top;
    const size_t in_row = (size_t) s->in_w * ch;
    int oy = oy0;
    if (SW == 1 && V == 1 && sh == 1 && dh == 1) {
        for (; oy + 2 <= oy1; oy += 2) {
            const float* xr[4]; /* input column 0 of the pair's 4 input rows; NULL in the padding */
            for (int r = 0; r < 4; r++) {
                const int iy = oy - pt + r;
                xr[r] = (unsigned) iy < (unsigned) in_h ? x + (size_t) iy * in_row : NULL;
            }
            row_tiles(2, 1, SW, &k, xr, y + (size_t) oy * k.out_row);
            if (act == MINNOW_ACT_HARDSWISH) {
                hardswish(y + (size_t) oy * k.out_row, 2 * k.out_row);
            }
        }
    }
    for (; oy < oy1; oy++) {
        const float* xr[3];
        for (int ky = 0; ky < 3; ky++) {
            const int iy = oy * sh - pt + ky * dh;
            xr[ky] = (unsigned) iy < (unsigned) in_h ? x + (size_t) iy * in_row : NULL;
        }
        row_tiles(1, V, SW, &k, xr, y + (size_t) oy * k.out_row);
        if (act == MINNOW_ACT_HARDSWISH) {
            hardswish(y + (size_t) oy * k.out_row, k.out_row);
        }
    }
}

/* One instance per column stride and vectors per tile. */
typedef void (*conv_fn)(const struct minnow_dwconv_shape* s, size_t ch, const float* x, const float* w,
                        const float* bias, float* y, int oy0, int oy1, int act, float lo, float hi);

MINNOW_TARGET_AVX2 static void conv_3x3s1(const struct minnow_dwconv_shape* s, size_t ch, const float* x,
                                          const float* w, const float* bias, float* y, int oy0, int oy1, int act,
                                          float lo, float hi) {
    conv_3x3(1, 1, s, ch, x, w, bias, y, oy0, oy1, act, lo, hi);
}

MINNOW_TARGET_AVX2 static void conv_3x3s2(const struct minnow_dwconv_shape* s, size_t ch, const float* x,
                                          const float* w, const float* bias, float* y, int oy0, int oy1, int act,
                                          float lo, float hi) {
    conv_3x3(2, 1, s, ch, x, w, bias, y, oy0, oy1, act, lo, hi);
}

MINNOW_TARGET_AVX2 static void conv_3x3s1_wide(const struct minnow_dwconv_shape* s, size_t ch, const float* x,
                                               const float* w, const float* bias, float* y, int oy0, int oy1,
                                               int act, float lo, float hi) {
    conv_3x3(1, 2, s, ch, x, w, bias, y, oy0, oy1, act, lo, hi);
}

MINNOW_TARGET_AVX2 static void conv_3x3s2_wide(const struct minnow_dwconv_shape* s, size_t ch, const float* x,
                                               const float* w, const float* bias, float* y, int oy0, int oy1,
                                               int act, float lo, float hi) {
    conv_3x3(2, 2, s, ch, x, w, bias, y, oy0, oy1, act, lo, hi);
}

/* ---- any kernel, strides and dilations (and a 3x3 with fewer than 8 channels or 3 output columns) ---- */

struct ctx {
    const struct minnow_dwconv_shape* s;
    size_t ch; /* channels: the distance between pixels, in floats */
    const float* x;
    const float* w;
    const float* bias;
    float* y;
    int act;
    __m256 lo, hi;
};

/*
 * One output pixel, V channel vectors from channel c (each its own accumulator): xp and wp are the input
 * pixel and the weights of its first tap inside the input, at channel c, and nky x nkx taps from there are
 * inside (rows dil_h input rows apart, columns dil_w pixels apart); taps in (ky, kx) order.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void pixel_generic(const int V, const int MASKED, const struct ctx* k, const float* xp,
                                                    const float* wp, int nky, int nkx, size_t c, float* yp, __m256i m) {
    const struct minnow_dwconv_shape* s = k->s;
    const size_t ch = k->ch;
    const size_t x_ky = (size_t) s->dil_h * s->in_w * ch, x_kx = (size_t) s->dil_w * ch, w_ky = (size_t) s->kw * ch;
    __m256 acc[4];
    #pragma GCC unroll 16
    for (int v = 0; v < V; v++) {
        acc[v] = _mm256_setzero_ps();
    }
    for (int ky = 0; ky < nky; ky++) {
        for (int kx = 0; kx < nkx; kx++) {
            const float* xt = xp + ky * x_ky + kx * x_kx;
            const float* wt = wp + ky * w_ky + kx * ch;
            #pragma GCC unroll 16
            for (int v = 0; v < V; v++) {
                acc[v] = _mm256_fmadd_ps(load(MASKED, xt + v * L, m), load(MASKED, wt + v * L, m), acc[v]);
            }
        }
    }
    #pragma GCC unroll 16
    for (int v = 0; v < V; v++) {
        const __m256 b = k->bias == NULL ? _mm256_setzero_ps() : load(MASKED, k->bias + c + v * L, m);
        store(MASKED, yp + v * L, m, finish(acc[v], b, k->act, k->lo, k->hi));
    }
}

/* Output row oy, any kernel, strides and dilations: per pixel, 4 channel vectors at a time, then single ones. */
MINNOW_TARGET_AVX2 static void row_generic(const struct ctx* kp, int oy) {
    const struct ctx local = *kp; /* fields in registers, not reloaded after each store (see top) */
    const struct ctx* k = &local;
    const struct minnow_dwconv_shape* s = k->s;
    const size_t ch = k->ch;
    const __m256i all = _mm256_set1_epi32(-1);
    int ky0, ky1;
    minnow_dwconv_tap_range(oy, s->stride_h, s->pad_top, s->dil_h, s->kh, s->in_h, &ky0, &ky1);
    for (int ox = 0; ox < s->out_w; ox++) {
        int kx0, kx1;
        minnow_dwconv_tap_range(ox, s->stride_w, s->pad_left, s->dil_w, s->kw, s->in_w, &kx0, &kx1);
        int nky = ky1 - ky0, nkx = kx1 - kx0;
        const float* xp = k->x; /* not read when no tap is inside */
        const float* wp = k->w;
        if (nky > 0 && nkx > 0) {
            const int iy = oy * s->stride_h - s->pad_top + ky0 * s->dil_h;
            const int ix = ox * s->stride_w - s->pad_left + kx0 * s->dil_w;
            xp += ((size_t) iy * s->in_w + ix) * ch;
            wp += ((size_t) ky0 * s->kw + kx0) * ch;
        } else {
            nky = nkx = 0;
        }
        float* yp = k->y + ((size_t) oy * s->out_w + ox) * ch;
        size_t c = 0;
        for (; c + 4 * L <= ch; c += 4 * L) {
            pixel_generic(4, 0, k, xp + c, wp + c, nky, nkx, c, yp + c, all);
        }
        for (; c + L <= ch; c += L) {
            pixel_generic(1, 0, k, xp + c, wp + c, nky, nkx, c, yp + c, all);
        }
        if (c < ch && ch >= L) { /* overlapping last vector (see top) */
            c = ch - L;
            pixel_generic(1, 0, k, xp + c, wp + c, nky, nkx, c, yp + c, all);
        } else if (c < ch) {
            const __m256i m =
                _mm256_cmpgt_epi32(_mm256_set1_epi32((int) ch), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            pixel_generic(1, 1, k, xp, wp, nky, nkx, 0, yp, m);
        }
    }
}

MINNOW_TARGET_AVX2 void minnow_f32_dwconv_nhwc_avx2(const struct minnow_dwconv_shape* s, size_t channels,
                                                    const float* x, const float* w, const float* bias, float* y,
                                                    int oy0, int oy1, int act, float lo, float hi) {
    const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
    if (s->kh == 3 && s->kw == 3 && s->dil_w == 1 && s->stride_w <= 2 && s->out_w >= 3 && channels >= L) {
        const int wide = channels % 1024 == 0; /* pixels a multiple of 4 KiB apart (see top) */
        const conv_fn f = s->stride_w == 1 ? (wide ? conv_3x3s1_wide : conv_3x3s1)
                                           : (wide ? conv_3x3s2_wide : conv_3x3s2);
        f(s, channels, x, w, bias, y, oy0, oy1, act, lo, hi);
        return;
    }
    const struct ctx k = {s, channels, x, w, bias, y, act, vlo, vhi};
    for (int oy = oy0; oy < oy1; oy++) {
        row_generic(&k, oy);
    }
}
