/*
 * f32-conv-6x16-avx2: AVX2 + FMA3 micro-kernel of the conv GEMM. 12 accumulators (6 output channels x
 * 16 output positions) + 2 input vectors + 1 broadcast weight fill 15 of the 16 YMM registers. Each k
 * step reads its 16 inputs at base + off[k] (unaligned loads from the phase buffer) and 6 weights from
 * the packed panel. The A panel is zero-padded to 6 rows, so all 6 rows are always computed.
 *
 * Prefetches: in direct mode (1x1) B is the layer's input itself, K rows a plane apart. At batch 64 that
 * input was written a whole batch earlier and sits in L3 or DRAM, and K (up to hundreds) concurrent row
 * streams are more than the hardware prefetchers follow, so every tile's loads missed. Each k step
 * prefetches its row two tiles ahead (tiles advance 64 bytes, so every line is fetched once), and each
 * stored row prefetches for writing the line it will store two tiles later. Measured on a batch of 64
 * cold 14x14 images (AVX2, 1 thread): 96->24 1.8 ms -> 0.94 ms, 24->96 1.19 -> 0.95 ms, 16->64 0.68 ->
 * 0.48 ms; 7x7 planes unchanged (their tiles are too few to run ahead of). Prefetches never fault, so the
 * addresses past a row or plane are harmless.
 */
#include <immintrin.h>

#include "common/epilogue.h"
#include "common/isa.h"
#include "f32-conv/f32_conv.h"

#define MR 6
#define NR 16

MINNOW_INLINE MINNOW_TARGET_AVX2 __m256i lanes_below(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int) n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* The tile for `rows` (6, 4 or 2 after inlining) of the 6-row panel: a short last panel skips dead rows. */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_avx2(const size_t rows, size_t k, const float* ap, const float* base,
                                                const int32_t* off, float* tile, size_t mr, float* y, size_t ldy,
                                                size_t r0, size_t dst, const struct minnow_conv_epi* epi) {
    __m256 acc0[MR], acc1[MR];
    #pragma GCC unroll 6
    for (size_t r = 0; r < rows; r++) {
        acc0[r] = _mm256_setzero_ps();
        acc1[r] = _mm256_setzero_ps();
    }
    #pragma GCC unroll 2
    for (size_t p = 0; p < k; p++, ap += MR) {
        const float* b = base + off[p];
        _mm_prefetch((const char*) (b + 2 * NR), _MM_HINT_T0); /* see top: cold inputs in direct mode */
        const __m256 b0 = _mm256_loadu_ps(b);
        const __m256 b1 = _mm256_loadu_ps(b + 8);
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            const __m256 av = _mm256_broadcast_ss(ap + r);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
    }
    if (epi == NULL) {
        #pragma GCC unroll 6
        for (size_t r = 0; r < rows; r++) {
            _mm256_store_ps(tile + r * NR, acc0[r]);
            _mm256_store_ps(tile + r * NR + 8, acc1[r]);
        }
        return;
    }
    /* a local copy: the vector stores below may alias *epi as far as the compiler knows, which made it reload the
       fields (and re-test them) after every store; the same in every epilogue of this file */
    const struct minnow_conv_epi e = *epi;
    const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi);
    #pragma GCC unroll 6
    for (size_t r = 0; r < rows; r++) {
        if (r >= mr) break;
        __m256 v0 = acc0[r], v1 = acc1[r];
        if (e.bias != NULL) {
            const __m256 bv = _mm256_broadcast_ss(e.bias + r0 + r);
            v0 = _mm256_add_ps(v0, bv);
            v1 = _mm256_add_ps(v1, bv);
        }
        if (e.residual != NULL) {
            const float* res = e.residual + (r0 + r) * ldy + dst;
            v0 = _mm256_add_ps(v0, _mm256_loadu_ps(res));
            v1 = _mm256_add_ps(v1, _mm256_loadu_ps(res + 8));
        }
        float* yr = y + (r0 + r) * ldy + dst;
        _mm_prefetch((const char*) (yr + 2 * NR), _MM_HINT_ET0); /* the line this row's tile after next writes */
        _mm256_storeu_ps(yr, minnow_act_avx2(e.act, v0, lo, hi));
        _mm256_storeu_ps(yr + 8, minnow_act_avx2(e.act, v1, lo, hi));
    }
}

MINNOW_TARGET_AVX2 static void ukernel_6x16_avx2(size_t k, const float* ap, const float* base, const int32_t* off,
                                                 float* tile, size_t mr, float* y, size_t ldy, size_t r0, size_t dst,
                                                 const struct minnow_conv_epi* epi) {
    if (mr > 4) {
        tile_avx2(6, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    } else if (mr > 2) {
        tile_avx2(4, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    } else {
        tile_avx2(2, k, ap, base, off, tile, mr, y, ldy, r0, dst, epi);
    }
}

MINNOW_TARGET_AVX2 static void store_avx2(size_t mr, size_t len, const float* tile, size_t src, float* y, size_t ldy,
                                          size_t r0, size_t dst, const struct minnow_conv_epi* epi) {
    const struct minnow_conv_epi e = *epi; /* a local copy, as in tile_avx2 */
    const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi);
    for (size_t r = 0; r < mr; r++) {
        const float* t = tile + r * NR + src;
        float* yr = y + (r0 + r) * ldy + dst;
        const float* res = e.residual == NULL ? NULL : e.residual + (r0 + r) * ldy + dst;
        const __m256 bv = _mm256_set1_ps(e.bias == NULL ? 0.0f : e.bias[r0 + r]);
        for (size_t j = 0; j < len; j += 8) {
            const size_t n = len - j < 8 ? len - j : 8;
            const __m256i m = lanes_below(n);
            __m256 v = _mm256_loadu_ps(t + j); /* inside the tile: src + len <= NR, tile rows are NR floats */
            if (e.bias != NULL) v = _mm256_add_ps(v, bv);
            if (res != NULL) v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res + j) : _mm256_maskload_ps(res + j, m));
            v = minnow_act_avx2(e.act, v, lo, hi);
            if (n == 8) {
                _mm256_storeu_ps(yr + j, v);
            } else {
                _mm256_maskstore_ps(yr + j, m, v);
            }
        }
    }
}

/* Rows r0..r7 -> columns: out[i] lane j = row j lane i (the usual unpack / shuffle / permute 8x8 transpose). */
MINNOW_INLINE MINNOW_TARGET_AVX2 void transpose8(__m256 r[8]) {
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/*
 * Channel lanes [8v, 8v + 8) of a channel-mode tile: acc[j] holds positions j's 8 channels; transposed, each
 * vector is one channel's positions p0 .. p0+7 (the first npos real), stored through the epilogue.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void store_t(__m256 acc[8], size_t channels, size_t npos, int spill, float* y,
                                              size_t ldy, size_t m, size_t p0, const struct minnow_conv_epi* epi) {
    transpose8(acc);
    const struct minnow_conv_epi e = *epi; /* a local copy, as in tile_avx2 */
    const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi);
    const __m256i mask = lanes_below(npos);
    for (size_t c = 0; c < channels; c++) {
        __m256 v = acc[c];
        if (e.bias != NULL) v = _mm256_add_ps(v, _mm256_broadcast_ss(e.bias + m + c));
        float* yr = y + (m + c) * ldy + p0;
        const float* res = e.residual == NULL ? NULL : e.residual + (m + c) * ldy + p0;
        if (spill) { /* lanes past npos are rewritten by the next tile; reading them is inside the range too */
            if (res != NULL) v = _mm256_add_ps(v, _mm256_loadu_ps(res));
            _mm256_storeu_ps(yr, minnow_act_avx2(e.act, v, lo, hi));
        } else {
            if (res != NULL) v = _mm256_add_ps(v, _mm256_maskload_ps(res, mask));
            float t[8];
            _mm256_storeu_ps(t, minnow_act_avx2(e.act, v, lo, hi));
            for (size_t j = 0; j < npos; j++) yr[j] = t[j];
        }
    }
}

/*
 * NV channel vectors (2: 16 channels, 1: the last block's 8 or fewer), ROWS positions (6; a partial tile 4, 2 or
 * 1, so a 7x7 plane's last position does not cost a whole tile): ROWS * NV fma chains.
 */
MINNOW_INLINE MINNOW_TARGET_AVX2 void tile_t(const int NV, const int ROWS, size_t k, const float* wt, const float* base,
                                             const int32_t* off, const int32_t* q, size_t npos, size_t mc, int spill,
                                             float* y, size_t ldy, size_t m0, size_t p0,
                                             const struct minnow_conv_epi* epi) {
    const float *x0 = base + q[0], *x1 = base + q[1], *x2 = base + q[2], *x3 = base + q[3], *x4 = base + q[4],
                *x5 = base + q[5];
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0;
    for (size_t p = 0; p < k; p++, wt += 16) {
        const int32_t o = off[p];
        const __m256 w0 = _mm256_loadu_ps(wt);
        const __m256 w1 = NV > 1 ? _mm256_loadu_ps(wt + 8) : w0;
#define POS(j)                                                                                                   \
    do {                                                                                                         \
        if (ROWS > j) {                                                                                          \
            const __m256 xv = _mm256_broadcast_ss(x##j + o);                                                     \
            a##j = _mm256_fmadd_ps(xv, w0, a##j);                                                                \
            if (NV > 1) b##j = _mm256_fmadd_ps(xv, w1, b##j);                                                    \
        }                                                                                                        \
    } while (0)
        POS(0);
        POS(1);
        POS(2);
        POS(3);
        POS(4);
        POS(5);
#undef POS
    }
    const __m256 z = _mm256_setzero_ps();
    __m256 r[8] = {a0, a1, a2, a3, a4, a5, z, z};
    store_t(r, mc < 8 ? mc : 8, npos, spill, y, ldy, m0, p0, epi);
    if (NV > 1 && mc > 8) {
        __m256 t[8] = {b0, b1, b2, b3, b4, b5, z, z};
        store_t(t, mc - 8, npos, spill, y, ldy, m0 + 8, p0, epi);
    }
}

MINNOW_TARGET_AVX2 static void tkernel_avx2(size_t k, const float* wt, const float* base, const int32_t* off,
                                            const int32_t* q, size_t npos, size_t mc, int spill, float* y, size_t ldy,
                                            size_t m0, size_t p0, const struct minnow_conv_epi* epi) {
#define TILE(NV)                                                                                                 \
    do {                                                                                                         \
        if (npos > 4) tile_t(NV, 6, k, wt, base, off, q, npos, mc, spill, y, ldy, m0, p0, epi);                 \
        else if (npos > 2) tile_t(NV, 4, k, wt, base, off, q, npos, mc, spill, y, ldy, m0, p0, epi);            \
        else if (npos > 1) tile_t(NV, 2, k, wt, base, off, q, npos, mc, spill, y, ldy, m0, p0, epi);            \
        else tile_t(NV, 1, k, wt, base, off, q, npos, mc, spill, y, ldy, m0, p0, epi);                          \
    } while (0)
    if (mc > 8) {
        TILE(2);
    } else {
        TILE(1);
    }
#undef TILE
}

const struct minnow_f32_conv_config minnow_f32_conv_avx2_config = {
    .isa = "avx2",
    .mr = MR,
    .nr = NR,
    .ukernel = ukernel_6x16_avx2,
    .store = store_avx2,
    .tkernel = tkernel_avx2,
};
