/*
 * qs8-conv-4x16-avx2: a 2-D int8 convolution that writes float32 NCHW directly, for small convs where the
 * NHWC gather / GEMM / channel-major scatter route spends more time moving data than multiplying.
 *
 * Layout ("pairs"): the input of one group is ceil(cg / 2) planes, one per channel pair (2i, 2i+1); a plane holds
 * hp x wp int32 (the image with its pads, row-major), then zeros up to `plane` int32 (a multiple of 16). Each int32
 * is two int16 values x - zero (channel 2i in the low half; 0 for the odd channel past cg and for padding, which
 * therefore adds nothing). That is vpmaddwd's operand: one int32 lane = one channel pair of one pixel.
 *
 * The product is out[j][p] = sum_kk W[j][kk] . B[kk][p] with kk = (pair, ky, kx): vector lanes run over 16 output
 * pixels, so the 4 x 16 tile (4 channels x 16 pixels, 8 ymm accumulators) is already channel-major and its
 * epilogue stores straight into the NCHW output. 4 rows, not 6: with 12 accumulators GCC hoists the broadcasts and
 * spills half the tile to the stack (seen in the generated code); 4 rows still leave the loop vpmaddwd-bound. B is the pair planes themselves for an unpadded stride-1 1x1 conv,
 * else an im2col of the tile into the caller's scratch (kk rows of round16(rows) int32).
 *
 * Exactness: (x - zero) is in [-255, 255] and w in [-128, 127], so a vpmaddwd pair sum fits int32 without
 * saturation and the int32 sums wrap exactly like the Java reference. The epilogue is the Java one written out: a
 * separate multiply and add (target "avx2" without fma, so nothing is contracted), Java's min/max for clamps (a lane
 * that is NaN before a clamp, or clamp bounds that are zeros of the wrong sign, go the scalar way).
 *
 * Java (Qs8ConvPairs) checks every size and offset against its segments first; these functions only re-check that
 * the shape is sane, so a bad call returns -1 without touching memory.
 */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "common/isa.h"
#include "minnow_kernels.h"

#define PAIRS_MR 4
#define PAIRS_NR 16

/* Not MINNOW_TARGET_AVX2, which adds fma: the epilogue's multiply and add must round separately. */
#define PAIRS_TARGET __attribute__((target("avx2")))

/* x / scale clamped to [lo, hi] and rounded half to even (the default rounding mode), NaN -> 0: the code minus the
   zero point, exactly as the scalar definition (a division, not a multiply by 1 / scale). */
PAIRS_TARGET static __m256i code_avx2(const float* src, __m256 vs, __m256 vl, __m256 vh) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(src), vs);
    __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    v = _mm256_min_ps(_mm256_max_ps(v, vl), vh);
    v = _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_andnot_si256(_mm256_castps_si256(nan), _mm256_cvtps_epi32(v));
}

/* One row of w pixels of channels (c0, c1) (c1 may be NULL: zeros) into pair lanes at dst. */
PAIRS_TARGET static void quantize_row(const float* c0, const float* c1, int w, float scale, float lo, float hi,
                                      int32_t* dst) {
    const __m256 vs = _mm256_set1_ps(scale), vl = _mm256_set1_ps(lo), vh = _mm256_set1_ps(hi);
    const __m256i low = _mm256_set1_epi32(0xffff);
    int x = 0;
    for (; x + 8 <= w; x += 8) {
        __m256i a = _mm256_and_si256(code_avx2(c0 + x, vs, vl, vh), low);
        __m256i b = c1 ? _mm256_slli_epi32(code_avx2(c1 + x, vs, vl, vh), 16) : _mm256_setzero_si256();
        _mm256_storeu_si256((__m256i*) (dst + x), _mm256_or_si256(a, b));
    }
    if (x < w) { /* the tail through masked loads (they do not fault past the mask) and a small copy */
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(w - x), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        float t0[8], t1[8];
        int32_t out[8];
        _mm256_storeu_ps(t0, _mm256_maskload_ps(c0 + x, mask));
        _mm256_storeu_ps(t1, c1 ? _mm256_maskload_ps(c1 + x, mask) : _mm256_setzero_ps());
        __m256i a = _mm256_and_si256(code_avx2(t0, vs, vl, vh), low);
        __m256i b = c1 ? _mm256_slli_epi32(code_avx2(t1, vs, vl, vh), 16) : _mm256_setzero_si256();
        _mm256_storeu_si256((__m256i*) out, _mm256_or_si256(a, b));
        memcpy(dst + x, out, (size_t) (w - x) * 4);
    }
}

int minnow_qs8_conv_quantize_pairs(const float* x, int c, int h, int w, int pt, int pl, int hp, int wp, int plane,
                                   float scale, int zero, int qmin, int qmax, int32_t* q) {
    if (c < 0 || h < 1 || w < 1 || pt < 0 || pl < 0 || hp < h + pt || wp < w + pl || (long) plane < (long) hp * wp
        || plane % PAIRS_NR != 0 || !(scale > 0) || qmin > qmax || zero < qmin || zero > qmax
        || !(minnow_cpu_features() & MINNOW_CPU_AVX2)) {
        return -1;
    }
    const float lo = (float) (qmin - zero), hi = (float) (qmax - zero);
    const int padded = hp != h || wp != w;
    for (int ip = 0; ip < (c + 1) / 2; ip++) {
        int32_t* dst = q + (long) ip * plane;
        if (padded) memset(dst, 0, (size_t) plane * 4); /* the pads; the image overwrites its part below */
        else memset(dst + (long) hp * wp, 0, (size_t) (plane - (long) hp * wp) * 4);
        const float* c0 = x + (long) 2 * ip * h * w;
        const float* c1 = 2 * ip + 1 < c ? c0 + (long) h * w : NULL;
        if (!padded) { /* the image is one contiguous run of h * w pixels */
            quantize_row(c0, c1, h * w, scale, lo, hi, dst);
            continue;
        }
        for (int y = 0; y < h; y++) {
            quantize_row(c0 + (long) y * w, c1 ? c1 + (long) y * w : NULL, w, scale, lo, hi,
                         dst + (long) (y + pt) * wp + pl);
        }
    }
    return 0;
}

/* B[kk][t] for kk = (pair, ky, kx), pixels t < rows of the tile, zeros up to tn; one output row's run at a time. */
static void im2col(const int32_t* q, int cp, int wp, int plane, int kh, int kw, int sh, int sw, int dh, int dw, int ow,
                   int p0, int rows, int tn, int32_t* b) {
    const int k2 = cp * kh * kw;
    for (int t = 0; t < rows;) {
        const int p = p0 + t, oy = p / ow, ox = p - oy * ow;
        const int run = ow - ox < rows - t ? ow - ox : rows - t;
        int kk = 0;
        for (int ip = 0; ip < cp; ip++) {
            for (int ky = 0; ky < kh; ky++) {
                const int32_t* row = q + (long) ip * plane + (long) (oy * sh + ky * dh) * wp + (long) ox * sw;
                for (int kx = 0; kx < kw; kx++, kk++) {
                    const int32_t* src = row + kx * dw;
                    int32_t* dst = b + (long) kk * tn + t;
                    if (sw == 1) {
                        for (int i = 0; i < run; i++) dst[i] = src[i];
                    } else {
                        for (int i = 0; i < run; i++) dst[i] = src[(long) i * sw];
                    }
                }
            }
        }
        t += run;
    }
    if (rows < tn) {
        for (int kk = 0; kk < k2; kk++) memset(b + (long) kk * tn + rows, 0, (size_t) (tn - rows) * 4);
    }
}

#define PAIRS_ROW(r)                                                       \
    if (mr > r) {                                                           \
        __m256i wv = _mm256_set1_epi32(w[r]);                               \
        c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(b0, wv));    \
        c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(b1, wv));    \
    }
#define PAIRS_STORE(r)                                                     \
    if (mr > r) {                                                           \
        _mm256_storeu_si256((__m256i*) (tile + (r) * PAIRS_NR), c##r##0);   \
        _mm256_storeu_si256((__m256i*) (tile + (r) * PAIRS_NR + 8), c##r##1); \
    }

/*
 * The k2 pair rows of a full 4 x 16 tile as one asm loop: GCC 12 compiles the intrinsics version into a vpaddd
 * into each product's register plus a vmovdqa back to the accumulator (8 extra instructions on 25 per pair row,
 * seen in the generated code; asm per row still left GCC rotating accumulators between registers). These moves
 * cost dispatch slots in a dispatch-bound loop. Same operations in the same order as PAIRS_ROW, so the int32
 * results are identical. b, w: the tile's first B row and weight block; b advances ldb int32 per row, w by 4.
 */
#define PAIRS_LOOP4_ASM()                                                                                           \
    do {                                                                                                            \
        __m256i x0, x1, wv, p;                                                                                      \
        const int32_t* we = w + (long) k2 * PAIRS_MR;                                                              \
        __asm__("1:\n\t"                                                                                          \
                "vmovdqu (%[bp]), %[x0]\n\t"                                                                        \
                "vmovdqu 32(%[bp]), %[x1]\n\t"                                                                      \
                "vpbroadcastd (%[wp]), %[wv]\n\t"                                                                   \
                "vpmaddwd %[wv], %[x0], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a00], %[a00]\n\t"                                                                   \
                "vpmaddwd %[wv], %[x1], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a01], %[a01]\n\t"                                                                   \
                "vpbroadcastd 4(%[wp]), %[wv]\n\t"                                                                  \
                "vpmaddwd %[wv], %[x0], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a10], %[a10]\n\t"                                                                   \
                "vpmaddwd %[wv], %[x1], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a11], %[a11]\n\t"                                                                   \
                "vpbroadcastd 8(%[wp]), %[wv]\n\t"                                                                  \
                "vpmaddwd %[wv], %[x0], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a20], %[a20]\n\t"                                                                   \
                "vpmaddwd %[wv], %[x1], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a21], %[a21]\n\t"                                                                   \
                "vpbroadcastd 12(%[wp]), %[wv]\n\t"                                                                 \
                "vpmaddwd %[wv], %[x0], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a30], %[a30]\n\t"                                                                   \
                "vpmaddwd %[wv], %[x1], %[p]\n\t"                                                                   \
                "vpaddd %[p], %[a31], %[a31]\n\t"                                                                   \
                "lea (%[bp], %[ldb], 4), %[bp]\n\t"                                                                 \
                "add $16, %[wp]\n\t"                                                                                \
                "cmp %[we], %[wp]\n\t"                                                                              \
                "jne 1b"                                                                                            \
                : [a00] "+x"(c00), [a01] "+x"(c01), [a10] "+x"(c10), [a11] "+x"(c11), [a20] "+x"(c20),             \
                  [a21] "+x"(c21), [a30] "+x"(c30), [a31] "+x"(c31), [x0] "=&x"(x0), [x1] "=&x"(x1),               \
                  [wv] "=&x"(wv), [p] "=&x"(p), [bp] "+r"(b), [wp] "+r"(w)                                         \
                : [ldb] "r"(ldb), [we] "r"(we)                                                                      \
                : "memory", "cc");                                                                                  \
    } while (0)

/* The 4 x 16 multiply of tile_avx2 and tile_fused_avx2: accumulators c<row><half> over k2 pair rows of b and w. */
#define PAIRS_ACCUMULATE                                                                                          \
    __m256i c00 = _mm256_setzero_si256(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00; \
    if (mr == PAIRS_MR) {                                                                                           \
        if (k2 > 0) PAIRS_LOOP4_ASM();                                                                              \
    } else {                                                                                                        \
        for (int kk = 0; kk < k2; kk++, b += ldb, w += PAIRS_MR) {                                                  \
            __m256i b0 = _mm256_loadu_si256((const __m256i*) b);                                                    \
            __m256i b1 = _mm256_loadu_si256((const __m256i*) (b + 8));                                              \
            PAIRS_ROW(0) PAIRS_ROW(1) PAIRS_ROW(2) PAIRS_ROW(3)                                                     \
        }                                                                                                           \
    }

/* tile[r][0..15] = sum_kk w[kk][r] . b[kk][0..15] (int32, wrapping) for r < mr; w rows are PAIRS_MR apart. */
PAIRS_TARGET MINNOW_INLINE void tile_avx2(const int mr, int k2, const int32_t* b, long ldb, const int32_t* w,
                                                int32_t* tile) {
    PAIRS_ACCUMULATE
    PAIRS_STORE(0) PAIRS_STORE(1) PAIRS_STORE(2) PAIRS_STORE(3)
}

/* noinline: its own function keeps the run loop's hoisted epilogue constants from crowding the accumulators out of registers */
PAIRS_TARGET __attribute__((noinline)) static void kernel_avx2(int mr, int k2, const int32_t* b, long ldb, const int32_t* w, int32_t* tile) {
    switch (mr) {
        case 1: tile_avx2(1, k2, b, ldb, w, tile); break;
        case 2: tile_avx2(2, k2, b, ldb, w, tile); break;
        case 3: tile_avx2(3, k2, b, ldb, w, tile); break;
        default: tile_avx2(4, k2, b, ldb, w, tile); break;
    }
}

/* Java's Math.min / Math.max for floats: NaN wins, and -0.0 is below +0.0. */
static float java_min(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a <= b ? a : b;
}

static float java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

typedef struct {
    float lo, hi;      /* the dequantize clamp: max(lo, min(hi, acc * s + bias)) */
    const float* res;  /* added after that clamp, or NULL */
    int post;          /* 1: then min(max(v, plo), phi) (a Relu or Clip left for after the residual) */
    float plo, phi;
    int fast;          /* the clamp bounds let vminps/vmaxps stand for Java's min/max on every non-NaN value */
} epilogue;

/* n (<= 8) outputs of one channel the Java way: the reference for lanes the vector path cannot vouch for. */
static void store_scalar(const epilogue* e, const int32_t* acc, float s, const float* bias, const float* res, int n,
                         float* y) {
    for (int i = 0; i < n; i++) {
        float v = (float) acc[i] * s;
        if (bias) v += *bias;
        v = java_max(e->lo, java_min(e->hi, v));
        if (res) v += res[i];
        if (e->post) v = java_min(java_max(v, e->plo), e->phi);
        y[i] = v;
    }
}

/* 8 outputs of one channel (n valid lanes): vector when no lane is NaN before a clamp, else scalar. */
PAIRS_TARGET static inline __attribute__((always_inline)) void store8(const epilogue* e, const int32_t* acc, float s, const float* bias, const float* res, int n,
                                float* y) {
    if (e->fast) {
        /* vmaskmovps stores are slow on AMD: plain loads and stores for whole vectors, masks for the tail only */
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*) acc)), _mm256_set1_ps(s));
        if (bias) v = _mm256_add_ps(v, _mm256_set1_ps(*bias));
        __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
        v = _mm256_max_ps(_mm256_min_ps(v, _mm256_set1_ps(e->hi)), _mm256_set1_ps(e->lo)); /* equal zeros: the bound */
        if (res) {
            v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res) : _mm256_maskload_ps(res, mask));
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        }
        if (e->post) v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(e->plo)), _mm256_set1_ps(e->phi));
        if (!(_mm256_movemask_ps(_mm256_and_ps(nan, _mm256_castsi256_ps(mask))))) {
            if (n == 8) _mm256_storeu_ps(y, v);
            else _mm256_maskstore_ps(y, mask, v);
            return;
        }
    }
    store_scalar(e, acc, s, bias, res, n, y);
}

/* Bounds for which vminps/vmaxps (a zero tie returns the bound) equal Java's min/max: no zero hi, no -0.0 lo. */
static int clamp_fast_ok(float lo, float hi) {
    return lo == lo && hi == hi && hi != 0.0f && !(lo == 0.0f && signbit(lo));
}

/* One output row of a fused tile: 16 pixels of channel j from its two accumulators, written to y (and read from res)
   at `at`. The vector arithmetic is store8's: separate multiply and add, bounds as the second operand of vminps /
   vmaxps. The caller vouched that acc * s + bias is never NaN (finite constants), so only a residual can bring a
   NaN in; a strip that has one goes the scalar way from a copy of its accumulators. */
PAIRS_TARGET MINNOW_INLINE void fused_row(const epilogue* e, __m256i a0, __m256i a1, float s, float bias,
                                          const float* res, float* y) {
    const __m256 vs = _mm256_set1_ps(s), vb = _mm256_set1_ps(bias);
    const __m256 vl = _mm256_set1_ps(e->lo), vh = _mm256_set1_ps(e->hi);
    __m256 v0 = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(a0), vs), vb);
    __m256 v1 = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(a1), vs), vb);
    v0 = _mm256_max_ps(_mm256_min_ps(v0, vh), vl);
    v1 = _mm256_max_ps(_mm256_min_ps(v1, vh), vl);
    if (res) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
        const __m256 nan = _mm256_or_ps(_mm256_cmp_ps(v0, v0, _CMP_UNORD_Q), _mm256_cmp_ps(v1, v1, _CMP_UNORD_Q));
        if (__builtin_expect(_mm256_movemask_ps(nan) != 0, 0)) {
            int32_t acc[PAIRS_NR];
            _mm256_storeu_si256((__m256i*) acc, a0);
            _mm256_storeu_si256((__m256i*) (acc + 8), a1);
            store_scalar(e, acc, s, &bias, res, PAIRS_NR, y);
            return;
        }
    }
    if (e->post) {
        const __m256 pl = _mm256_set1_ps(e->plo), ph = _mm256_set1_ps(e->phi);
        v0 = _mm256_min_ps(_mm256_max_ps(v0, pl), ph);
        v1 = _mm256_min_ps(_mm256_max_ps(v1, pl), ph);
    }
    _mm256_storeu_ps(y, v0);
    _mm256_storeu_ps(y + 8, v1);
}

#define FUSED_ROW(r)                                                                                    \
    if (mr > r) {                                                                                       \
        const long at = (long) (r) * ystride;                                                           \
        fused_row(e, c##r##0, c##r##1, sc[r], bi[r], e->res ? e->res + off + at : NULL, y + off + at);   \
    }

/* A full 4 x 16 tile with its epilogue while the accumulators are still in registers: on small-K convs the round
   trip through a tile buffer and a call per 8 outputs cost more than the multiplies (measured: 25 of 40 us on a
   16 -> 64 channel 1x1 conv at 28 x 28). sc / bi: the rows' scales xscale * wscale[j] and biases (-0.0f for none:
   the one addend that leaves every float, -0.0 included, unchanged). off: y / res element of row 0, pixel 0. */
PAIRS_TARGET MINNOW_INLINE void tile_fused_avx2(const int mr, int k2, const int32_t* b, long ldb, const int32_t* w,
                                                const epilogue* e, const float* sc, const float* bi, float* y, long off,
                                                long ystride) {
    PAIRS_ACCUMULATE
    FUSED_ROW(0) FUSED_ROW(1) FUSED_ROW(2) FUSED_ROW(3)
}

PAIRS_TARGET __attribute__((noinline)) static void kernel_fused_avx2(int mr, int k2, const int32_t* b, long ldb,
                                                                      const int32_t* w, const epilogue* e,
                                                                      const float* sc, const float* bi, float* y,
                                                                      long off, long ystride) {
    switch (mr) {
        case 1: tile_fused_avx2(1, k2, b, ldb, w, e, sc, bi, y, off, ystride); break;
        case 2: tile_fused_avx2(2, k2, b, ldb, w, e, sc, bi, y, off, ystride); break;
        case 3: tile_fused_avx2(3, k2, b, ldb, w, e, sc, bi, y, off, ystride); break;
        default: tile_fused_avx2(4, k2, b, ldb, w, e, sc, bi, y, off, ystride); break;
    }
}

/* Every 16-pixel strip x 4-channel block: full strips through the fused tile when the epilogue allows it, the last
   partial strip (and any call whose constants could make a NaN) through the tile buffer and store8. */
PAIRS_TARGET static void run_avx2(const epilogue* e, const int32_t* b, long ldb, int k2, int rows, int p0,
                                  const int32_t* wpk, int m, const float* wscale, float xscale, const float* bias,
                                  float* y, int ystride) {
    int32_t tile[PAIRS_MR * PAIRS_NR];
    /* acc * s + bias is never NaN when s and bias are finite and |acc| * |s| + |bias| cannot overflow (|acc| <= 2^31) */
    int fused = e->fast;
    for (int j = 0; j < m && fused; j++) {
        const float s = xscale * wscale[j], bj = bias ? bias[j] : 0.0f;
        fused = isfinite(s) && isfinite(bj) && isfinite(fabsf(s) * 2147483648.0f + fabsf(bj));
    }
    for (int t = 0; t < rows; t += PAIRS_NR) {
        const int n = rows - t < PAIRS_NR ? rows - t : PAIRS_NR;
        for (int j0 = 0; j0 < m; j0 += PAIRS_MR) {
            const int mr = m - j0 < PAIRS_MR ? m - j0 : PAIRS_MR;
            if (fused && n == PAIRS_NR) {
                float sc[PAIRS_MR], bi[PAIRS_MR];
                for (int r = 0; r < mr; r++) {
                    sc[r] = xscale * wscale[j0 + r];
                    bi[r] = bias ? bias[j0 + r] : -0.0f;
                }
                kernel_fused_avx2(mr, k2, b + t, ldb, wpk + (long) j0 * k2, e, sc, bi, y,
                                  (long) j0 * ystride + p0 + t, ystride);
                continue;
            }
            kernel_avx2(mr, k2, b + t, ldb, wpk + (long) j0 * k2, tile);
            for (int r = 0; r < mr; r++) {
                const int j = j0 + r;
                const float s = xscale * wscale[j];
                const long at = (long) j * ystride + p0 + t;
                for (int h = 0; h < n; h += 8) {
                    store8(e, tile + r * PAIRS_NR + h, s, bias ? bias + j : NULL, e->res ? e->res + at + h : NULL,
                           n - h < 8 ? n - h : 8, y + at + h);
                }
            }
        }
    }
}

int minnow_qs8_conv_pairs(const int32_t* q, int cp, int hp, int wp, int plane, int kh, int kw, int sh, int sw, int dh,
                          int dw, int oh, int ow, int p0, int rows, const int32_t* wpk, int m, const float* wscale,
                          float xscale, const float* bias, float lo, float hi, const float* res, int post, float plo,
                          float phi, float* y, int ystride, int32_t* scratch) {
    const int direct = kh == 1 && kw == 1 && sh == 1 && sw == 1 && hp == oh && wp == ow;
    if (cp < 1 || hp < 1 || wp < 1 || plane % PAIRS_NR != 0 || (long) plane < (long) hp * wp || kh < 1 || kw < 1
        || sh < 1 || sw < 1 || dh < 1 || dw < 1 || oh < 1 || ow < 1 || (long) (oh - 1) * sh + (long) (kh - 1) * dh >= hp
        || (long) (ow - 1) * sw + (long) (kw - 1) * dw >= wp || p0 < 0 || rows < 0 || (long) p0 + rows > (long) oh * ow
        || m < 0 || ystride < (long) oh * ow || (direct && p0 % PAIRS_NR != 0) || (!direct && !scratch)
        || !(minnow_cpu_features() & MINNOW_CPU_AVX2)) {
        return -1;
    }
    if (rows == 0 || m == 0) return 0;
    const int k2 = cp * kh * kw, tn = (rows + PAIRS_NR - 1) / PAIRS_NR * PAIRS_NR;
    const int32_t* b;
    long ldb;
    if (direct) {
        b = q + p0;
        ldb = plane;
    } else {
        im2col(q, cp, wp, plane, kh, kw, sh, sw, dh, dw, ow, p0, rows, tn, scratch);
        b = scratch;
        ldb = tn;
    }
    const epilogue e = {lo, hi, res, post, plo, phi, clamp_fast_ok(lo, hi) && (!post || clamp_fast_ok(plo, phi))};
    run_avx2(&e, b, ldb, k2, rows, p0, wpk, m, wscale, xscale, bias, y, ystride);
    return 0;
}
